/**
 * The tokenizer behind the read-only SQL guard. It reads string literals and quoted identifiers
 * itself so no later check is fooled by text inside them, and it refuses rather than repairs
 * anything ambiguous: comments, a second statement, escape-string prefixes (`E'…'`, `U&'…'`),
 * unicode-escaped identifiers (`U&"…"`), backslash-quote sequences and non-ASCII characters
 * outside literals (lookalike letters, full-width semicolons, zero-width spaces).
 */
import { UnsafeSqlError } from './errors';

export interface SqlToken {
  kind: 'word' | 'number' | 'string' | 'identifier' | 'symbol';
  text: string;
}

/** Letters that turn the following quote into a special literal (E'…', X'…', U&'…'…). */
const LITERAL_PREFIXES = new Set(['E', 'X', 'B', 'N', 'U', 'R']);

/** ASCII punctuation allowed outside literals. */
const ALLOWED_PUNCTUATION = new Set([...',.()*+-/%<>=!|:[]{}~^&;']);

/** Operators read as one token. */
const TWO_CHAR_OPERATORS = new Set(['<=', '>=', '<>', '!=', '||', '::']);

const WORD_START = /[A-Za-z_]/;
const WORD_PART = /[A-Za-z0-9_]/;

/** Splits the statement into tokens; `end` is where a single trailing semicolon starts. */
export function lexSql(sql: string): { tokens: SqlToken[]; end: number } {
  const tokens: SqlToken[] = [];
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
      const previous = tokens[tokens.length - 1];
      if (previous?.text === '&' && /^u$/i.test(tokens[tokens.length - 2]?.text ?? '')) {
        throw new UnsafeSqlError(
          'unicode-escaped identifiers such as U&"…" are not allowed; write the name in plain letters',
        );
      }
      const close = readQuoted(sql, i, '"');
      tokens.push({ kind: 'identifier', text: sql.slice(i, close + 1) });
      i = close + 1;
      continue;
    }
    if (WORD_START.test(ch)) {
      let j = i + 1;
      while (j < sql.length && WORD_PART.test(sql[j] as string)) j++;
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
      const pair = sql.slice(i, i + 2);
      const text = TWO_CHAR_OPERATORS.has(pair) ? pair : ch;
      tokens.push({ kind: 'symbol', text });
      i += text.length;
      continue;
    }
    throw new UnsafeSqlError(
      `the character ${describeChar(sql, i)} is not allowed outside a string literal`,
    );
  }
  return { tokens, end };
}

/** The name a quoted identifier stands for: quotes removed, doubled quotes undone. */
export function unquoteIdentifier(text: string): string {
  return text.slice(1, -1).replaceAll('""', '"');
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
