/**
 * The read-only SQL guard both warehouse backends apply before a query leaves RevBot.
 *
 * Two layers, both refusing rather than repairing: the lexer (`sql-lexer.ts`) turns away
 * comments, second statements, special literals and non-ASCII text outside literals, and a word
 * scan names data-changing keywords plainly; then the allowlist (`allowed-select.ts`) reads the
 * statement as a SELECT and accepts only warehouse tables or CTEs, their columns and allowlisted
 * functions (`sql-functions.ts`). The backends add their own second line (DuckDB: a read-only
 * transaction and a SELECT-only prepared statement; Firebolt: a read-only service account).
 */
import { assertAllowedSelect, type GuardTable } from './allowed-select';
import { UnsafeSqlError } from './errors';
import type { SqlDialect } from './sql-functions';
import { lexSql } from './sql-lexer';
import { WAREHOUSE_TABLES } from './warehouse-tables';

export type { GuardTable } from './allowed-select';
export { ALLOWED_FUNCTIONS, type SqlDialect } from './sql-functions';
export { WAREHOUSE_TABLES } from './warehouse-tables';

export const MAX_QUERY_CHARS = 20_000;

export interface ReadOnlySqlOptions {
  /** Which engine runs the query; decides the dialect-only functions (default `duckdb`). */
  dialect?: SqlDialect;
  /** Tables the query may read (default: the documented schema, `WAREHOUSE_TABLES`). */
  tables?: readonly GuardTable[];
}

/** Words that change data, schema, session or files; named in the refusal when present. */
const FORBIDDEN_KEYWORDS = new Set([
  'ALTER',
  'ANALYZE',
  'ATTACH',
  'BEGIN',
  'CALL',
  'CANCEL',
  'CHECKPOINT',
  'COMMIT',
  'COPY',
  'CREATE',
  'DEALLOCATE',
  'DELETE',
  'DETACH',
  'DROP',
  'EXEC',
  'EXECUTE',
  'EXPORT',
  'GRANT',
  'IMPORT',
  'INSERT',
  'INSTALL',
  'INTO',
  'LOAD',
  'LOCK',
  'MERGE',
  'PRAGMA',
  'PREPARE',
  'REFRESH',
  'RELEASE',
  'RESET',
  'REVOKE',
  'ROLLBACK',
  'SAVEPOINT',
  'SET',
  'TRANSACTION',
  'TRUNCATE',
  'UNLOAD',
  'UPDATE',
  'UPSERT',
  'USE',
  'VACUUM',
]);

/**
 * Returns the statement, trimmed and without a trailing semicolon, if it is a single read-only
 * query over the warehouse tables; otherwise throws UnsafeSqlError saying what to change.
 */
export function assertReadOnlySql(input: string, options: ReadOnlySqlOptions = {}): string {
  const sql = input.trim();
  if (sql.length === 0) throw new UnsafeSqlError('the query is empty');
  if (sql.length > MAX_QUERY_CHARS) {
    throw new UnsafeSqlError(`the query is longer than ${MAX_QUERY_CHARS} characters`);
  }

  const { tokens, end } = lexSql(sql);
  const first = tokens[0];
  const startsRight =
    first?.kind === 'word' && ['SELECT', 'WITH'].includes(first.text.toUpperCase());
  if (!startsRight) {
    throw new UnsafeSqlError(
      `it must start with SELECT or WITH, not ${first ? JSON.stringify(first.text) : 'nothing'}`,
    );
  }
  for (const token of tokens) {
    const upper = token.text.toUpperCase();
    if (token.kind === 'word' && FORBIDDEN_KEYWORDS.has(upper)) {
      throw new UnsafeSqlError(`${upper} is not allowed in a read-only query`);
    }
  }

  assertAllowedSelect(tokens, {
    dialect: options.dialect ?? 'duckdb',
    tables: options.tables ?? WAREHOUSE_TABLES,
  });
  return sql.slice(0, end).trimEnd();
}
