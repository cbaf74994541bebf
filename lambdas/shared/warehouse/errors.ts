/** Warehouse errors, written for the model: each message says what to change. */
import { RetryableError, ValidationError } from '@revbot/core';

/** The read-only guard refused the statement before it reached the warehouse. */
export class UnsafeSqlError extends ValidationError {
  constructor(reason: string) {
    super(
      `Query refused: ${reason}. Only one read-only SELECT (or WITH … SELECT) statement, without comments, can run.`,
      { reason },
      'UNSAFE_SQL',
    );
  }
}

/** The warehouse rejected the statement (syntax, unknown column…); the model can rewrite it. */
export class QueryFailedError extends ValidationError {
  constructor(detail: string) {
    super(
      `The warehouse rejected the query: ${detail}. Check table and column names against the schema and try again.`,
      { detail },
      'SQL_ERROR',
    );
  }
}

/** The statement ran past its time limit and was cancelled. */
export class QueryTimeoutError extends ValidationError {
  constructor(timeoutMs: number) {
    super(
      `The query was cancelled after ${timeoutMs} ms. Filter on fewer rows or aggregate before joining, then try again.`,
      { timeoutMs },
      'QUERY_TIMEOUT',
    );
  }
}

/** The warehouse could not be reached or was throttled; the caller may retry. */
export class WarehouseUnavailableError extends RetryableError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'WAREHOUSE_UNAVAILABLE', options);
  }
}
