import { describe, expect, it } from 'vitest';
import { UnsafeSqlError } from '../../../shared/warehouse/errors';
import { assertReadOnlySql } from '../../../shared/warehouse/read-only-guard';

const refusal = (sql: string): string => {
  try {
    assertReadOnlySql(sql);
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
    ['SELECT "update", "set" FROM accounts', 'SELECT "update", "set" FROM accounts'],
    [
      "SELECT regexp_replace(account_name, '\\s+', ' ') FROM accounts",
      "SELECT regexp_replace(account_name, '\\s+', ' ') FROM accounts",
    ],
    [
      'WITH open AS (SELECT * FROM opportunities WHERE is_closed = false)\nSELECT stage, SUM(arr) AS arr FROM open GROUP BY stage ORDER BY 2 DESC ;\n',
      'WITH open AS (SELECT * FROM opportunities WHERE is_closed = false)\nSELECT stage, SUM(arr) AS arr FROM open GROUP BY stage ORDER BY 2 DESC',
    ],
    [
      "select updated_at, created_at::date, close_date - INTERVAL '30 days' from opportunities",
      "select updated_at, created_at::date, close_date - INTERVAL '30 days' from opportunities",
    ],
  ])('accepts %j', (sql, normalized) => {
    expect(assertReadOnlySql(sql)).toBe(normalized);
  });

  it('tells the model what is allowed', () => {
    expect(refusal('DELETE FROM accounts')).toBe(
      'Query refused: it must start with SELECT or WITH, not "DELETE". Only one read-only SELECT (or WITH … SELECT) statement, without comments, can run.',
    );
  });
});
