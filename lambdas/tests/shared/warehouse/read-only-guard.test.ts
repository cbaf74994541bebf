import { loadSqlPatterns, renderSqlPattern } from '@revbot/agents/knowledge-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedWarehouse, type EmbeddedWarehouse } from '../../../shared/warehouse';
import { UnsafeSqlError } from '../../../shared/warehouse/errors';
import {
  assertReadOnlySql,
  type ReadOnlySqlOptions,
  type SqlDialect,
} from '../../../shared/warehouse/read-only-guard';

// Empty tables: enough for DuckDB to bind and run each accepted query.
let warehouse: EmbeddedWarehouse;
beforeAll(async () => {
  warehouse = await createEmbeddedWarehouse({ seed: false });
});
afterAll(async () => {
  await warehouse.close();
});

const refusal = (sql: string, options?: ReadOnlySqlOptions): string => {
  try {
    assertReadOnlySql(sql, options);
  } catch (error) {
    expect(error).toBeInstanceOf(UnsafeSqlError);
    return (error as Error).message;
  }
  throw new Error(`accepted: ${sql}`);
};

describe('the read-only SQL guard', () => {
  it.each([
    ['DROP TABLE accounts', /must start with SELECT or WITH, not "DROP"/],
    ['SELECT 1; DROP TABLE accounts', /more than one statement/],
    ['SELECT 1;DROP TABLE accounts;', /more than one statement/],
    ['SELECT 1;;', /more than one statement/],
    ['INSERT INTO deal_notes SELECT * FROM deal_notes', /must start with SELECT or WITH/],
    ['WITH x AS (SELECT 1) INSERT INTO lead_scores SELECT * FROM x', /INSERT is not allowed/],
    ['WITH d AS (DELETE FROM accounts RETURNING *) SELECT * FROM d', /DELETE is not allowed/],
    [
      'WITH u AS (UPDATE accounts SET health_score = 0 RETURNING 1) SELECT 1',
      /UPDATE is not allowed/,
    ],
    ['SELECT * INTO accounts_copy FROM accounts', /INTO is not allowed/],
    ["COPY accounts TO '/tmp/accounts.csv'", /must start with SELECT or WITH, not "COPY"/],
    ["SELECT 1 FROM (COPY accounts TO 'x')", /COPY is not allowed/],
    ['SELECT * FROM accounts /* ; DROP TABLE accounts */', /comments are not allowed/],
    ['SELECT * FROM accounts -- ; DROP TABLE accounts', /comments are not allowed/],
    ['SELECT 1 --\nDROP TABLE accounts', /comments are not allowed/],
    ['SELECT 1 /*/ DROP TABLE accounts /*/', /comments are not allowed/],
    ["SELECT * FROM read_csv('/etc/passwd')", /read_csv\(\) reads outside the warehouse/],
    ["SELECT * FROM READ_PARQUET ('s3://bucket/x.parquet')", /read_parquet\(\) reads outside/],
    ["SELECT * FROM query('DROP TABLE accounts')", /query\(\) reads outside/],
    ["SELECT getenv('AWS_SECRET_ACCESS_KEY')", /getenv\(\)/],
    ["SELECT * FROM '/etc/passwd'", /not given as a string after FROM/],
    ["SELECT * FROM accounts a JOIN 'x.csv' b ON true", /not given as a string after JOIN/],
    ["ATTACH 'evil.db' AS evil", /must start with SELECT or WITH/],
    [
      'SELECT 1 UNION SELECT 2 FROM accounts WHERE 1 = 1 AND EXISTS (SELECT 1) ; PRAGMA x',
      /more than one/,
    ],
    ['SET enable_external_access = true', /must start with SELECT or WITH, not "SET"/],
    ["SELECT account_id FROM accounts UNION ALL SELECT file FROM glob('/home/*')", /glob\(\)/],
    ['SELECT $$a$$', /character U\+0024 "\$" is not allowed/],
    ['SELECT * FROM accounts WHERE account_id = ?', /character U\+003F "\?" is not allowed/],
    ['SELECT `account_id` FROM accounts', /character U\+0060/],
    ['SELECT 1；DROP TABLE accounts', /U\+FF1B/],
    ['SELECT 1\u200b; DROP TABLE accounts', /U\+200B outside a string literal/],
    ['S\u0415LECT 1', /U\+0415 "Е"/],
    ['\uff24\uff32\uff2f\uff30 TABLE accounts', /U\+FF24/],
    ['SELECT\u00a01', /U\+00A0/],
    ["SELECT E'\\'' ; DROP TABLE accounts; --'", /special string literals such as E'…'/],
    ["SELECT U&'\\0044ROP'", /special string literals such as U&'…'/],
    ["SELECT 'a\\'' ; DROP TABLE accounts; --'", /backslash before a quote/],
    ["SELECT 'unterminated", /string literal is not closed/],
    ['SELECT "unterminated', /quoted identifier is not closed/],
    ["SELECT 'a\u0000b'", /control character U\+0000/],
    ['', /the query is empty/],
    ['   ;  ', /must start with SELECT or WITH/],
    ['CALL dbgen(sf = 1)', /must start with SELECT or WITH/],
    ['LOAD httpfs', /must start with SELECT or WITH/],
    ['EXPLAIN ANALYZE DELETE FROM accounts', /must start with SELECT or WITH/],
    ['(SELECT 1)', /must start with SELECT or WITH, not "\("/],
  ])('refuses %j', (sql, reason) => {
    expect(refusal(sql)).toMatch(reason);
  });

  it('refuses a query longer than 20,000 characters', () => {
    expect(refusal(`SELECT '${'x'.repeat(20_000)}'`)).toMatch(/longer than 20000 characters/);
  });

  it.each([
    [
      "SELECT account_name FROM accounts WHERE account_name ILIKE '%acme%';",
      "SELECT account_name FROM accounts WHERE account_name ILIKE '%acme%'",
    ],
    ["SELECT 'it''s fine'", "SELECT 'it''s fine'"],
    [
      "SELECT * FROM accounts WHERE account_name = 'DROP TABLE x; -- /* */'",
      "SELECT * FROM accounts WHERE account_name = 'DROP TABLE x; -- /* */'",
    ],
    [
      "SELECT * FROM accounts WHERE account_name = 'Société Générale'",
      "SELECT * FROM accounts WHERE account_name = 'Société Générale'",
    ],
    [
      'SELECT account_name AS "update", industry AS "set" FROM accounts',
      'SELECT account_name AS "update", industry AS "set" FROM accounts',
    ],
    [
      "SELECT regexp_replace(account_name, '\\s+', ' ') FROM accounts",
      "SELECT regexp_replace(account_name, '\\s+', ' ') FROM accounts",
    ],
    [
      'WITH open AS (SELECT * FROM opportunities WHERE is_closed = false)\nSELECT stage, SUM(arr) AS arr FROM open GROUP BY stage ORDER BY 2 DESC ;\n',
      'WITH open AS (SELECT * FROM opportunities WHERE is_closed = false)\nSELECT stage, SUM(arr) AS arr FROM open GROUP BY stage ORDER BY 2 DESC',
    ],
    [
      "select updated_at, created_at::date, created_at - INTERVAL '30 days' from accounts",
      "select updated_at, created_at::date, created_at - INTERVAL '30 days' from accounts",
    ],
  ])('accepts %j', (sql, normalized) => {
    expect(assertReadOnlySql(sql)).toBe(normalized);
  });

  it.each([
    // Functions that read files, the environment or run SQL, by any spelling
    [`SELECT "read_text"('/etc/passwd')`, /read_text\(\) reads outside the warehouse/],
    [`SELECT "READ_TEXT"('/etc/passwd')`, /read_text\(\) reads outside the warehouse/],
    [`SELECT main."getenv"('AWS_SECRET_ACCESS_KEY')`, /getenv\(\) reads outside/],
    [`SELECT main.getenv('HOME')`, /getenv\(\) reads outside/],
    [`SELECT * FROM main.read_csv('/etc/passwd')`, /read_csv\(\) reads outside/],
    [`SELECT * FROM "read_text"('/etc/passwd')`, /read_text\(\) reads outside/],
    [`SELECT * FROM query_table('accounts')`, /query_table\(\) reads outside/],
    [
      `SELECT json_execute_serialized_sql('{"statements":[]}')`,
      /json_execute_serialized_sql\(\) reads outside/,
    ],
    [
      `SELECT * FROM json_execute_serialized_sql(json_serialize_sql('SELECT 1'))`,
      /json_execute_serialized_sql\(\) reads outside/,
    ],
    [`SELECT * FROM accounts a JOIN query('SELECT 1') q ON true`, /query\(\) reads outside/],
    [`SELECT current_setting('access_mode')`, /current_setting\(\) reads outside/],
    [`SELECT * FROM duckdb_settings()`, /duckdb_settings\(\) reads outside/],
    [`SELECT version()`, /Function version is not allowed/],
    [`SELECT account_id FROM accounts WHERE md5(read_blob('x')) = ''`, /read_blob\(\) reads/],
    [
      `SELECT '/etc/passwd'.read_text()`,
      /the guard cannot read "\." after "SELECT '\/etc\/passwd'"/,
    ],
    [`SELECT account_name.upper() FROM accounts`, /call upper as upper\(…\) with its arguments/],
    [`SELECT * FROM accounts a, (SELECT a.account_id) b`, /"a" is not a table or alias/],
    // Tables given as strings or quoted paths, anywhere in FROM
    [`SELECT * FROM accounts, '/etc/passwd'`, /not given as a string after ","/],
    [`SELECT * FROM "/etc/passwd"`, /Table "\/etc\/passwd" is not in the warehouse schema/],
    [`SELECT * FROM accounts a, "data.csv" d`, /Table "data.csv" is not in the warehouse schema/],
    [
      `SELECT * FROM accounts a LEFT JOIN 's3://bucket/x.parquet' x ON true`,
      /not given as a string after JOIN/,
    ],
    [`SELECT * FROM (SELECT * FROM '/etc/passwd')`, /not given as a string after FROM/],
    // Unicode-escaped identifiers
    [String.raw`SELECT U&"\0072\0065ad_text"('/etc/passwd')`, /unicode-escaped identifiers/],
    [String.raw`SELECT * FROM U&"\0072ead_csv"('/etc/passwd')`, /unicode-escaped identifiers/],
    // Tables, columns and qualifiers outside the documented schema
    [
      `SELECT * FROM secrets`,
      /Table "secrets" is not in the warehouse schema; tables are: accounts,/,
    ],
    [`SELECT * FROM information_schema.tables`, /Table "information_schema.tables"/],
    [`SELECT * FROM main.accounts`, /without a schema prefix/],
    [`SELECT * FROM pg_catalog.pg_tables`, /not in the warehouse schema/],
    [`SELECT password FROM accounts`, /Column "password" is not in the tables of this query/],
    [`SELECT a.password FROM accounts a`, /Column "password" is not in accounts a/],
    [`SELECT x.account_id FROM accounts a`, /"x" is not a table or alias of this query/],
    [`SELECT account_id FROM accounts WHERE secret_col = 1`, /Column "secret_col"/],
    [`WITH t AS (SELECT account_id FROM accounts) SELECT t.current_arr FROM t`, /not in t/],
    [`SELECT 1 FROM accounts WHERE EXISTS (SELECT nope FROM users)`, /Column "nope"/],
    [`SELECT * FROM accounts, LATERAL (SELECT 1)`, /LATERAL is not allowed/],
    [`WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r`, /WITH RECURSIVE is not allowed/],
    [`SELECT * FROM (VALUES (1)) v`, /only a subquery may stand in parentheses/],
    [`SELECT account_id FROM accounts ORDER BY 1 LIMIT (SELECT 1)`, /expected a number/],
    [`SELECT CAST(account_id AS blob) FROM accounts`, /"blob" is not a type/],
    [`SELECT ${'('.repeat(200)}1${')'.repeat(200)}`, /nested more than 64 levels/],
    // Functions of the other dialect
    [
      `SELECT strftime(created_at, '%Y') FROM accounts`,
      /Function strftime is not allowed in Firebolt/,
      'firebolt',
    ],
    [
      `SELECT to_char(created_at, 'YYYY') FROM accounts`,
      /Function to_char is not allowed in DuckDB/,
    ],
    [
      `SELECT * FROM READ_CSV(url => 's3://bucket/x.csv')`,
      /read_csv\(\) reads outside/,
      'firebolt',
    ],
    [`SELECT * FROM list_objects('s3://bucket/')`, /list_objects\(\) reads outside/, 'firebolt'],
  ] as [string, RegExp, SqlDialect?][])('refuses the allowlist case %j', (sql, reason, dialect) => {
    expect(refusal(sql, { dialect })).toMatch(reason);
  });

  it.each([
    'SELECT account_name, current_arr FROM accounts ORDER BY current_arr DESC LIMIT 10 OFFSET 5',
    'SELECT "account_name" FROM "accounts"',
    'SELECT a.account_name, o.* FROM accounts AS a INNER JOIN opportunities AS o ON o.account_id = a.account_id',
    'SELECT a.account_name FROM accounts a LEFT OUTER JOIN contacts c USING (account_id) WHERE c.contact_id IS NULL',
    'SELECT segment, COUNT(*) AS n FROM accounts GROUP BY segment HAVING COUNT(*) > 1 ORDER BY n DESC',
    'SELECT DISTINCT industry FROM accounts WHERE industry IS NOT NULL',
    "SELECT CASE WHEN health_score >= 70 THEN 'healthy' WHEN health_score >= 40 THEN 'watch' ELSE 'risk' END AS band FROM accounts",
    'SELECT CAST(current_arr AS INTEGER), current_arr::DOUBLE PRECISION, CAST(health_score AS NUMERIC(5,2)) FROM accounts',
    'SELECT account_id, usage_week, SUM(active_users) OVER (PARTITION BY account_id ORDER BY usage_week ROWS BETWEEN 3 PRECEDING AND CURRENT ROW) AS rolling FROM product_usage',
    'SELECT lead_id, RANK() OVER (ORDER BY score DESC) FROM lead_scores',
    "SELECT * FROM opportunities WHERE close_date >= DATE '2026-10-01' AND close_date < DATE '2026-10-01' + INTERVAL '3 months'",
    "SELECT * FROM gong_calls WHERE started_at > TIMESTAMP '2026-01-01 00:00:00' - INTERVAL 30 DAY",
    "SELECT EXTRACT(YEAR FROM close_date) AS y, DATE_TRUNC('month', close_date) AS m FROM opportunities",
    'SELECT account_id FROM accounts UNION SELECT account_id FROM opportunities EXCEPT SELECT account_id FROM arr_history ORDER BY account_id',
    'SELECT account_id FROM accounts INTERSECT ALL SELECT account_id FROM contacts',
    'WITH won AS (SELECT account_id, SUM(arr) AS won_arr FROM opportunities WHERE is_won GROUP BY account_id), top AS (SELECT * FROM won WHERE won_arr > 0) SELECT a.account_name, top.won_arr FROM accounts a JOIN top ON top.account_id = a.account_id',
    'WITH t (id, arr) AS (SELECT account_id, current_arr FROM accounts) SELECT id, arr FROM t',
    'SELECT a.account_name, (SELECT COUNT(*) FROM contacts c WHERE c.account_id = a.account_id) AS contacts FROM accounts a',
    'SELECT account_name FROM accounts a WHERE EXISTS (SELECT 1 FROM opportunities o WHERE o.account_id = a.account_id AND NOT o.is_closed)',
    "SELECT account_name FROM accounts WHERE account_id IN (SELECT account_id FROM opportunities WHERE stage NOT IN ('Closed Won', 'Closed Lost'))",
    'SELECT owner_name, arr * probability / 100.0 AS weighted FROM opportunities WHERE probability BETWEEN 20 AND 80 AND -arr < 0 ORDER BY weighted DESC NULLS LAST',
    "SELECT full_name FROM leads WHERE company NOT ILIKE '%test%' AND email LIKE '%@%' OR rating IS DISTINCT FROM 'Cold'",
    'SELECT x.n FROM (SELECT COUNT(*) AS n FROM users) x CROSS JOIN (SELECT MAX(arr_month) AS m FROM arr_history) y',
    "SELECT COALESCE(NULLIF(TRIM(LOWER(title)), ''), 'none') AS t, ROUND(AVG(score), 2) FROM lead_scores s JOIN leads l ON l.lead_id = s.lead_id GROUP BY 1",
    "SELECT DATE_DIFF('day', created_date, close_date), CURRENT_DATE, CURRENT_TIMESTAMP FROM opportunities",
    'SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY current_arr) FROM accounts',
    "SELECT SUM(arr) FILTER (WHERE stage = 'Negotiate') FROM opportunities",
    "SELECT string_agg(account_name, ', ' ORDER BY account_name) FROM accounts",
  ])('accepts the legitimate query %j, which DuckDB runs', async (sql) => {
    expect(assertReadOnlySql(sql)).toBe(sql);
    const result = await warehouse.query(sql, { maxRows: 5, timeoutMs: 5_000 });
    expect(result.columns.length).toBeGreaterThan(0);
  });

  it('checks the SQL patterns of the knowledge base for Firebolt too', () => {
    for (const pattern of loadSqlPatterns()) {
      const values = Object.fromEntries(
        pattern.parameters.map((p) => [p.name, p.example ?? p.default]),
      );
      const sql = renderSqlPattern(pattern, values);
      expect(assertReadOnlySql(sql, { dialect: 'firebolt' })).toBe(sql);
    }
  });

  it('reads the tables it is given instead of the documented schema', () => {
    const tables = [{ name: 'notes', columns: [{ name: 'body' }] }];
    expect(assertReadOnlySql('SELECT body FROM notes', { tables })).toBe('SELECT body FROM notes');
    expect(refusal('SELECT * FROM accounts', { tables })).toMatch(/tables are: notes/);
  });

  it('tells the model what is allowed', () => {
    expect(refusal('DELETE FROM accounts')).toBe(
      'Query refused: it must start with SELECT or WITH, not "DELETE". Only one read-only SELECT (or WITH … SELECT) statement, without comments, can run.',
    );
  });
});
