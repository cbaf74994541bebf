import { ConfigError } from '@revbot/core';
import {
  createEmbeddedWarehouse,
  type EmbeddedWarehouse,
  SEED_TABLES,
} from '@revbot/lambdas/warehouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTableSql,
  loadWarehouseSchema,
  parseTableDoc,
} from '../../src/knowledge-base/warehouse-schema';

/** How DuckDB reports each documented Firebolt type in information_schema. */
const duckDbType = (type: string) =>
  type === 'TEXT'
    ? 'VARCHAR'
    : type === 'DOUBLE PRECISION'
      ? 'DOUBLE'
      : type.replace(/^NUMERIC/, 'DECIMAL');

let warehouse: EmbeddedWarehouse;
beforeAll(async () => {
  warehouse = await createEmbeddedWarehouse({ seed: { asOf: '2026-11-23' } });
});
afterAll(async () => {
  await warehouse.close();
});

describe('the documented warehouse schema', () => {
  const schema = loadWarehouseSchema();

  it('documents every table the seed writes, and nothing else', () => {
    expect(schema.map((t) => t.name).sort()).toEqual([...SEED_TABLES].sort());
  });

  it('describes every table and every column', () => {
    for (const table of schema) {
      expect(table.description.length, table.name).toBeGreaterThan(40);
      for (const column of table.columns)
        expect(column.description.length, `${table.name}.${column.name}`).toBeGreaterThan(5);
    }
  });

  it('is exactly what the embedded warehouse holds: names, order, types and nullability', async () => {
    // information_schema is no warehouse table, so the read-only guard (rightly) refuses it.
    const actual = await warehouse.runUnguarded(
      "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns WHERE table_schema = 'main' ORDER BY table_name, ordinal_position",
      [],
      { maxRows: 1_000, timeoutMs: 5_000 },
    );
    const expected = [...schema]
      .sort((a, b) => a.name.localeCompare(b.name))
      .flatMap((table) =>
        table.columns.map((c) => [
          table.name,
          c.name,
          duckDbType(c.type),
          c.nullable ? 'YES' : 'NO',
        ]),
      );
    expect(actual.rows).toEqual(expected);
  });

  it('names the MEDDPICC fields of opportunities', () => {
    const opportunities = schema.find((t) => t.name === 'opportunities');
    expect(
      opportunities?.columns.filter((c) => c.name.startsWith('meddpicc_')).map((c) => c.name),
    ).toEqual([
      'meddpicc_metrics',
      'meddpicc_economic_buyer',
      'meddpicc_decision_criteria',
      'meddpicc_decision_process',
      'meddpicc_paper_process',
      'meddpicc_identify_pain',
      'meddpicc_champion',
      'meddpicc_competition',
      'meddpicc_score',
    ]);
  });

  it('renders DDL that both engines accept', () => {
    const deals = schema.find((t) => t.name === 'deal_notes');
    expect(deals && createTableSql(deals)).toBe(
      'CREATE TABLE deal_notes (\n  note_id TEXT NOT NULL,\n  opportunity_id TEXT NOT NULL,\n  note_type TEXT NOT NULL,\n  note TEXT NOT NULL,\n  author TEXT NOT NULL,\n  created_at TIMESTAMP NOT NULL,\n  updated_at TIMESTAMP NOT NULL\n)',
    );
  });

  it('rejects a table document with an unsupported type, naming the file and line', () => {
    const doc =
      '# things\n\nStuff.\n\n| column | type | nullable | description |\n|---|---|---|---|\n| id | TEXT | no | Id. |\n| blob | JSONB | yes | Data. |\n';
    expect(() => parseTableDoc(doc, 'things.md')).toThrow(ConfigError);
    expect(() => parseTableDoc(doc, 'things.md')).toThrow(
      'things.md line 8: unsupported type "JSONB"',
    );
    expect(() => parseTableDoc(doc.replace('# things', '# other'), 'things.md')).toThrow(
      /name the file other\.md/,
    );
  });
});
