import { ConfigError } from '@revbot/core';
import {
  assertReadOnlySql,
  createEmbeddedWarehouse,
  type EmbeddedWarehouse,
} from '@revbot/lambdas/warehouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolInputError } from '../../src/action-group/tool-errors';
import {
  findSqlPattern,
  loadSqlPatterns,
  parseSqlPatterns,
  renderSqlPattern,
  type SqlPattern,
} from '../../src/knowledge-base/sql-patterns';

const patterns = loadSqlPatterns();
let warehouse: EmbeddedWarehouse;
beforeAll(async () => {
  warehouse = await createEmbeddedWarehouse({ seed: { asOf: '2026-11-23' } });
});
afterAll(async () => {
  await warehouse.close();
});

const exampleValues = (pattern: SqlPattern) =>
  Object.fromEntries(pattern.parameters.map((p) => [p.name, p.example ?? p.default]));

describe('the SQL patterns of the knowledge base', () => {
  it('cover the documented questions', () => {
    expect(patterns.map((p) => p.id)).toEqual(
      expect.arrayContaining([
        'deal-status-by-name',
        'pipeline-by-quarter-and-segment',
        'churn-risk-signals',
        'expansion-candidates',
        'competitor-mentions-in-calls',
        'lead-lookup',
      ]),
    );
    for (const pattern of patterns) {
      expect(pattern.questions.length, pattern.id).toBeGreaterThan(0);
      for (const parameter of pattern.parameters) {
        expect(
          parameter.example ?? parameter.default,
          `${pattern.id}.${parameter.name}`,
        ).toBeDefined();
      }
    }
  });

  it.each(patterns.map((p) => [p.id, p] as const))(
    '%s passes the guard and returns rows',
    async (_id, pattern) => {
      const sql = renderSqlPattern(pattern, exampleValues(pattern));
      expect(assertReadOnlySql(sql)).toBe(sql);
      const result = await warehouse.query(sql, { maxRows: 100, timeoutMs: 5_000 });
      expect(result.rowCount).toBeGreaterThan(0);
    },
  );

  it('answers the IXIS status question with the documented facts', async () => {
    const sql = renderSqlPattern(findSqlPattern(patterns, 'deal-status-by-name'), {
      deal_name: 'IXIS',
    });
    const result = await warehouse.query(sql, { maxRows: 5, timeoutMs: 5_000 });
    const row = Object.fromEntries(result.columns.map((c, i) => [c, result.rows[0]?.[i]]));
    expect(row).toMatchObject({
      stage: 'Negotiate',
      probability: 75,
      arr: 2_100_000,
      owner_name: 'Sarah Johnson',
    });
  });

  it('finds Acme Corp among churn risks, with calls mentioning competitors', async () => {
    const sql = renderSqlPattern(findSqlPattern(patterns, 'churn-risk-signals'), {});
    const result = await warehouse.query(sql, { maxRows: 100, timeoutMs: 5_000 });
    const acme = result.rows.find((r) => r[0] === 'Acme Corp');
    const column = (name: string) => result.columns.indexOf(name);
    expect(acme?.[column('calls_mentioning_competitors')]).toBe(4);
    expect(Number(acme?.[column('usage_change_pct')])).toBeLessThan(-20);
  });

  it('lists TechCorp as an expansion candidate with its open expansion deal', async () => {
    const sql = renderSqlPattern(findSqlPattern(patterns, 'expansion-candidates'), {});
    const result = await warehouse.query(sql, { maxRows: 100, timeoutMs: 5_000 });
    const techcorp = result.rows.find((r) => r[0] === 'TechCorp');
    expect(techcorp?.[result.columns.indexOf('open_expansion_arr')]).toBe(240_000);
  });

  it('quotes text safely and refuses values that are not of the parameter type', () => {
    const status = findSqlPattern(patterns, 'deal-status-by-name');
    expect(renderSqlPattern(status, { deal_name: "O'Brien" })).toContain(
      "ILIKE '%' || 'O''Brien' || '%'",
    );
    expect(() => renderSqlPattern(status, { deal_name: "x\\' OR 1=1" })).toThrow(
      /without backslashes/,
    );
    expect(() => renderSqlPattern(status, {})).toThrow(/needs deal_name/);
    expect(() => renderSqlPattern(status, { deal_name: 'IXIS', quarter: '2026-Q4' })).toThrow(
      /has no parameter quarter/,
    );
    const pipeline = findSqlPattern(patterns, 'pipeline-by-quarter-and-segment');
    expect(() => renderSqlPattern(pipeline, { quarter: "2026-Q4' OR '1'='1" })).toThrow(
      ToolInputError,
    );
    expect(renderSqlPattern(pipeline, { quarter: '2027-Q1' })).toContain(
      "o.fiscal_quarter = '2027-Q1'",
    );
    const stalled = findSqlPattern(patterns, 'stalled-deals');
    expect(() => renderSqlPattern(stalled, { days_without_activity: '1; DROP TABLE x' })).toThrow(
      /must be an integer/,
    );
    expect(renderSqlPattern(stalled, {})).toContain('>= 21');
    const segment = findSqlPattern(patterns, 'arr-by-segment');
    expect(() => renderSqlPattern(segment, { account_type: 'Everyone' })).toThrow(
      /one of Customer, Churned, Prospect, Partner/,
    );
  });

  it('rejects a malformed pattern file with a clear message', () => {
    const bad =
      '## broken-pattern\n\nDoes things.\n\nParameters:\n- `name` (text, example x): a name.\n\n```sql\nSELECT {{other}}\n```\n';
    expect(() => parseSqlPatterns(bad, 'bad.md')).toThrow(ConfigError);
    expect(() => parseSqlPatterns(bad, 'bad.md')).toThrow(
      'bad.md pattern broken-pattern: {{other}} is not a declared parameter',
    );
  });
});
