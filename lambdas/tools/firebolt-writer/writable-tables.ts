/**
 * The allowlist of what the firebolt_writer tool may write: three tables, and per table which
 * columns an agent may set on insert and change on update, with a zod schema for each value.
 * Keys and timestamps are set by RevBot, never by the model. Column types mirror the documented
 * schema (a test keeps them in step with `knowledge_base/firebolt_schema/`).
 */
import { z } from 'zod';

export const WRITABLE_TABLE_NAMES = ['lead_scores', 'deal_notes', 'agent_action_log'] as const;
export type WritableTableName = (typeof WRITABLE_TABLE_NAMES)[number];

/** Salesforce-style ids and RevBot keys: letters, digits and dashes only. */
export const RECORD_ID = /^[A-Za-z0-9-]{3,64}$/;

export interface WritableColumn {
  name: string;
  /** Firebolt type, used to cast the bound parameter. */
  type: string;
  value: z.ZodType;
  insert: boolean;
  update: boolean;
  required?: boolean;
}

export interface ForeignKey {
  column: string;
  table: string;
  key: string;
  /** How the model can find a valid id. */
  hint: string;
}

export interface WritableTable {
  name: WritableTableName;
  key: string;
  keyPrefix: string;
  /** Timestamp set on insert (besides `updated_at`). */
  createdColumn: string;
  columns: WritableColumn[];
  foreignKeys: ForeignKey[];
}

const text = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);
const id = z.string().regex(RECORD_ID, 'must be a record id (letters, digits and dashes)');
const column = (
  name: string,
  type: string,
  value: z.ZodType,
  options: { insert?: boolean; update?: boolean; required?: boolean } = {},
): WritableColumn => ({
  name,
  type,
  value,
  insert: options.insert ?? true,
  update: options.update ?? false,
  required: options.required ?? false,
});

export const WRITABLE_TABLES: Record<WritableTableName, WritableTable> = {
  lead_scores: {
    name: 'lead_scores',
    key: 'score_id',
    keyPrefix: 'ls',
    createdColumn: 'scored_at',
    columns: [
      column('lead_id', 'TEXT', id, { required: true }),
      column(
        'score',
        'INTEGER',
        z.number().int('must be a whole number').min(0, 'must be 0-100').max(100, 'must be 0-100'),
        {
          required: true,
          update: true,
        },
      ),
      column('grade', 'TEXT', z.enum(['A', 'B', 'C', 'D'], 'must be A, B, C or D'), {
        update: true,
      }),
      column('rationale', 'TEXT', text(4_000), { update: true }),
      column('scored_by', 'TEXT', text(100)),
    ],
    foreignKeys: [
      {
        column: 'lead_id',
        table: 'leads',
        key: 'lead_id',
        hint: 'look the lead up with firebolt_query (lead-lookup)',
      },
    ],
  },
  deal_notes: {
    name: 'deal_notes',
    key: 'note_id',
    keyPrefix: 'dn',
    createdColumn: 'created_at',
    columns: [
      column('opportunity_id', 'TEXT', id, { required: true }),
      column(
        'note_type',
        'TEXT',
        z.enum(
          ['Deal Review', 'Risk', 'Next Step', 'MEDDPICC Update', 'General'],
          'must be Deal Review, Risk, Next Step, MEDDPICC Update or General',
        ),
        {
          update: true,
        },
      ),
      column('note', 'TEXT', text(4_000), { required: true, update: true }),
      column('author', 'TEXT', text(100)),
    ],
    foreignKeys: [
      {
        column: 'opportunity_id',
        table: 'opportunities',
        key: 'opportunity_id',
        hint: 'look the deal up with firebolt_query (deal-status-by-name returns opportunity_id)',
      },
    ],
  },
  agent_action_log: {
    name: 'agent_action_log',
    key: 'action_id',
    keyPrefix: 'aa',
    createdColumn: 'created_at',
    columns: [
      column('session_id', 'TEXT', text(200)),
      column('agent_name', 'TEXT', text(100)),
      column(
        'action_type',
        'TEXT',
        z.enum(
          ['notification', 'webhook', 'record_write', 'approval', 'other'],
          'must be notification, webhook, record_write, approval or other',
        ),
        {
          required: true,
        },
      ),
      column('target', 'TEXT', text(500)),
      // Insert-only: an audit row is never changed by an agent.
      column('details', 'TEXT', text(4_000)),
      column(
        'status',
        'TEXT',
        z.enum(
          ['pending', 'succeeded', 'failed', 'approved', 'rejected'],
          'must be pending, succeeded, failed, approved or rejected',
        ),
      ),
    ],
    foreignKeys: [],
  },
};

/** Grade implied by an ICP score, per the lead_scores documentation. */
export const gradeForScore = (score: number): 'A' | 'B' | 'C' | 'D' =>
  score >= 80 ? 'A' : score >= 60 ? 'B' : score >= 40 ? 'C' : 'D';
