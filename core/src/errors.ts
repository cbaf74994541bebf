/**
 * Typed errors that carry what a caller needs: a stable `code`, the HTTP status for API
 * responses, and whether a queue processor should retry.
 */
export class RevbotError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly statusCode: number,
    readonly retryable: boolean,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A client mistake: bad input, named field by field in `details`. */
export class ValidationError extends RevbotError {
  constructor(message: string, details?: unknown, code = 'VALIDATION_ERROR', statusCode = 400) {
    super(message, code, statusCode, false, details);
  }
}

export class AuthenticationError extends RevbotError {
  constructor(message = 'Request could not be authenticated', code = 'UNAUTHORIZED') {
    super(message, code, 401, false);
  }
}

export class NotFoundError extends RevbotError {
  constructor(message: string, code = 'NOT_FOUND') {
    super(message, code, 404, false);
  }
}

/** Missing or invalid configuration: stops start-up with one line naming the variable. */
export class ConfigError extends RevbotError {
  constructor(message: string) {
    super(message, 'CONFIG_ERROR', 500, false);
  }
}

/** A transient failure (throttling, timeout, 5xx downstream): let the queue retry it. */
export class RetryableError extends RevbotError {
  constructor(message: string, code = 'RETRYABLE', options?: { cause?: unknown }) {
    super(message, code, 503, true, undefined, options);
  }
}
