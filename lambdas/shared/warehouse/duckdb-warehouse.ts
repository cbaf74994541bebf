/**
 * The embedded warehouse: DuckDB in memory, created from the documented schema and seeded with the
 * generated revenue dataset. Used by `pnpm dev`, the tests and the benchmarks, never by a Lambda:
 * `@duckdb/node-api` is a native module loaded with a dynamic import, so Lambda bundles, which mark
 * it external, never need it.
 *
 * Defence in depth behind the shared read-only guard: external access (files, URLs, extensions)
 * is disabled and the configuration locked once seeded; every query runs in a READ ONLY
 * transaction on its own connection and must prepare as exactly one SELECT statement.
 */
import type {
  DuckDBConnection,
  DuckDBInstance,
  DuckDBPreparedStatement,
  DuckDBType,
} from '@duckdb/node-api';
import {
  createTableSql,
  loadWarehouseSchema,
  type TableSchema,
} from '@revbot/agents/knowledge-base';
import { ConfigError } from '@revbot/core';
import { QueryFailedError, QueryTimeoutError, UnsafeSqlError } from './errors';
import { assertReadOnlySql, type GuardTable } from './read-only-guard';
import {
  generateRevenueDataset,
  type RevenueDataset,
  type RevenueDatasetOptions,
  type Row,
} from './seed/revenue-dataset';
import type { QueryOptions, QueryResult, SqlValue, Warehouse, WriteResult } from './types';

export interface EmbeddedWarehouseOptions {
  /** Schema folder (default `knowledge_base/firebolt_schema`). */
  schemaDir?: string;
  /** Seed with the generated dataset (default true); pass a dataset to reuse one already built. */
  seed?: boolean | RevenueDatasetOptions | RevenueDataset;
  /** DuckDB worker threads (default 2). */
  threads?: number;
  /**
   * Tables the read-only guard lets queries read.
   * @default the tables of `schemaDir`
   */
  readableTables?: readonly GuardTable[];
}

export interface EmbeddedWarehouse extends Warehouse {
  readonly backend: 'duckdb';
  readonly schema: TableSchema[];
  /** The data it was seeded with, if any. */
  readonly dataset?: RevenueDataset;
  /**
   * Runs any statement without the read-only guard, for local stand-ins of other engines (the
   * Firebolt API test server). Tools only ever see the Warehouse interface, never this.
   */
  runUnguarded(
    sql: string,
    params: readonly SqlValue[],
    options?: Partial<QueryOptions>,
  ): Promise<UnguardedResult>;
}

export interface UnguardedResult {
  columns: { name: string; type: string }[];
  rows: SqlValue[][];
  rowsChanged: number;
}

const SELECT_STATEMENT = 1; // duckdb StatementType.SELECT

export async function createEmbeddedWarehouse(
  options: EmbeddedWarehouseOptions = {},
): Promise<EmbeddedWarehouse> {
  const duckdb = await loadDuckDb();
  const schema = loadWarehouseSchema(options.schemaDir);
  const instance = await duckdb.DuckDBInstance.create(':memory:', {
    threads: String(options.threads ?? 2),
    enable_external_access: 'false',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const dataset =
    options.seed === false
      ? undefined
      : isDataset(options.seed)
        ? options.seed
        : generateRevenueDataset(typeof options.seed === 'object' ? options.seed : {});

  const setup = await instance.connect();
  try {
    for (const table of schema) await setup.run(createTableSql(table));
    if (dataset) await seedTables(setup, schema, dataset);
    await setup.run('SET lock_configuration = true');
  } finally {
    setup.closeSync();
  }
  return new DuckDbWarehouse(instance, schema, options.readableTables ?? schema, dataset);
}

async function loadDuckDb(): Promise<typeof import('@duckdb/node-api')> {
  try {
    return await import('@duckdb/node-api');
  } catch (error) {
    throw new ConfigError(
      `The embedded warehouse needs @duckdb/node-api (${error instanceof Error ? error.message : error})`,
    );
  }
}

function isDataset(value: unknown): value is RevenueDataset {
  return typeof value === 'object' && value !== null && 'tables' in value && 'asOf' in value;
}

/**
 * Inserts every row through DuckDB's appender (it casts text to DATE/TIMESTAMP and numbers to the
 * column type), checking each row against the documented columns first.
 */
async function seedTables(
  connection: DuckDBConnection,
  schema: TableSchema[],
  dataset: RevenueDataset,
): Promise<void> {
  const byName = new Map(schema.map((table) => [table.name, table]));
  for (const [tableName, rows] of Object.entries(dataset.tables) as [string, Row[]][]) {
    const table = byName.get(tableName);
    if (!table)
      throw new ConfigError(`Seed data for ${tableName}, which the schema does not document`);
    for (const row of rows) assertRowMatches(table, row);
    const appender = await connection.createAppender(table.name);
    try {
      for (const row of rows) {
        for (const column of table.columns) {
          const value = row[column.name] ?? null;
          if (value === null) appender.appendNull();
          else if (typeof value === 'string') appender.appendVarchar(value);
          else if (typeof value === 'boolean') appender.appendBoolean(value);
          else appender.appendDouble(value);
        }
        appender.endRow();
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }
}

function assertRowMatches(table: TableSchema, row: Row): void {
  for (const key of Object.keys(row)) {
    if (!table.columns.some((c) => c.name === key)) {
      throw new ConfigError(
        `Seed row for ${table.name} has column ${key}, which is not documented`,
      );
    }
  }
  for (const column of table.columns) {
    if (!column.nullable && (row[column.name] === undefined || row[column.name] === null)) {
      throw new ConfigError(
        `Seed row for ${table.name} leaves NOT NULL column ${column.name} empty`,
      );
    }
  }
}

class DuckDbWarehouse implements EmbeddedWarehouse {
  readonly backend = 'duckdb' as const;
  private closed = false;

  constructor(
    private readonly instance: DuckDBInstance,
    readonly schema: TableSchema[],
    private readonly readableTables: readonly GuardTable[],
    readonly dataset?: RevenueDataset,
  ) {}

  async query(sql: string, options: QueryOptions): Promise<QueryResult> {
    const statement = assertReadOnlySql(sql, { dialect: 'duckdb', tables: this.readableTables });
    const connection = await this.connect();
    const started = performance.now();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      connection.interrupt();
    }, options.timeoutMs);
    let prepared: DuckDBPreparedStatement | undefined;
    try {
      await connection.run('BEGIN TRANSACTION READ ONLY');
      prepared = await this.prepareSingleSelect(connection, statement);
      const reader = await prepared.streamAndReadUntil(options.maxRows + 1);
      const types = reader.columnTypes();
      const rows = reader
        .getRowsJS()
        .slice(0, options.maxRows + 1)
        .map((row) => row.map((value, i) => toSqlValue(value, types[i])));
      const truncated = rows.length > options.maxRows;
      const kept = truncated ? rows.slice(0, options.maxRows) : rows;
      return {
        columns: reader.deduplicatedColumnNames(),
        rows: kept,
        rowCount: kept.length,
        truncated,
        executionMs: Math.round((performance.now() - started) * 100) / 100,
      };
    } catch (error) {
      if (timedOut) throw new QueryTimeoutError(options.timeoutMs);
      if (error instanceof UnsafeSqlError) throw error;
      throw new QueryFailedError(duckDbMessage(error));
    } finally {
      clearTimeout(timer);
      prepared?.destroySync();
      await connection.run('ROLLBACK').catch(() => undefined);
      connection.closeSync();
    }
  }

  async write(sql: string, params: readonly SqlValue[]): Promise<WriteResult> {
    const connection = await this.connect();
    try {
      const result = await connection.run(sql, [...params]);
      return { rowsAffected: result.rowsChanged };
    } catch (error) {
      throw new QueryFailedError(duckDbMessage(error));
    } finally {
      connection.closeSync();
    }
  }

  async runUnguarded(
    sql: string,
    params: readonly SqlValue[],
    options: Partial<QueryOptions> = {},
  ): Promise<UnguardedResult> {
    const connection = await this.connect();
    let timedOut = false;
    const timer =
      options.timeoutMs && options.timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            connection.interrupt();
          }, options.timeoutMs)
        : undefined;
    try {
      const reader =
        options.maxRows && options.maxRows > 0
          ? await connection.streamAndReadUntil(sql, options.maxRows, [...params])
          : await connection.runAndReadAll(sql, [...params]);
      const types = reader.columnTypes();
      const rows = reader
        .getRowsJS()
        .slice(0, options.maxRows && options.maxRows > 0 ? options.maxRows : undefined)
        .map((row) => row.map((value, i) => toSqlValue(value, types[i])));
      return {
        columns: reader.columnNames().map((name, i) => ({ name, type: String(types[i] ?? '') })),
        rows,
        rowsChanged: reader.rowsChanged,
      };
    } catch (error) {
      if (timedOut) throw new QueryTimeoutError(options.timeoutMs ?? 0);
      throw new QueryFailedError(duckDbMessage(error));
    } finally {
      clearTimeout(timer);
      connection.closeSync();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.instance.closeSync();
  }

  private async connect(): Promise<DuckDBConnection> {
    if (this.closed) throw new ConfigError('The embedded warehouse is closed');
    return this.instance.connect();
  }

  /** DuckDB's own parser must agree with the guard: exactly one statement, and a SELECT. */
  private async prepareSingleSelect(
    connection: DuckDBConnection,
    sql: string,
  ): Promise<DuckDBPreparedStatement> {
    const extracted = await connection.extractStatements(sql);
    if (extracted.count !== 1) {
      throw new UnsafeSqlError('it contains more than one statement; send a single statement');
    }
    const prepared = await extracted.prepare(0);
    if (prepared.statementType !== SELECT_STATEMENT) {
      prepared.destroySync();
      throw new UnsafeSqlError('only SELECT statements can run');
    }
    return prepared;
  }
}

/** BigInt, DECIMAL, DATE and TIMESTAMP values made JSON-safe at the boundary. */
function toSqlValue(value: unknown, type: DuckDBType | undefined): SqlValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  }
  if (value instanceof Date) {
    return type?.toString() === 'DATE' ? value.toISOString().slice(0, 10) : value.toISOString();
  }
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
    return value;
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return JSON.stringify(value, (_key, inner) =>
    typeof inner === 'bigint' ? inner.toString() : inner,
  );
}

/** DuckDB's message without the caret diagram, which means nothing to the model. */
function duckDbMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n\nLINE ')[0]?.split('\n')[0]?.trim() || 'unknown error';
}
