/**
 * The warehouse schema as documented in `knowledge_base/firebolt_schema/` (one markdown file per
 * table, one row per column). The embedded warehouse is created from it, so the documentation
 * the agents retrieve and the tables the tools query cannot drift apart.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@revbot/core';

export const KNOWLEDGE_BASE_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../knowledge_base',
);
export const FIREBOLT_SCHEMA_DIR = path.join(KNOWLEDGE_BASE_DIR, 'firebolt_schema');

/**
 * The competitors the warehouse tracks in calls and deals: the values of
 * `opportunities.primary_competitor` (`firebolt_schema/opportunities.md`).
 */
export const COMPETITORS: readonly string[] = [
  'Snowflake',
  'Databricks',
  'Google BigQuery',
  'Amazon Redshift',
  'ClickHouse',
];

/** Firebolt column types the schema may use; each is also valid DuckDB. */
export const COLUMN_TYPE =
  /^(TEXT|INTEGER|BIGINT|NUMERIC\(\d{1,2},\d{1,2}\)|DOUBLE PRECISION|DATE|TIMESTAMP|BOOLEAN)$/;

export interface ColumnSchema {
  name: string;
  /** Firebolt type as documented, e.g. `NUMERIC(18,2)`. */
  type: string;
  nullable: boolean;
  description: string;
}

export interface TableSchema {
  name: string;
  description: string;
  columns: ColumnSchema[];
  /** Markdown file the table is documented in. */
  file: string;
}

const NAME = /^[a-z][a-z0-9_]*$/;

/** Reads every table file of the schema folder (README.md is the index, not a table). */
export function loadWarehouseSchema(dir: string = FIREBOLT_SCHEMA_DIR): TableSchema[] {
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.md') && file.toLowerCase() !== 'readme.md')
    .sort();
  return files.map((file) => parseTableDoc(readFileSync(path.join(dir, file), 'utf8'), file));
}

/** Parses one table document: `# name`, a description, and a `| column | type | nullable | description |` table. */
export function parseTableDoc(markdown: string, file: string): TableSchema {
  const lines = markdown.split(/\r?\n/);
  const title = lines.find((line) => line.startsWith('# '));
  const name = title?.slice(2).trim() ?? '';
  if (!NAME.test(name))
    throw new ConfigError(`${file}: the first heading must be "# <table_name>"`);
  if (`${name}.md` !== file)
    throw new ConfigError(`${file}: documents table ${name}; name the file ${name}.md`);

  const headerIndex = lines.findIndex((line) =>
    /^\|\s*column\s*\|\s*type\s*\|\s*nullable\s*\|\s*description\s*\|$/i.test(line.trim()),
  );
  if (headerIndex < 0)
    throw new ConfigError(`${file}: no "| column | type | nullable | description |" table`);

  const titleIndex = lines.indexOf(title as string);
  const description = lines
    .slice(titleIndex + 1, headerIndex)
    .filter((line) => line.trim() && !/^primary key:/i.test(line.trim()))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();

  const columns: ColumnSchema[] = [];
  for (let i = headerIndex + 2; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (!line.startsWith('|')) break;
    const cells = line
      .slice(1, line.endsWith('|') ? -1 : undefined)
      .split('|')
      .map((cell) => cell.trim());
    const [column, type, nullable, ...rest] = cells;
    const where = `${file} line ${i + 1}`;
    if (!column || !NAME.test(column))
      throw new ConfigError(`${where}: bad column name "${column}"`);
    if (!type || !COLUMN_TYPE.test(type))
      throw new ConfigError(`${where}: unsupported type "${type}"`);
    if (nullable !== 'yes' && nullable !== 'no') {
      throw new ConfigError(`${where}: nullable must be "yes" or "no"`);
    }
    if (columns.some((c) => c.name === column))
      throw new ConfigError(`${where}: duplicate column ${column}`);
    columns.push({ name: column, type, nullable: nullable === 'yes', description: rest.join('|') });
  }
  if (columns.length === 0) throw new ConfigError(`${file}: the column table is empty`);
  return { name, description, columns, file };
}

/** `CREATE TABLE` for one documented table, valid in both Firebolt and DuckDB. */
export function createTableSql(table: TableSchema): string {
  const columns = table.columns.map(
    (column) => `  ${column.name} ${column.type} ${column.nullable ? 'NULL' : 'NOT NULL'}`,
  );
  return `CREATE TABLE ${table.name} (\n${columns.join(',\n')}\n)`;
}
