import { findSqlPattern, loadSqlPatterns, renderSqlPattern } from '@revbot/agents/knowledge-base';
import { AuthenticationError, ConfigError, readJsonSecret, staticSecretReader } from '@revbot/core';
import {
  type FireboltApiServer,
  startFireboltApiServer,
} from '@revbot/testing/firebolt-api-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createEmbeddedWarehouse,
  type EmbeddedWarehouse,
} from '../../../shared/warehouse/duckdb-warehouse';
import {
  QueryFailedError,
  QueryTimeoutError,
  UnsafeSqlError,
  WarehouseUnavailableError,
} from '../../../shared/warehouse/errors';
import { createFireboltWarehouse } from '../../../shared/warehouse/firebolt-warehouse';
import type { Warehouse } from '../../../shared/warehouse/types';

const settings = { account: 'revbot-test', database: 'revenue', engine: 'revbot_engine' };
const secretId = 'revops-test/tools/firebolt-query';
const secrets = staticSecretReader({
  [secretId]: JSON.stringify({ client_id: 'sa-client-id', client_secret: 'sa-client-secret' }),
});
const credentials = async () => {
  const secret = await readJsonSecret(
    secrets,
    secretId,
    z.object({ client_id: z.string(), client_secret: z.string() }),
  );
  return { clientId: secret.client_id, clientSecret: secret.client_secret };
};
const limits = { maxRows: 50, timeoutMs: 5_000 };

let embedded: EmbeddedWarehouse;
let server: FireboltApiServer;
let firebolt: Warehouse;
const previousTlsSetting = process.env.NODE_TLS_REJECT_UNAUTHORIZED;

beforeAll(async () => {
  // The stand-in serves a throw-away self-signed certificate; trust it in this test process only.
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  embedded = await createEmbeddedWarehouse({ seed: { asOf: '2026-11-23' } });
  server = await startFireboltApiServer({
    warehouse: embedded,
    clientId: 'sa-client-id',
    clientSecret: 'sa-client-secret',
    ...settings,
  });
  firebolt = createFireboltWarehouse({ ...settings, credentials, apiEndpoint: server.url });
});
afterAll(async () => {
  await firebolt.close();
  await server.close();
  await embedded.close();
  if (previousTlsSetting === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
  else process.env.NODE_TLS_REJECT_UNAUTHORIZED = previousTlsSetting;
});

describe('the Firebolt warehouse (official SDK against a local Firebolt API)', () => {
  it('authenticates with the service account, selects database and engine, then queries', async () => {
    const result = await firebolt.query(
      "SELECT opportunity_name, stage, probability, arr, close_date, owner_name FROM opportunities WHERE opportunity_name ILIKE '%ixis%'",
      limits,
    );
    expect(result.columns).toEqual([
      'opportunity_name',
      'stage',
      'probability',
      'arr',
      'close_date',
      'owner_name',
    ]);
    expect(result.rows).toEqual([
      ['IXIS - Enterprise Platform', 'Negotiate', 75, 2_100_000, '2026-12-17', 'Sarah Johnson'],
    ]);

    const token = server.requests.find((r) => r.path === '/oauth/token');
    expect(Object.fromEntries(new URLSearchParams(token?.body))).toEqual({
      client_id: 'sa-client-id',
      client_secret: 'sa-client-secret',
      grant_type: 'client_credentials',
      audience: 'https://api.firebolt.io',
    });
    expect(
      server.requests.map((r) => `${r.method} ${r.path} ${r.body}`.trim()).slice(1, 4),
    ).toEqual([
      'GET /web/v3/account/revbot-test/engineUrl',
      'POST /query USE DATABASE "revenue"',
      'POST /query USE ENGINE "revbot_engine"',
    ]);
    const select = server.requests.at(-1);
    expect(select?.path).toBe('/engine');
    expect(select?.authorization).toMatch(/^Bearer token-\d+$/);
    expect(select?.query).toMatchObject({
      database: 'revenue',
      engine: 'revbot_engine',
      output_format: 'JSON_Compact',
      max_result_rows: '51',
      statement_timeout: '5000',
    });
  });

  it('returns what the embedded warehouse returns for a SQL pattern', async () => {
    const sql = renderSqlPattern(
      findSqlPattern(loadSqlPatterns(), 'pipeline-by-quarter-and-segment'),
      { quarter: '2026-Q4' },
    );
    const [viaFirebolt, direct] = await Promise.all([
      firebolt.query(sql, limits),
      embedded.query(sql, limits),
    ]);
    expect(viaFirebolt.rows).toEqual(direct.rows);
    expect(viaFirebolt.columns).toEqual(direct.columns);
  });

  it('marks a result cut at the row limit as truncated', async () => {
    const result = await firebolt.query('SELECT account_name FROM accounts ORDER BY account_name', {
      ...limits,
      maxRows: 4,
    });
    expect(result.rowCount).toBe(4);
    expect(result.truncated).toBe(true);
  });

  it('converts timestamps and big integers to JSON-safe values', async () => {
    const result = await firebolt.query(
      "SELECT CAST('2026-11-23 09:30:00' AS TIMESTAMP) AS ts, CAST(9007199254740993 AS BIGINT) AS huge, CAST(12.5 AS NUMERIC(18,2)) AS amount",
      limits,
    );
    expect(result.rows[0]).toEqual(['2026-11-23T09:30:00.000Z', '9007199254740993', 12.5]);
  });

  it('refuses unsafe SQL without sending anything to Firebolt', async () => {
    const before = server.requests.length;
    await expect(firebolt.query('DROP TABLE accounts', limits)).rejects.toBeInstanceOf(
      UnsafeSqlError,
    );
    expect(server.requests.length).toBe(before);
  });

  it("reports Firebolt's description of a SQL error", async () => {
    // The guard refuses columns it does not know, so the database must know less than the guard.
    const drifted = createFireboltWarehouse({
      ...settings,
      credentials,
      apiEndpoint: server.url,
      readableTables: [{ name: 'accounts', columns: [{ name: 'nope' }] }],
    });
    const error = await drifted
      .query('SELECT nope FROM accounts', limits)
      .catch((e) => e)
      .finally(() => drifted.close());
    expect(error).toBeInstanceOf(QueryFailedError);
    expect(error.message).toMatch(/Referenced column "nope" not found/);
  });

  it('maps a cancelled statement to a time-out', async () => {
    await expect(
      firebolt.query(
        'SELECT COUNT(*) FROM accounts a, accounts b, accounts c, accounts d WHERE a.health_score + b.health_score + c.health_score + d.health_score > 1000',
        { maxRows: 1, timeoutMs: 150 },
      ),
    ).rejects.toBeInstanceOf(QueryTimeoutError);
  });

  it.each([
    [429, { errors: [{ description: 'Too many requests' }] }],
    [503, { message: 'Engine is starting' }],
  ])('treats HTTP %i as retryable', async (status, body) => {
    server.failNextQuery({ status, body });
    const error = await firebolt.query('SELECT 1 AS one', limits).catch((e) => e);
    expect(error).toBeInstanceOf(WarehouseUnavailableError);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`HTTP ${status}`);
    // The next call reconnects and succeeds.
    expect((await firebolt.query('SELECT 1 AS one', limits)).rows).toEqual([[1]]);
  });

  it('re-authenticates when the access token has expired', async () => {
    const tokensBefore = server.requests.filter((r) => r.path === '/oauth/token').length;
    server.expireTokens();
    expect((await firebolt.query('SELECT 2 AS two', limits)).rows).toEqual([[2]]);
    expect(server.requests.filter((r) => r.path === '/oauth/token').length).toBe(tokensBefore + 1);
  });

  it('writes with server-side parameters, never splicing values into the SQL', async () => {
    const hostile = "Robert'); DROP TABLE deal_notes; --";
    await firebolt.write(
      'INSERT INTO deal_notes (note_id, opportunity_id, note_type, note, author, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, CAST($6 AS TIMESTAMP), CAST($7 AS TIMESTAMP))',
      [
        'fb-note-1',
        '006RB0000000001AAA',
        'General',
        hostile,
        'test',
        '2026-11-23 10:00:00',
        '2026-11-23 10:00:00',
      ],
    );
    const insert = server.requests.at(-1);
    expect(insert?.body).not.toContain('Robert');
    expect(JSON.parse(insert?.query.query_parameters ?? '[]')).toContainEqual({
      name: '$4',
      value: hostile,
    });
    const stored = await embedded.query(
      "SELECT note FROM deal_notes WHERE note_id = 'fb-note-1'",
      limits,
    );
    expect(stored.rows).toEqual([[hostile]]);
  });

  it('reports rejected credentials as an authentication error', async () => {
    const wrong = createFireboltWarehouse({
      ...settings,
      apiEndpoint: server.url,
      credentials: async () => ({ clientId: 'sa-client-id', clientSecret: 'wrong' }),
    });
    const error = await wrong.query('SELECT 1', limits).catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).not.toContain('wrong');
  });

  it('reports an unknown account as a configuration error', async () => {
    const lost = createFireboltWarehouse({
      ...settings,
      account: 'no-such-account',
      apiEndpoint: server.url,
      credentials,
    });
    await expect(lost.query('SELECT 1', limits)).rejects.toBeInstanceOf(ConfigError);
  });

  it('refuses to start without an account, database or engine', () => {
    expect(() => createFireboltWarehouse({ ...settings, engine: '', credentials })).toThrow(
      'Firebolt engine is not configured',
    );
  });
});
