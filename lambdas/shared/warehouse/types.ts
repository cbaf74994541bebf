/**
 * The warehouse interface the query and writer tools code against, with two implementations:
 * Firebolt (production, official SDK) and embedded DuckDB (local stack and tests).
 */

/** A value as it crosses the warehouse boundary: JSON-safe, dates as ISO 8601 strings. */
export type SqlValue = string | number | boolean | null;

export interface QueryOptions {
  /** Rows to return at most; one more is fetched to know whether the result was truncated. */
  maxRows: number;
  /** The query is cancelled after this long. */
  timeoutMs: number;
}

export interface QueryResult {
  columns: string[];
  rows: SqlValue[][];
  /** Rows returned (at most `maxRows`). */
  rowCount: number;
  /** True when the query produced more than `maxRows` rows. */
  truncated: boolean;
  executionMs: number;
}

export interface WriteResult {
  /** Rows inserted or updated, when the backend reports it. */
  rowsAffected: number | null;
}

export type WarehouseBackend = 'firebolt' | 'duckdb';

export interface Warehouse {
  readonly backend: WarehouseBackend;
  /**
   * Runs one read-only statement. The read-only guard refuses anything else before it reaches
   * the backend (UnsafeSqlError); SQL errors become QueryFailedError, time-outs QueryTimeoutError.
   */
  query(sql: string, options: QueryOptions): Promise<QueryResult>;
  /**
   * Runs one parameterized INSERT or UPDATE with `$1`, `$2`… placeholders bound to `params`.
   * Callers build the statement from an allowlist; values are never spliced into the SQL.
   */
  write(sql: string, params: readonly SqlValue[]): Promise<WriteResult>;
  close(): Promise<void>;
}
