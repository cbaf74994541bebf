/**
 * The SQL patterns of `knowledge_base/sql_patterns/`, machine-readable: one `## pattern-id`
 * section per pattern with a description, the questions it answers, typed parameters and one
 * `sql` block with `{{param}}` placeholders. The offline model picks a pattern by id and renders
 * it with `renderSqlPattern`, which turns each value into a safely quoted literal; the result
 * still goes through the read-only guard like any other query.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@revbot/core';
import { ToolInputError } from '../action-group/tool-errors';
import { KNOWLEDGE_BASE_DIR } from './warehouse-schema';

export const SQL_PATTERNS_DIR = path.join(KNOWLEDGE_BASE_DIR, 'sql_patterns');

export type SqlPatternParameterType = 'text' | 'integer' | 'number' | 'date' | 'quarter' | 'enum';

export interface SqlPatternParameter {
  name: string;
  type: SqlPatternParameterType;
  /** Allowed values of an `enum` parameter. */
  values?: string[];
  /** Optional parameters have a default; required ones do not. */
  required: boolean;
  default?: string;
  /** A value known to return rows from the embedded warehouse (used by tests and docs). */
  example?: string;
  description: string;
}

export interface SqlPattern {
  id: string;
  description: string;
  /** Example questions the pattern answers. */
  questions: string[];
  parameters: SqlPatternParameter[];
  /** The template, with `{{name}}` placeholders. */
  sql: string;
  /** File the pattern is defined in. */
  file: string;
}

export type SqlPatternValues = Record<string, string | number | undefined>;

const ID = /^[a-z][a-z0-9-]*$/;
const PARAM_LINE = /^- `([a-z][a-z0-9_]*)` \(([^)]*)\):\s*(.*)$/;
const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9_]*)\s*\}\}/g;
const MAX_TEXT_CHARS = 200;

/** Every pattern of every markdown file in the folder (README.md describes the format). */
export function loadSqlPatterns(dir: string = SQL_PATTERNS_DIR): SqlPattern[] {
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.md') && file.toLowerCase() !== 'readme.md')
    .sort();
  const patterns = files.flatMap((file) =>
    parseSqlPatterns(readFileSync(path.join(dir, file), 'utf8'), file),
  );
  const seen = new Set<string>();
  for (const pattern of patterns) {
    if (seen.has(pattern.id)) throw new ConfigError(`SQL pattern ${pattern.id} is defined twice`);
    seen.add(pattern.id);
  }
  return patterns;
}

/** The pattern with this id; a ToolInputError listing the known ids otherwise. */
export function findSqlPattern(patterns: readonly SqlPattern[], id: string): SqlPattern {
  const pattern = patterns.find((p) => p.id === id);
  if (!pattern) {
    throw new ToolInputError(
      `Unknown SQL pattern "${id}". Known patterns: ${patterns.map((p) => p.id).join(', ')}.`,
    );
  }
  return pattern;
}

/** Parses the `## id` sections of one markdown file. */
export function parseSqlPatterns(markdown: string, file: string): SqlPattern[] {
  const sections = markdown.split(/^## /m).slice(1);
  return sections.map((section) => parseSection(section, file));
}

function parseSection(section: string, file: string): SqlPattern {
  const lines = section.split(/\r?\n/);
  const id = (lines[0] ?? '').trim();
  const where = `${file} pattern ${id}`;
  if (!ID.test(id))
    throw new ConfigError(`${file}: pattern heading "${id}" must be a lowercase id`);

  const sqlStart = lines.findIndex((line) => line.trim() === '```sql');
  const sqlEnd = lines.findIndex((line, i) => i > sqlStart && line.trim() === '```');
  if (sqlStart < 0 || sqlEnd < 0) throw new ConfigError(`${where}: needs one \`\`\`sql block`);
  const sql = lines
    .slice(sqlStart + 1, sqlEnd)
    .join('\n')
    .trim();
  if (lines.slice(sqlEnd + 1).some((line) => line.trim() === '```sql')) {
    throw new ConfigError(`${where}: has more than one sql block`);
  }

  const body = lines.slice(1, sqlStart);
  const questionsAt = body.findIndex((line) => line.trim() === 'Questions:');
  const parametersAt = body.findIndex((line) => line.trim() === 'Parameters:');
  const descriptionEnd = [questionsAt, parametersAt].filter((i) => i >= 0);
  const description = body
    .slice(0, descriptionEnd.length > 0 ? Math.min(...descriptionEnd) : body.length)
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!description) throw new ConfigError(`${where}: needs a description`);

  const listAfter = (start: number) => {
    if (start < 0) return [];
    const items: string[] = [];
    for (const line of body.slice(start + 1)) {
      if (line.startsWith('- ')) items.push(line);
      else if (line.trim() !== '') break;
    }
    return items;
  };
  const questions = listAfter(questionsAt).map((line) => line.slice(2).trim());
  const parameters = listAfter(parametersAt).map((line) => parseParameter(line, where));

  const used = new Set([...sql.matchAll(PLACEHOLDER)].map((m) => m[1] as string));
  for (const name of used) {
    if (!parameters.some((p) => p.name === name)) {
      throw new ConfigError(`${where}: {{${name}}} is not a declared parameter`);
    }
  }
  for (const parameter of parameters) {
    if (!used.has(parameter.name)) {
      throw new ConfigError(`${where}: parameter ${parameter.name} is never used`);
    }
  }
  return { id, description, questions, parameters, sql, file };
}

/** `- \`name\` (type[, default V][, example V]): description` */
function parseParameter(line: string, where: string): SqlPatternParameter {
  const match = PARAM_LINE.exec(line.trim());
  if (!match) throw new ConfigError(`${where}: cannot read parameter line "${line}"`);
  const [, name, spec, description] = match as unknown as [string, string, string, string];
  const parts = spec.split(',').map((part) => part.trim());
  const typeSpec = parts[0] ?? '';
  let type: SqlPatternParameterType;
  let values: string[] | undefined;
  if (typeSpec.startsWith('one of ')) {
    type = 'enum';
    values = typeSpec
      .slice('one of '.length)
      .split('|')
      .map((v) => v.trim());
  } else if (['text', 'integer', 'number', 'date', 'quarter'].includes(typeSpec)) {
    type = typeSpec as SqlPatternParameterType;
  } else {
    throw new ConfigError(`${where}: parameter ${name} has unknown type "${typeSpec}"`);
  }
  let defaultValue: string | undefined;
  let example: string | undefined;
  for (const part of parts.slice(1)) {
    const [key, ...rest] = part.split(' ');
    const value = unquote(rest.join(' ').trim());
    if (key === 'default') defaultValue = value;
    else if (key === 'example') example = value;
    else throw new ConfigError(`${where}: parameter ${name} has unknown option "${part}"`);
  }
  const parameter: SqlPatternParameter = {
    name,
    type,
    ...(values ? { values } : {}),
    required: defaultValue === undefined,
    ...(defaultValue !== undefined ? { default: defaultValue } : {}),
    ...(example !== undefined ? { example } : {}),
    description: description.trim(),
  };
  // Defaults and examples must themselves be valid values.
  for (const value of [defaultValue, example]) {
    if (value !== undefined) sqlLiteral(parameter, value);
  }
  return parameter;
}

const unquote = (value: string) =>
  value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;

/**
 * The pattern's SQL with each `{{param}}` replaced by a literal of the parameter's type. Missing
 * optional parameters take their default; a missing required or invalid value is a
 * ToolInputError naming the parameter.
 */
export function renderSqlPattern(pattern: SqlPattern, values: SqlPatternValues = {}): string {
  const unknown = Object.keys(values).filter(
    (key) => values[key] !== undefined && !pattern.parameters.some((p) => p.name === key),
  );
  if (unknown.length > 0) {
    throw new ToolInputError(
      `Pattern ${pattern.id} has no parameter ${unknown.join(', ')}; it takes ${
        pattern.parameters.map((p) => p.name).join(', ') || 'no parameters'
      }.`,
    );
  }
  const literals = new Map<string, string>();
  for (const parameter of pattern.parameters) {
    const given = values[parameter.name];
    const value = given === undefined ? parameter.default : String(given);
    if (value === undefined) {
      throw new ToolInputError(
        `Pattern ${pattern.id} needs ${parameter.name}: ${parameter.description}`,
      );
    }
    literals.set(parameter.name, sqlLiteral(parameter, value));
  }
  return pattern.sql.replace(PLACEHOLDER, (_match, name: string) => literals.get(name) as string);
}

/** One value as a SQL literal of the parameter's type. */
export function sqlLiteral(parameter: SqlPatternParameter, value: string): string {
  const bad = (what: string) =>
    new ToolInputError(
      `Parameter ${parameter.name} must be ${what} (got ${JSON.stringify(value)}).`,
    );
  switch (parameter.type) {
    case 'integer': {
      if (!/^-?\d{1,15}$/.test(value.trim())) throw bad('an integer');
      return String(Number(value.trim()));
    }
    case 'number': {
      const n = Number(value.trim());
      if (value.trim() === '' || !Number.isFinite(n)) throw bad('a number');
      return String(n);
    }
    case 'date': {
      const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
      const date = match ? new Date(`${value.trim()}T00:00:00Z`) : undefined;
      if (
        !match ||
        !date ||
        Number.isNaN(date.getTime()) ||
        date.toISOString().slice(0, 10) !== value.trim()
      ) {
        throw bad('a date like 2026-10-01');
      }
      return `DATE '${value.trim()}'`;
    }
    case 'quarter': {
      if (!/^\d{4}-Q[1-4]$/.test(value.trim())) throw bad('a quarter like 2026-Q4');
      return quote(value.trim());
    }
    case 'enum': {
      if (!parameter.values?.includes(value)) throw bad(`one of ${parameter.values?.join(', ')}`);
      return quote(value);
    }
    case 'text': {
      if (value.length > MAX_TEXT_CHARS) throw bad(`at most ${MAX_TEXT_CHARS} characters`);
      // Backslashes and control characters have no business in a name; refusing them keeps the
      // literal unambiguous whatever the engine's escape rules.
      if (/[\\\p{Cc}]/u.test(value)) throw bad('text without backslashes or control characters');
      return quote(value);
    }
  }
}

const quote = (value: string) => `'${value.replaceAll("'", "''")}'`;
