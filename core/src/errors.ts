/**
 * The one error root every RevBot package extends. Each error carries what a caller needs: a
 * stable `code`, whether trying again can help (`retryable`: a queue processor retries, a
 * command says "try again"), the HTTP status when it reaches an API response, and `details`
 * safe to show a client. Packages define their specific errors in their own `errors.ts`.
 */
export interface RevbotErrorOptions {
  /** Stable and machine-readable, e.g. `VALIDATION_ERROR`. */
  code: string;
  /** @default false */
  retryable?: boolean;
  /** The HTTP status when the error answers an API request. @default 500 */
  statusCode?: number;
  /** Structured facts about the failure that are safe to return to the client. */
  details?: unknown;
  cause?: unknown;
}

export class RevbotError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly statusCode: number;
  readonly details?: unknown;

  constructor(message: string, options: RevbotErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.retryable = options.retryable ?? false;
    this.statusCode = options.statusCode ?? 500;
    this.details = options.details;
  }
}

/** A client mistake: bad input, named field by field in `details`. */
export class ValidationError extends RevbotError {
  constructor(message: string, details?: unknown, code = 'VALIDATION_ERROR', statusCode = 400) {
    super(message, { code, statusCode, details });
  }
}

export class AuthenticationError extends RevbotError {
  constructor(message = 'Request could not be authenticated', code = 'UNAUTHORIZED') {
    super(message, { code, statusCode: 401 });
  }
}

export class NotFoundError extends RevbotError {
  constructor(message: string, code = 'NOT_FOUND') {
    super(message, { code, statusCode: 404 });
  }
}

/** Missing or invalid configuration: stops start-up with one line naming the variable. */
export class ConfigError extends RevbotError {
  constructor(message: string) {
    super(message, { code: 'CONFIG_ERROR' });
  }
}

/** A transient failure (throttling, timeout, 5xx downstream): let the queue retry it. */
export class RetryableError extends RevbotError {
  constructor(message: string, code = 'RETRYABLE', options?: { cause?: unknown }) {
    super(message, { code, statusCode: 503, retryable: true, cause: options?.cause });
  }
}
