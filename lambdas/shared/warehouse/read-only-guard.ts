/**
 * The read-only SQL guard both warehouse backends apply before a query leaves RevBot.
 *
 * It lexes the statement itself (string literals, quoted identifiers) instead of matching
 * patterns on raw text, and it refuses rather than repairs anything ambiguous: comments, a second
 * statement, escape-string prefixes, backslash-quote sequences, non-ASCII characters outside
 * literals (lookalike letters, full-width semicolons, zero-width spaces). What remains must start
 * with SELECT or WITH and contain no data-changing keyword or file/remote-reading function.
 * The backends add their own second line (DuckDB: a read-only transaction and a SELECT-only
 * prepared statement; Firebolt: a read-only service account).
 */
import { UnsafeSqlError } from './errors';

export const MAX_QUERY_CHARS = 20_000;

/** Words that change data, schema, session or files; none belongs in a read-only query. */
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

/** Table functions that read files, URLs, other databases or the environment. */
const FORBIDDEN_FUNCTION =
  /^(read_\w+|\w+_scan|glob|query|query_table|getenv|list_objects|sniff_csv|load_aws_credentials|which_secret|duckdb_secrets|parquet_\w+|iceberg_\w+|delta_\w+|sqlite_\w+|postgres_\w+|mysql_\w+|http_\w+|system)$/i;

/** Letters that turn the following quote into a special literal (E'…', X'…', U&'…'…). */
const LITERAL_PREFIXES = new Set(['E', 'X', 'B', 'N', 'U', 'R']);

/** ASCII punctuation allowed outside literals. */
const ALLOWED_PUNCTUATION = new Set([...',.()*+-/%<>=!|:[]{}~^&;']);

interface Token {
  kind: 'word' | 'number' | 'string' | 'identifier' | 'symbol';
  text: string;
}

/**
 * Returns the statement, trimmed and without a trailing semicolon, if it is a single read-only
 * query; otherwise throws UnsafeSqlError saying why.
 */
export function assertReadOnlySql(input: string): string {
  const sql = input.trim();
  if (sql.length === 0) throw new UnsafeSqlError('the query is empty');
  if (sql.length > MAX_QUERY_CHARS) {
    throw new UnsafeSqlError(`the query is longer than ${MAX_QUERY_CHARS} characters`);
  }

  const { tokens, end } = lex(sql);
  const first = tokens[0];
  const startsRight =
    first?.kind === 'word' && ['SELECT', 'WITH'].includes(first.text.toUpperCase());
  if (!startsRight) {
    throw new UnsafeSqlError(
      `it must start with SELECT or WITH, not ${first ? JSON.stringify(first.text) : 'nothing'}`,
    );
  }

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.kind !== 'word') continue;
    const upper = token.text.toUpperCase();
    if (FORBIDDEN_KEYWORDS.has(upper)) {
      throw new UnsafeSqlError(`${upper} is not allowed in a read-only query`);
    }
    const next = tokens[i + 1];
    if (next?.kind === 'symbol' && next.text === '(' && FORBIDDEN_FUNCTION.test(token.text)) {
      throw new UnsafeSqlError(
        `the function ${token.text.toLowerCase()}() reads outside the warehouse and is not allowed`,
      );
    }
    if ((upper === 'FROM' || upper === 'JOIN') && next?.kind === 'string') {
      throw new UnsafeSqlError(`tables must be named, not given as a string after ${upper}`);
    }
  }
  return sql.slice(0, end).trimEnd();
}

/** Splits the statement into tokens; `end` is where a single trailing semicolon starts. */
function lex(sql: string): { tokens: Token[]; end: number } {
  const tokens: Token[] = [];
  let end = sql.length;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    const code = ch.charCodeAt(0);

    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    if (code > 126 || code < 32) {
      throw new UnsafeSqlError(
        `it contains the character ${describeChar(sql, i)} outside a string literal; write plain ASCII SQL`,
      );
    }
    if ((ch === '-' && sql[i + 1] === '-') || (ch === '/' && sql[i + 1] === '*')) {
      throw new UnsafeSqlError('SQL comments are not allowed; remove them');
    }
    if (ch === ';') {
      if (sql.slice(i + 1).trim() !== '') {
        throw new UnsafeSqlError('it contains more than one statement; send a single statement');
      }
      end = i;
      break;
    }
    if (ch === "'") {
      const previous = tokens[tokens.length - 1];
      const adjacent = i > 0 && /[A-Za-z0-9_&]/.test(sql[i - 1] as string);
      if (
        adjacent &&
        previous?.kind === 'word' &&
        LITERAL_PREFIXES.has(previous.text.replace(/&$/, '').toUpperCase())
      ) {
        throw new UnsafeSqlError(
          `special string literals such as ${previous.text}'…' are not allowed; use a plain '…' string`,
        );
      }
      const close = readQuoted(sql, i, "'");
      tokens.push({ kind: 'string', text: sql.slice(i, close + 1) });
      i = close + 1;
      continue;
    }
    if (ch === '"') {
      const close = readQuoted(sql, i, '"');
      tokens.push({ kind: 'identifier', text: sql.slice(i, close + 1) });
      i = close + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_]/.test(sql[j] as string)) j++;
      // `U&'…'` is a unicode-escape string; keep the ampersand with the word to spot it.
      if (sql[j] === '&' && sql[j + 1] === "'") j++;
      tokens.push({ kind: 'word', text: sql.slice(i, j) });
      i = j;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      let j = i + 1;
      while (j < sql.length && /[0-9._eE]/.test(sql[j] as string)) j++;
      tokens.push({ kind: 'number', text: sql.slice(i, j) });
      i = j;
      continue;
    }
    if (ALLOWED_PUNCTUATION.has(ch)) {
      tokens.push({ kind: 'symbol', text: ch });
      i++;
      continue;
    }
    throw new UnsafeSqlError(
      `the character ${describeChar(sql, i)} is not allowed outside a string literal`,
    );
  }
  return { tokens, end };
}

/** Index of the quote closing the literal opened at `start`; a doubled quote is an escape. */
function readQuoted(sql: string, start: number, quote: "'" | '"'): number {
  let i = start + 1;
  while (i < sql.length) {
    const ch = sql[i] as string;
    const code = ch.charCodeAt(0);
    if ((code < 32 && ch !== '\t' && ch !== '\n' && ch !== '\r') || code === 127) {
      throw new UnsafeSqlError(`it contains the control character ${describeChar(sql, i)}`);
    }
    if (quote === "'" && ch === '\\' && sql[i + 1] === "'") {
      throw new UnsafeSqlError(
        "a backslash before a quote inside a string is ambiguous; write '' for a quote inside a string",
      );
    }
    if (ch === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i;
    }
    i++;
  }
  throw new UnsafeSqlError(
    quote === "'" ? 'a string literal is not closed' : 'a quoted identifier is not closed',
  );
}

function describeChar(sql: string, index: number): string {
  const point = sql.codePointAt(index) ?? 0;
  const hex = point.toString(16).toUpperCase().padStart(4, '0');
  const char = String.fromCodePoint(point);
  const visible = /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(char);
  return `U+${hex}${visible ? ` "${char}"` : ''}`;
}
