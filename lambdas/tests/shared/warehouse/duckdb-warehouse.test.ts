import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEmbeddedWarehouse,
  type EmbeddedWarehouse,
} from '../../../shared/warehouse/duckdb-warehouse';
import {
  QueryFailedError,
  QueryTimeoutError,
  UnsafeSqlError,
} from '../../../shared/warehouse/errors';
import { generateRevenueDataset } from '../../../shared/warehouse/seed/revenue-dataset';

const AS_OF = '2026-11-23';
const limits = { maxRows: 100, timeoutMs: 5_000 };
/** Billions of joined rows over warehouse tables only: long enough to need cancelling. */
const SLOW_QUERY =
  'SELECT COUNT(*) FROM accounts a, accounts b, accounts c, accounts d WHERE a.health_score + b.health_score + c.health_score + d.health_score > 1000';
let warehouse: EmbeddedWarehouse;

beforeAll(async () => {
  warehouse = await createEmbeddedWarehouse({ seed: { asOf: AS_OF } });
});
afterAll(async () => {
  await warehouse.close();
});

const one = async (sql: string) => {
  const result = await warehouse.query(sql, limits);
  expect(result.rows.length).toBeGreaterThan(0);
  return Object.fromEntries(result.columns.map((c, i) => [c, result.rows[0]?.[i]]));
};

describe('the embedded warehouse', () => {
  it('returns columns, rows, the row count and the execution time', async () => {
    const result = await warehouse.query(
      "SELECT stage, COUNT(*) AS deals FROM opportunities WHERE stage IN ('Negotiate', 'Proposal') GROUP BY stage ORDER BY stage",
      limits,
    );
    expect(result.columns).toEqual(['stage', 'deals']);
    expect(result.rows.map((r) => r[0])).toEqual(['Negotiate', 'Proposal']);
    expect(result.rowCount).toBe(2);
    expect(result.truncated).toBe(false);
    expect(result.executionMs).toBeGreaterThan(0);
  });

  it('stops at the row limit and says the result was truncated', async () => {
    const result = await warehouse.query('SELECT account_id FROM accounts ORDER BY account_id', {
      ...limits,
      maxRows: 7,
    });
    expect(result.rowCount).toBe(7);
    expect(result.rows).toHaveLength(7);
    expect(result.truncated).toBe(true);
    expect(result.rows[0]).toEqual(['001RB0000000001AAA']);
  });

  it('converts BIGINT, DECIMAL, DATE and TIMESTAMP values at the boundary', async () => {
    const row = await one(
      "SELECT CAST(9007199254740993 AS BIGINT) AS huge, COUNT(*) AS n, SUM(arr) AS arr, close_date, CAST('2026-11-23 09:30:00' AS TIMESTAMP) AS ts FROM opportunities WHERE opportunity_name = 'IXIS - Enterprise Platform' GROUP BY close_date",
    );
    expect(row).toEqual({
      huge: '9007199254740993',
      n: 1,
      arr: 2_100_000,
      close_date: '2026-12-17',
      ts: '2026-11-23T09:30:00.000Z',
    });
    expect(JSON.stringify(row)).toContain('"n":1');
  });

  it('cancels a query that runs past its time limit', async () => {
    const started = Date.now();
    await expect(
      warehouse.query(SLOW_QUERY, { maxRows: 1, timeoutMs: 150 }),
    ).rejects.toBeInstanceOf(QueryTimeoutError);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('turns SQL errors into a message the model can act on', async () => {
    // The guard refuses columns it does not know, so the database must know less than the guard.
    const drifted = await createEmbeddedWarehouse({
      seed: false,
      readableTables: [{ name: 'accounts', columns: [{ name: 'no_such_column' }] }],
    });
    const error = await drifted
      .query('SELECT no_such_column FROM accounts', limits)
      .finally(() => drifted.close())
      .catch((e) => e);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect(error.message).toMatch(
      /^The warehouse rejected the query: Binder Error: .*no_such_column/,
    );
    expect(error.message).not.toContain('LINE 1');
  });

  it('refuses unsafe statements before they reach DuckDB and leaves the data intact', async () => {
    await expect(warehouse.query('DELETE FROM accounts', limits)).rejects.toBeInstanceOf(
      UnsafeSqlError,
    );
    await expect(warehouse.query('SELECT 1; DROP TABLE accounts', limits)).rejects.toBeInstanceOf(
      UnsafeSqlError,
    );
    expect(await one('SELECT COUNT(*) AS n FROM accounts')).toEqual({ n: 300 });
  });

  it('runs with external access disabled and its configuration locked', async () => {
    // current_setting() is no function a query may call, so ask without the guard.
    const result = await warehouse.runUnguarded(
      "SELECT current_setting('enable_external_access') AS external_access, current_setting('lock_configuration') AS locked",
      [],
      limits,
    );
    expect(result.rows).toEqual([[false, true]]);
    await expect(
      warehouse.query("SELECT current_setting('enable_external_access')", limits),
    ).rejects.toBeInstanceOf(UnsafeSqlError);
  });

  it('writes with bound parameters, storing hostile text verbatim', async () => {
    const hostile = "O'Brien'); DROP TABLE deal_notes; --";
    const result = await warehouse.write(
      'INSERT INTO deal_notes (note_id, opportunity_id, note_type, note, author, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [
        'note-test-1',
        '006RB0000000001AAA',
        'General',
        hostile,
        'test',
        '2026-11-23 10:00:00',
        '2026-11-23 10:00:00',
      ],
    );
    expect(result.rowsAffected).toBe(1);
    expect(await one("SELECT note FROM deal_notes WHERE note_id = 'note-test-1'")).toEqual({
      note: hostile,
    });
  });
});

describe('the seeded revenue data', () => {
  it('is deterministic for a given day and shifts with it', () => {
    const a = generateRevenueDataset({ asOf: AS_OF });
    const b = generateRevenueDataset({ asOf: AS_OF });
    const c = generateRevenueDataset({ asOf: '2027-03-01' });
    expect(JSON.stringify(a.tables)).toBe(JSON.stringify(b.tables));
    expect(c.tables.accounts.length).toBe(a.tables.accounts.length);
    const ixis = (d: typeof a) =>
      d.tables.opportunities.find((o) => o.opportunity_name === 'IXIS - Enterprise Platform');
    expect(ixis(a)?.close_date).toBe('2026-12-17');
    expect(ixis(c)?.close_date).toBe('2027-03-25');
  });

  it('has a few hundred accounts and every table populated', async () => {
    const counts = await warehouse.query(
      `SELECT (SELECT COUNT(*) FROM accounts) AS accounts, (SELECT COUNT(*) FROM opportunities) AS opportunities,
              (SELECT COUNT(*) FROM contacts) AS contacts, (SELECT COUNT(*) FROM leads) AS leads,
              (SELECT COUNT(*) FROM activities) AS activities, (SELECT COUNT(*) FROM gong_calls) AS calls,
              (SELECT COUNT(*) FROM gong_call_transcripts) AS turns, (SELECT COUNT(*) FROM product_usage) AS usage_weeks,
              (SELECT COUNT(*) FROM arr_history) AS arr_months, (SELECT COUNT(*) FROM users) AS users,
              (SELECT COUNT(*) FROM lead_scores) AS lead_scores, (SELECT COUNT(*) FROM agent_action_log) AS actions`,
      limits,
    );
    const [row] = counts.rows;
    expect(row?.[0]).toBe(300);
    for (const value of row ?? []) expect(value).toBeGreaterThan(10);
  });

  it('spreads opportunities over every stage, segment and several quarters', async () => {
    const result = await warehouse.query(
      'SELECT COUNT(DISTINCT o.stage) AS stages, COUNT(DISTINCT a.segment) AS segments, COUNT(DISTINCT o.fiscal_quarter) AS quarters FROM opportunities o JOIN accounts a ON a.account_id = o.account_id',
      limits,
    );
    expect(result.rows[0]).toEqual([7, 3, expect.any(Number)]);
    expect(result.rows[0]?.[2]).toBeGreaterThanOrEqual(6);
  });

  it('holds the IXIS deal in Negotiate at 75% and $2.1M ARR owned by Sarah Johnson', async () => {
    expect(
      await one(
        "SELECT stage, probability, arr, owner_name, forecast_category FROM opportunities WHERE opportunity_name ILIKE '%ixis%' AND is_closed = false",
      ),
    ).toEqual({
      stage: 'Negotiate',
      probability: 75,
      arr: 2_100_000,
      owner_name: 'Sarah Johnson',
      forecast_category: 'Commit',
    });
  });

  it('holds John Smith at DataCorp as a hot lead', async () => {
    expect(
      await one("SELECT company, title, status, rating FROM leads WHERE full_name = 'John Smith'"),
    ).toEqual({
      company: 'DataCorp',
      title: 'VP of Data Engineering',
      status: 'Working',
      rating: 'Hot',
    });
  });

  it('holds TechCorp as a customer near its seat limit, and the Microsoft Enterprise deal', async () => {
    expect(
      await one(
        "SELECT a.account_type, MAX(1.0 * u.active_users / u.licensed_seats) >= 0.9 AS near_limit FROM accounts a JOIN product_usage u ON u.account_id = a.account_id WHERE a.account_name = 'TechCorp' GROUP BY a.account_type",
      ),
    ).toEqual({ account_type: 'Customer', near_limit: true });
    expect(
      await one(
        "SELECT opportunity_name, stage, arr FROM opportunities WHERE account_name = 'Microsoft'",
      ),
    ).toEqual({
      opportunity_name: 'Microsoft - Enterprise Agreement',
      stage: 'Proposal',
      arr: 3_400_000,
    });
  });

  it('holds Acme Corp calls whose transcripts mention Snowflake and Databricks', async () => {
    const result = await warehouse.query(
      "SELECT c.competitors_mentioned, t.text FROM gong_calls c JOIN gong_call_transcripts t ON t.call_id = c.call_id WHERE c.account_name = 'Acme Corp' AND (t.text ILIKE '%snowflake%' OR t.text ILIKE '%databricks%')",
      limits,
    );
    const text = result.rows.map((r) => String(r[1])).join(' ');
    expect(text).toContain('Snowflake');
    expect(text).toContain('Databricks');
    for (const row of result.rows) expect(row[0]).not.toBeNull();
  });
});
