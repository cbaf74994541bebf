import {
  type ActionGroupTool,
  buildFunctionEvent,
  readActionGroupResponse,
} from '@revbot/agents/action-group';
import { loadWarehouseSchema } from '@revbot/agents/knowledge-base';
import { silentLogger } from '@revbot/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEmbeddedWarehouse,
  type EmbeddedWarehouse,
} from '../../../shared/warehouse/duckdb-warehouse';
import { createFireboltWriterTool } from '../../../tools/firebolt-writer/firebolt-writer';
import { WRITABLE_TABLES } from '../../../tools/firebolt-writer/writable-tables';

const agent = { name: 'lead_analysis_agent', id: 'LEADAGENT1', alias: 'LIVE000001', version: '2' };
let warehouse: EmbeddedWarehouse;
let tool: ActionGroupTool;
let ids = 0;
let johnSmith: string;
let ixisDeal: string;

const call = (fn: 'write_record' | 'update_record', parameters: Record<string, string>) =>
  tool
    .handle(
      buildFunctionEvent({
        tool: 'firebolt_writer',
        function: fn,
        parameters,
        agent,
        sessionId: 'sess-writer',
      }),
    )
    .then(readActionGroupResponse);
const rows = async (sql: string) =>
  (await warehouse.query(sql, { maxRows: 50, timeoutMs: 5_000 })).rows;

beforeAll(async () => {
  warehouse = await createEmbeddedWarehouse({ seed: { asOf: '2026-11-23' } });
  tool = createFireboltWriterTool({
    warehouse,
    clock: () => new Date('2026-11-23T15:04:05Z'),
    newId: () => `test-${++ids}`,
    logger: silentLogger,
  });
  johnSmith = String(
    (await rows("SELECT lead_id FROM leads WHERE full_name = 'John Smith'"))[0]?.[0],
  );
  ixisDeal = String(
    (
      await rows(
        "SELECT opportunity_id FROM opportunities WHERE opportunity_name = 'IXIS - Enterprise Platform'",
      )
    )[0]?.[0],
  );
});
afterAll(async () => {
  await warehouse.close();
});

describe('firebolt_writer write_record', () => {
  it('inserts a lead score with generated key and timestamps, derived grade, and an audit entry', async () => {
    const { body, responseState } = await call('write_record', {
      table: 'lead_scores',
      values: JSON.stringify({
        lead_id: johnSmith,
        score: 86,
        rationale: 'VP-level buyer; Snowflake user; 14 site visits.',
      }),
    });
    expect(responseState).toBeUndefined();
    const result = JSON.parse(body);
    expect(result).toMatchObject({ table: 'lead_scores', action: 'inserted', id: 'ls-test-1' });
    expect(
      await rows(
        "SELECT lead_id, score, grade, scored_by, scored_at FROM lead_scores WHERE score_id = 'ls-test-1'",
      ),
    ).toEqual([[johnSmith, 86, 'A', 'lead_analysis_agent', '2026-11-23T15:04:05.000Z']]);
    expect(
      await rows(
        "SELECT session_id, agent_name, action_type, target, status FROM agent_action_log WHERE target = 'lead_scores:ls-test-1'",
      ),
    ).toEqual([
      ['sess-writer', 'lead_analysis_agent', 'record_write', 'lead_scores:ls-test-1', 'succeeded'],
    ]);
  });

  it('stores hostile text verbatim through bound parameters', async () => {
    const note = "Risk: champion left'); DROP TABLE opportunities; --";
    const { body } = await call('write_record', {
      table: 'deal_notes',
      values: JSON.stringify({ opportunity_id: ixisDeal, note_type: 'Risk', note }),
    });
    const { id } = JSON.parse(body);
    expect(
      await rows(`SELECT note, note_type, author FROM deal_notes WHERE note_id = '${id}'`),
    ).toEqual([[note, 'Risk', 'lead_analysis_agent']]);
    expect((await rows('SELECT COUNT(*) FROM opportunities'))[0]?.[0]).toBeGreaterThan(0);
  });

  it.each([
    [
      { table: 'accounts', values: '{"account_name":"x"}' },
      'table must be one of lead_scores, deal_notes, agent_action_log (got "accounts")',
    ],
    [
      { table: 'lead_scores', values: '{"lead_id":"LEAD","score":150}' },
      'score must be 0-100 (got 150)',
    ],
    [
      { table: 'lead_scores', values: '{"lead_id":"LEAD","score":50,"owner_id":"005x"}' },
      'owner_id is not a writable column of lead_scores',
    ],
    [
      { table: 'lead_scores', values: '{"lead_id":"LEAD","score":50,"score_id":"mine"}' },
      'score_id is set by RevBot; leave it out',
    ],
    [{ table: 'deal_notes', values: '{"opportunity_id":"DEAL"}' }, 'note is required'],
    [
      { table: 'deal_notes', values: '{"opportunity_id":"DEAL","note":"x","note_type":"Gossip"}' },
      'note_type must be Deal Review, Risk, Next Step, MEDDPICC Update or General',
    ],
    [{ table: 'lead_scores', values: "{lead_id: 'x'}" }, 'values must be a valid JSON object'],
    [{ table: 'lead_scores', values: '[1,2]' }, 'values must be a JSON object'],
    [
      { table: 'lead_scores', values: `{"lead_id":"x' OR '1'='1","score":5}` },
      'lead_id must be a record id',
    ],
  ])('reprompts on %j', async (parameters, message) => {
    const params = {
      ...parameters,
      values: parameters.values.replace('LEAD', johnSmith).replace('DEAL', ixisDeal),
    };
    const before = await rows(
      'SELECT (SELECT COUNT(*) FROM lead_scores) + (SELECT COUNT(*) FROM deal_notes)',
    );
    const { body, responseState } = await call('write_record', params);
    expect(responseState).toBe('REPROMPT');
    expect(body).toContain(message);
    expect(
      await rows('SELECT (SELECT COUNT(*) FROM lead_scores) + (SELECT COUNT(*) FROM deal_notes)'),
    ).toEqual(before);
  });

  it('refuses a score for a lead that does not exist, saying how to find one', async () => {
    const { body, responseState } = await call('write_record', {
      table: 'lead_scores',
      values: '{"lead_id":"00QRB9999999999AAA","score":40}',
    });
    expect(responseState).toBe('REPROMPT');
    expect(body).toBe(
      'No leads row has lead_id "00QRB9999999999AAA"; look the lead up with firebolt_query (lead-lookup), then call write_record again.',
    );
  });

  it('logs an agent action with the session and agent filled in', async () => {
    const { body } = await call('write_record', {
      table: 'agent_action_log',
      values: JSON.stringify({
        action_type: 'notification',
        target: '#deal-desk',
        details: 'IXIS risk alert sent',
      }),
    });
    const { id } = JSON.parse(body);
    expect(
      await rows(
        `SELECT session_id, agent_name, status FROM agent_action_log WHERE action_id = '${id}'`,
      ),
    ).toEqual([['sess-writer', 'lead_analysis_agent', 'succeeded']]);
  });
});

describe('the agent action log', () => {
  const event = (
    fn: string,
    parameters: Record<string, string>,
    sessionAttributes: Record<string, string> = {},
    agentName = 'revops-local-execution-agent',
  ) => ({
    ...buildFunctionEvent({
      tool: 'firebolt_writer',
      function: 'write_record',
      parameters,
      agent: { ...agent, name: agentName },
      sessionId: 'sess-audit',
      sessionAttributes,
    }),
    function: fn,
  });
  const handle = (e: unknown) => tool.handle(e).then(readActionGroupResponse);

  it('is insert-only: update_record is refused and the row stays as written', async () => {
    const { body } = await handle(
      event('write_record', {
        table: 'agent_action_log',
        values: '{"action_type":"webhook","target":"hooks.example.com","details":"sent"}',
      }),
    );
    const { id } = JSON.parse(body);
    const refused = await handle(
      event('update_record', {
        table: 'agent_action_log',
        id,
        values: '{"details":"nothing happened"}',
      }),
    );
    expect(refused.responseState).toBe('REPROMPT');
    expect(refused.body).toContain('agent_action_log is insert-only');
    expect(
      await rows(`SELECT details, agent_name FROM agent_action_log WHERE action_id = '${id}'`),
    ).toEqual([['sent', 'execution_agent']]);
  });

  it.each([
    ['agent_name', '{"action_type":"other","agent_name":"manager_agent"}'],
    ['session_id', '{"action_type":"other","session_id":"slack-someone-else"}'],
  ])('refuses %s from the model: who acted is set from the event', async (column, values) => {
    const before = await rows('SELECT count(*) FROM agent_action_log');
    const refused = await handle(event('write_record', { table: 'agent_action_log', values }));
    expect(refused.responseState).toBe('REPROMPT');
    expect(refused.body).toContain(`${column} is set by RevBot; leave it out`);
    expect(await rows('SELECT count(*) FROM agent_action_log')).toEqual(before);
  });

  it('logs a decision with who and when from the session attributes', async () => {
    const { body, responseState } = await handle(
      event(
        'record_decision',
        {
          action: 'webhook_executor.trigger_webhook',
          decision: 'rejected',
          target: 'https://hooks.example.com/x',
        },
        {
          revbot_approval_decision: 'rejected',
          revbot_approval_decided_by: 'U0APPROVER',
          revbot_approval_decided_at: '2026-12-07T10:00:00.000Z',
        },
      ),
    );
    expect(responseState).toBeUndefined();
    const { id } = JSON.parse(body);
    expect(
      await rows(
        `SELECT session_id, agent_name, action_type, target, details, status FROM agent_action_log WHERE action_id = '${id}'`,
      ),
    ).toEqual([
      [
        'sess-audit',
        'execution_agent',
        'approval',
        'https://hooks.example.com/x',
        'webhook_executor.trigger_webhook rejected by U0APPROVER at 2026-12-07T10:00:00.000Z',
        'rejected',
      ],
    ]);
  });

  it('refuses to log a decision no person made', async () => {
    const refused = await handle(
      event('record_decision', {
        action: 'webhook_executor.trigger_webhook',
        decision: 'approved',
      }),
    );
    expect(refused.responseState).toBe('REPROMPT');
    expect(refused.body).toBe('No decision of a person is attached to this session.');
  });
});

describe('firebolt_writer update_record', () => {
  it('changes allowlisted columns, recomputes the grade and stamps updated_at', async () => {
    const { body, responseState } = await call('update_record', {
      table: 'lead_scores',
      id: 'ls-test-1',
      values: '{"score": 55}',
    });
    expect(responseState).toBeUndefined();
    expect(JSON.parse(body)).toMatchObject({
      action: 'updated',
      id: 'ls-test-1',
      changed: { score: 55, grade: 'C' },
    });
    expect(await rows("SELECT score, grade FROM lead_scores WHERE score_id = 'ls-test-1'")).toEqual(
      [[55, 'C']],
    );
  });

  it.each([
    [
      { table: 'deal_notes', id: 'dn-missing', values: '{"note":"x"}' },
      'No deal_notes row has note_id "dn-missing"',
    ],
    [
      { table: 'lead_scores', id: 'ls-test-1', values: '{"lead_id":"00Qother"}' },
      'lead_id cannot be changed',
    ],
    [{ table: 'lead_scores', id: 'ls-test-1', values: '{}' }, 'values names no column to change'],
    [
      { table: 'lead_scores', id: "ls-test-1' OR '1'='1", values: '{"score":1}' },
      'id must be a score_id',
    ],
  ])('reprompts on %j', async (parameters, message) => {
    const { body, responseState } = await call('update_record', parameters);
    expect(responseState).toBe('REPROMPT');
    expect(body).toContain(message);
    expect(await rows("SELECT score FROM lead_scores WHERE score_id = 'ls-test-1'")).toEqual([
      [55],
    ]);
  });
});

describe('the writer allowlist', () => {
  it('agrees with the documented schema on every column and type', () => {
    const schema = loadWarehouseSchema();
    for (const table of Object.values(WRITABLE_TABLES)) {
      const documented = schema.find((t) => t.name === table.name);
      expect(documented, table.name).toBeDefined();
      const documentedColumns = new Map(documented?.columns.map((c) => [c.name, c.type]));
      for (const column of table.columns)
        expect(documentedColumns.get(column.name), `${table.name}.${column.name}`).toBe(
          column.type,
        );
      const covered = [
        table.key,
        table.createdColumn,
        'updated_at',
        ...table.columns.map((c) => c.name),
      ].sort();
      expect(covered).toEqual([...documentedColumns.keys()].sort());
    }
  });
});
