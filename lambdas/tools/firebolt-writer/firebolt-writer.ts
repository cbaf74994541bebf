/**
 * The firebolt_writer action group: `write_record` inserts one row and `update_record` changes one
 * row of an allowlisted table (lead scores, deal notes, agent action log). Only allowlisted
 * columns are accepted, each value is validated, referenced leads and deals must exist, and every
 * statement is parameterized. Writes to lead scores and deal notes are also recorded in the
 * agent action log.
 *
 * The agent action log is insert-only for agents, and who acted (`agent_name`, `session_id`) and
 * when are set here from the event, never from the model's values. `record_decision`, which no
 * agent is offered, logs a person's approval or rejection of an action; the runtime calls it with
 * the decision in the session attributes.
 *
 * The schema the model sees is `agents/src/tools/firebolt-writer.ts`; its Lambda entry
 * point is `handler.ts` beside this file and its tests are in `lambdas/tests/tools/firebolt-writer/`.
 */

import { randomUUID } from 'node:crypto';
import {
  type ActionGroupTool,
  APPROVAL_ATTRIBUTES,
  createActionGroupTool,
  defineToolFunction,
  ToolInputError,
  type ToolInvocation,
  toolParam,
} from '@revbot/agents/action-group';
import type { Logger } from '@revbot/core';
import { z } from 'zod';
import type { SqlValue, Warehouse } from '../../shared/warehouse/types';
import {
  gradeForScore,
  RECORD_ID,
  WRITABLE_TABLE_NAMES,
  WRITABLE_TABLES,
  type WritableTable,
} from './writable-tables';

export const writeRecordParameters = z.object({
  table: toolParam.oneOf(WRITABLE_TABLE_NAMES),
  values: toolParam.jsonObject(),
});

export const updateRecordParameters = z.object({
  table: toolParam.oneOf(WRITABLE_TABLE_NAMES),
  id: toolParam.text({ maxLength: 64 }),
  values: toolParam.jsonObject(),
});

export const recordDecisionParameters = z.object({
  action: toolParam.text({ maxLength: 200 }),
  decision: toolParam.oneOf(['approved', 'rejected'] as const),
  target: toolParam.text({ maxLength: 500 }).optional(),
  details: toolParam.text({ maxLength: 3_000 }).optional(),
});

/** Columns of a table the tool sets from the event; a model that sends them is told so. */
const SET_BY_TOOL: Partial<Record<WritableTable['name'], string[]>> = {
  agent_action_log: ['session_id', 'agent_name'],
};

/**
 * The agent's key (`execution_agent`) from its deployed name (`revops-<stage>-execution-agent`),
 * as the action log names agents; other names are kept as they are.
 */
export function agentKeyOf(name: string, stage: string): string {
  const prefix = `revops-${stage}-`;
  return name.startsWith(prefix) ? name.slice(prefix.length).replaceAll('-', '_') : name;
}

export interface FireboltWriterToolDeps {
  warehouse: Warehouse | (() => Promise<Warehouse>);
  /** Deployment stage, to read agent keys out of agent names (default `local`). */
  stage?: string;
  clock?: () => Date;
  newId?: () => string;
  logger?: Logger;
}

const LOOKUP = { maxRows: 1, timeoutMs: 10_000 };

export function createFireboltWriterTool(deps: FireboltWriterToolDeps): ActionGroupTool {
  const warehouse =
    typeof deps.warehouse === 'function' ? deps.warehouse : async () => deps.warehouse as Warehouse;
  const clock = deps.clock ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;
  const timestamp = () => clock().toISOString().slice(0, 19).replace('T', ' ');
  const actor = (invocation: ToolInvocation) =>
    agentKeyOf(invocation.agent.name, deps.stage ?? 'local');

  async function insert(
    table: WritableTable,
    values: Record<string, SqlValue>,
    invocation: ToolInvocation,
  ) {
    const db = await warehouse();
    const key = `${table.keyPrefix}-${newId()}`;
    const now = timestamp();
    const row: Record<string, SqlValue> = {
      [table.key]: key,
      ...values,
      [table.createdColumn]: now,
      updated_at: now,
    };
    const types = new Map(table.columns.map((c) => [c.name, c.type]));
    types
      .set(table.key, 'TEXT')
      .set(table.createdColumn, 'TIMESTAMP')
      .set('updated_at', 'TIMESTAMP');
    const names = Object.keys(row);
    await db.write(
      `INSERT INTO ${table.name} (${names.join(', ')}) VALUES (${names.map((n, i) => `CAST($${i + 1} AS ${types.get(n)})`).join(', ')})`,
      names.map((n) => row[n] ?? null),
    );
    await audit(db, table, key, 'inserted', invocation);
    return { table: table.name, action: 'inserted', id: key, values: row };
  }

  async function audit(
    db: Warehouse,
    table: WritableTable,
    key: string,
    action: string,
    invocation: ToolInvocation,
  ) {
    if (table.name === 'agent_action_log') return;
    const now = timestamp();
    const row: SqlValue[] = [
      `aa-${newId()}`,
      invocation.sessionId,
      actor(invocation),
      'record_write',
      `${table.name}:${key}`,
      `${action} via firebolt_writer`,
      'succeeded',
      now,
      now,
    ];
    try {
      await db.write(
        'INSERT INTO agent_action_log (action_id, session_id, agent_name, action_type, target, details, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, CAST($8 AS TIMESTAMP), CAST($9 AS TIMESTAMP))',
        row,
      );
    } catch (error) {
      // The record itself is written; a missing audit row must not make the agent retry it.
      deps.logger?.warn('agent action log write failed', {
        table: table.name,
        error: String(error),
      });
    }
  }

  async function exists(table: string, keyColumn: string, id: string): Promise<boolean> {
    // `id` matched RECORD_ID (letters, digits, dashes), so quoting it cannot break out.
    const result = await (await warehouse()).query(
      `SELECT 1 AS found FROM ${table} WHERE ${keyColumn} = '${id}'`,
      LOOKUP,
    );
    return result.rowCount > 0;
  }

  const catalogue = createActionGroupTool({
    markUntrusted: true,
    name: 'firebolt_writer',
    logger: deps.logger,
    functions: [
      defineToolFunction({
        name: 'write_record',
        parameters: writeRecordParameters,
        async run({ table: tableName, values }, invocation) {
          const table = WRITABLE_TABLES[tableName];
          const row: Record<string, SqlValue> = {
            ...validateInsert(table, withDefaults(table, values, invocation)),
            ...setByTool(table, invocation),
          };
          for (const fk of table.foreignKeys) {
            const value = String(row[fk.column]);
            if (!(await exists(fk.table, fk.key, value))) {
              throw new ToolInputError(
                `No ${fk.table} row has ${fk.key} "${value}"; ${fk.hint}, then call write_record again.`,
              );
            }
          }
          return insert(table, row, invocation);
        },
      }),
      defineToolFunction({
        name: 'update_record',
        parameters: updateRecordParameters,
        async run({ table: tableName, id, values }, invocation) {
          const table = WRITABLE_TABLES[tableName];
          if (table.name === 'agent_action_log') {
            throw new ToolInputError(
              'agent_action_log is insert-only: its rows cannot be changed. Log a new action with write_record instead.',
            );
          }
          if (!RECORD_ID.test(id))
            throw new ToolInputError(
              `id must be a ${table.key} (letters, digits and dashes), got ${JSON.stringify(id)}.`,
            );
          const changes = validateUpdate(table, values);
          if (!(await exists(table.name, table.key, id))) {
            throw new ToolInputError(
              `No ${table.name} row has ${table.key} "${id}". Check the id with firebolt_query.`,
            );
          }
          const now = timestamp();
          const names = Object.keys(changes);
          const types = new Map(table.columns.map((c) => [c.name, c.type]));
          const assignments = names.map((n, i) => `${n} = CAST($${i + 1} AS ${types.get(n)})`);
          assignments.push(`updated_at = CAST($${names.length + 1} AS TIMESTAMP)`);
          const db = await warehouse();
          await db.write(
            `UPDATE ${table.name} SET ${assignments.join(', ')} WHERE ${table.key} = $${names.length + 2}`,
            [...names.map((n) => changes[n] ?? null), now, id],
          );
          await audit(db, table, id, 'updated', invocation);
          return { table: table.name, action: 'updated', id, changed: changes, updated_at: now };
        },
      }),
    ],
  });
  // Called by the runtime after a person's decision; no agent is offered it.
  const decisions = createActionGroupTool({
    markUntrusted: true,
    name: 'firebolt_writer',
    logger: deps.logger,
    functions: [
      defineToolFunction({
        name: 'record_decision',
        parameters: recordDecisionParameters,
        async run({ action, decision, target, details }, invocation) {
          const attributes = invocation.sessionAttributes;
          const decidedBy = attributes[APPROVAL_ATTRIBUTES.decidedBy];
          const decidedAt = attributes[APPROVAL_ATTRIBUTES.decidedAt];
          if (!decidedBy || !decidedAt || attributes[APPROVAL_ATTRIBUTES.decision] !== decision) {
            throw new ToolInputError('No decision of a person is attached to this session.');
          }
          const table = WRITABLE_TABLES.agent_action_log;
          const text = `${action} ${decision} by ${decidedBy} at ${decidedAt}${details ? `: ${details}` : ''}`;
          return insert(
            table,
            {
              action_type: 'approval',
              ...(target ? { target } : {}),
              details: text.slice(0, 4_000),
              status: decision,
              ...setByTool(table, invocation),
            },
            invocation,
          );
        },
      }),
    ],
  });
  return {
    name: catalogue.name,
    functions: catalogue.functions,
    handle: (event) =>
      (event as { function?: unknown } | null)?.function === 'record_decision'
        ? decisions.handle(event)
        : catalogue.handle(event),
  };

  function setByTool(table: WritableTable, invocation: ToolInvocation): Record<string, SqlValue> {
    if (table.name !== 'agent_action_log') return {};
    return { session_id: invocation.sessionId, agent_name: actor(invocation) };
  }
}

/** Fills what the model may leave out: who acted, the session, a grade derived from the score. */
function withDefaults(
  table: WritableTable,
  values: Record<string, unknown>,
  invocation: ToolInvocation,
): Record<string, unknown> {
  const out = { ...values };
  if (table.name === 'lead_scores') {
    out.scored_by ??= invocation.agent.name;
    if (out.grade === undefined && typeof out.score === 'number')
      out.grade = gradeForScore(out.score);
  } else if (table.name === 'deal_notes') {
    out.author ??= invocation.agent.name;
    out.note_type ??= 'General';
  } else {
    out.status ??= 'succeeded';
  }
  return out;
}

function validateInsert(
  table: WritableTable,
  values: Record<string, unknown>,
): Record<string, SqlValue> {
  const problems: string[] = [];
  const generated = [
    table.key,
    table.createdColumn,
    'updated_at',
    ...(SET_BY_TOOL[table.name] ?? []),
  ];
  const row: Record<string, SqlValue> = {};
  for (const [name, value] of Object.entries(values)) {
    const column = table.columns.find((c) => c.name === name && c.insert);
    if (generated.includes(name)) problems.push(`${name} is set by RevBot; leave it out`);
    else if (!column) problems.push(`${name} is not a writable column of ${table.name}`);
    else if (value !== null) {
      const parsed = column.value.safeParse(value);
      if (parsed.success) row[name] = parsed.data as SqlValue;
      else
        problems.push(
          `${name} ${parsed.error.issues[0]?.message ?? 'is invalid'} (got ${JSON.stringify(value)})`,
        );
    }
  }
  for (const column of table.columns) {
    if (column.required && values[column.name] === undefined)
      problems.push(`${column.name} is required`);
  }
  if (problems.length > 0) {
    const writable = table.columns.filter((c) => c.insert).map((c) => c.name);
    throw new ToolInputError(
      `Cannot write to ${table.name}: ${problems.join('; ')}. Writable columns: ${writable.join(', ')}.`,
    );
  }
  return row;
}

function validateUpdate(
  table: WritableTable,
  values: Record<string, unknown>,
): Record<string, SqlValue> {
  const updatable = table.columns.filter((c) => c.update);
  const problems: string[] = [];
  const changes: Record<string, SqlValue> = {};
  for (const [name, value] of Object.entries(values)) {
    const column = updatable.find((c) => c.name === name);
    if (!column) problems.push(`${name} cannot be changed`);
    else {
      const parsed = column.value.safeParse(value);
      if (parsed.success) changes[name] = parsed.data as SqlValue;
      else
        problems.push(
          `${name} ${parsed.error.issues[0]?.message ?? 'is invalid'} (got ${JSON.stringify(value)})`,
        );
    }
  }
  if (Object.keys(values).length === 0) problems.push('values names no column to change');
  if (problems.length > 0) {
    throw new ToolInputError(
      `Cannot update ${table.name}: ${problems.join('; ')}. Updatable columns: ${updatable.map((c) => c.name).join(', ')}.`,
    );
  }
  if (
    table.name === 'lead_scores' &&
    typeof changes.score === 'number' &&
    changes.grade === undefined
  ) {
    changes.grade = gradeForScore(changes.score);
  }
  return changes;
}
