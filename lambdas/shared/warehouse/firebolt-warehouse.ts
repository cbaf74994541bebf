/**
 * The production warehouse: Firebolt through the official Node SDK (`firebolt-sdk`), with a
 * service account (client id and secret read from Secrets Manager on first use), and the account,
 * database and engine from configuration. The API endpoint is configurable so tests can point the
 * real SDK at a local server speaking Firebolt's auth and query API.
 *
 * Reads go through the shared read-only guard, then run with Firebolt's own `max_result_rows`
 * (one more than asked, to detect truncation) and `statement_timeout` settings. Writes use
 * server-side prepared statements (`$1`… bound by Firebolt), so values never enter the SQL text.
 * Give the query tool's service account a read-only role, and the writer's one INSERT/UPDATE on
 * its three tables only.
 */

import { AuthenticationError, ConfigError, readJsonSecret, type SecretReader } from '@revbot/core';
import { type Connection, Firebolt } from 'firebolt-sdk';
import { z } from 'zod';
import {
  QueryFailedError,
  QueryTimeoutError,
  UnsafeSqlError,
  WarehouseUnavailableError,
} from './errors';
import { assertReadOnlySql, type GuardTable } from './read-only-guard';
import type { QueryOptions, QueryResult, SqlValue, Warehouse, WriteResult } from './types';

export const DEFAULT_FIREBOLT_API_ENDPOINT = 'api.app.firebolt.io';

export interface FireboltCredentials {
  clientId: string;
  clientSecret: string;
}

export interface FireboltWarehouseOptions {
  /** Reads the service account's credentials; called when a connection is (re)established. */
  credentials: () => Promise<FireboltCredentials>;
  account: string;
  database: string;
  engine: string;
  /** `api.app.firebolt.io` unless overridden (a host, or a URL for a stand-in). */
  apiEndpoint?: string;
  /** Extra time the client waits beyond the server-side statement timeout (default 2 s). */
  clientGraceMs?: number;
  /**
   * Tables the read-only guard lets queries read.
   * @default `WAREHOUSE_TABLES`, the schema documented in `knowledge_base/firebolt_schema/`
   */
  readableTables?: readonly GuardTable[];
}

/** The JSON a tool's Firebolt secret holds: the service account's id and secret. */
export const fireboltSecretSchema = z.object({
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
});

/** Credentials for `createFireboltWarehouse`, read (and cached by the reader) from a secret. */
export function fireboltCredentialsFromSecret(
  reader: SecretReader,
  secretId: string,
): () => Promise<FireboltCredentials> {
  return async () => {
    const secret = await readJsonSecret(reader, secretId, fireboltSecretSchema);
    return { clientId: secret.client_id, clientSecret: secret.client_secret };
  };
}

/** The variables both Firebolt tool Lambdas read; the infra sets them per tool. */
export const fireboltEnvSchema = z.object({
  FIREBOLT_SECRET_ID: z.string().min(1),
  FIREBOLT_ACCOUNT: z.string().min(1),
  FIREBOLT_DATABASE: z.string().min(1),
  FIREBOLT_ENGINE: z.string().min(1),
  FIREBOLT_API_ENDPOINT: z.string().min(1).optional(),
});
export type FireboltEnv = z.infer<typeof fireboltEnvSchema>;

/** The warehouse a Firebolt tool Lambda uses: its account from `env`, its own secret's login. */
export function fireboltWarehouseFromEnv(env: FireboltEnv, reader: SecretReader): Warehouse {
  return createFireboltWarehouse({
    account: env.FIREBOLT_ACCOUNT,
    database: env.FIREBOLT_DATABASE,
    engine: env.FIREBOLT_ENGINE,
    apiEndpoint: env.FIREBOLT_API_ENDPOINT,
    credentials: fireboltCredentialsFromSecret(reader, env.FIREBOLT_SECRET_ID),
  });
}

interface FireboltMeta {
  name: string;
  type: string;
}

export function createFireboltWarehouse(options: FireboltWarehouseOptions): Warehouse {
  for (const key of ['account', 'database', 'engine'] as const) {
    if (!options[key]) throw new ConfigError(`Firebolt ${key} is not configured`);
  }
  return new FireboltWarehouse(options);
}

class FireboltWarehouse implements Warehouse {
  readonly backend = 'firebolt' as const;
  private connection?: Promise<Connection>;

  constructor(private readonly options: FireboltWarehouseOptions) {}

  async query(sql: string, options: QueryOptions): Promise<QueryResult> {
    const statement = assertReadOnlySql(sql, {
      dialect: 'firebolt',
      tables: this.options.readableTables,
    });
    const started = performance.now();
    const { data, meta } = await this.run(
      statement,
      {
        settings: { max_result_rows: options.maxRows + 1, statement_timeout: options.timeoutMs },
        response: { normalizeData: false, bigNumberAsString: true },
      },
      options.timeoutMs,
    );
    const rows = (data as unknown[][]).map((row) =>
      row.map((value, i) => fromFirebolt(value, meta[i]?.type)),
    );
    const truncated = rows.length > options.maxRows;
    const kept = truncated ? rows.slice(0, options.maxRows) : rows;
    return {
      columns: meta.map((m) => m.name),
      rows: kept,
      rowCount: kept.length,
      truncated,
      executionMs: Math.round((performance.now() - started) * 100) / 100,
    };
  }

  async write(sql: string, params: readonly SqlValue[]): Promise<WriteResult> {
    await this.run(sql, { parameters: [...params] }, 30_000);
    return { rowsAffected: null };
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (connection) await (await connection.catch(() => undefined))?.destroy();
  }

  private async connect(): Promise<Connection> {
    this.connection ??= (async () => {
      const { clientId, clientSecret } = await this.options.credentials();
      const firebolt = Firebolt({
        apiEndpoint: this.options.apiEndpoint ?? DEFAULT_FIREBOLT_API_ENDPOINT,
      });
      return firebolt.connect({
        auth: { client_id: clientId, client_secret: clientSecret },
        account: this.options.account,
        database: this.options.database,
        engineName: this.options.engine,
        preparedStatementParamStyle: 'fb_numeric',
      });
    })();
    try {
      return await this.connection;
    } catch (error) {
      this.connection = undefined;
      throw mapFireboltError(error, 0);
    }
  }

  /** Executes one statement with a client-side deadline behind the server-side one. */
  private async run(
    sql: string,
    executeOptions: Parameters<Connection['execute']>[1],
    timeoutMs: number,
  ): Promise<{ data: unknown[]; meta: FireboltMeta[] }> {
    const connection = await this.connect();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => {
          // Aborts the request in flight; the next call opens a fresh connection.
          void this.close();
          reject(new QueryTimeoutError(timeoutMs));
        },
        timeoutMs + (this.options.clientGraceMs ?? 2_000),
      );
    });
    try {
      const execution = (async () => {
        const statement = await connection.execute(sql, executeOptions);
        const { data, meta } = await statement.fetchResult();
        return { data: data ?? [], meta: (meta ?? []) as FireboltMeta[] };
      })();
      return await Promise.race([execution, deadline]);
    } catch (error) {
      const mapped = mapFireboltError(error, timeoutMs);
      if (mapped instanceof AuthenticationError || mapped instanceof WarehouseUnavailableError) {
        await this.close();
      }
      throw mapped;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A Firebolt value as the JSON-safe boundary type: dates as ISO strings, big numbers exact. */
function fromFirebolt(value: unknown, type = ''): SqlValue {
  if (value === null || value === undefined) return null;
  const base = type.replace(/ null$/, '');
  if (value instanceof Date) {
    return base === 'date' || base === 'pgdate'
      ? value.toISOString().slice(0, 10)
      : value.toISOString();
  }
  if (typeof value === 'object' && value !== null && 'toFixed' in value) {
    const text = String(value);
    return Number.isSafeInteger(Number(text)) || !/^-?\d+$/.test(text) ? Number(text) : text;
  }
  if (typeof value === 'string' && /^(decimal|double|float|int|long)/.test(base)) {
    const n = Number(value);
    if (Number.isFinite(n) && (!/^-?\d+$/.test(value) || Number.isSafeInteger(n))) return n;
    return value;
  }
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') {
    return value;
  }
  return JSON.stringify(value);
}

/** SDK, HTTP and network failures as RevBot's typed errors. */
export function mapFireboltError(error: unknown, timeoutMs: number): Error {
  if (
    error instanceof QueryTimeoutError ||
    error instanceof UnsafeSqlError ||
    error instanceof ConfigError ||
    error instanceof AuthenticationError
  ) {
    return error;
  }
  const record = (typeof error === 'object' && error !== null ? error : {}) as {
    status?: unknown;
    raw?: unknown;
    errors?: unknown;
    code?: unknown;
    name?: unknown;
    message?: unknown;
  };
  const message = typeof record.message === 'string' ? record.message : String(error);
  if (/^Account '.*' does not exist/.test(message)) {
    return new ConfigError('Firebolt account not found or not accessible to the service account');
  }
  const detail = fireboltDetail(record) ?? message.trim().split('\n')[0] ?? 'unknown error';
  if (/time(d)? ?out|timeout|cancel/i.test(detail) && timeoutMs > 0) {
    return new QueryTimeoutError(timeoutMs);
  }
  if (typeof record.status === 'number') {
    const status = record.status;
    if (status === 401) {
      return new AuthenticationError(
        'Firebolt rejected the service account credentials',
        'FIREBOLT_UNAUTHORIZED',
      );
    }
    if (status === 429 || status >= 500) {
      return new WarehouseUnavailableError(`Firebolt answered HTTP ${status}: ${detail}`, {
        cause: error,
      });
    }
    return new QueryFailedError(detail);
  }
  if (Array.isArray(record.errors)) return new QueryFailedError(detail);
  if (
    record.name === 'FetchError' ||
    record.name === 'AbortError' ||
    typeof record.code === 'string'
  ) {
    return new WarehouseUnavailableError(`Firebolt could not be reached: ${detail}`, {
      cause: error,
    });
  }
  return new WarehouseUnavailableError(`Firebolt request failed: ${detail}`, { cause: error });
}

/** The human part of a Firebolt error: `errors[].description`, or the body's message. */
function fireboltDetail(record: { raw?: unknown; errors?: unknown }): string | undefined {
  const fromErrors = (errors: unknown) =>
    Array.isArray(errors)
      ? errors
          .map((e) =>
            typeof e === 'object' && e !== null
              ? String(
                  (e as { description?: unknown }).description ??
                    (e as { name?: unknown }).name ??
                    '',
                )
              : String(e),
          )
          .filter(Boolean)
          .join('; ')
      : undefined;
  const direct = fromErrors(record.errors);
  if (direct) return direct;
  if (typeof record.raw === 'object' && record.raw !== null) {
    const raw = record.raw as { errors?: unknown; message?: unknown; error_description?: unknown };
    return (
      fromErrors(raw.errors) ||
      (typeof raw.message === 'string' ? raw.message : undefined) ||
      (typeof raw.error_description === 'string' ? raw.error_description : undefined)
    );
  }
  return undefined;
}
