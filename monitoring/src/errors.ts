/**
 * Errors of the monitoring package, under `@revbot/core`'s RevbotError: a stable code and whether
 * retrying can help.
 */
import { RevbotError } from '@revbot/core';

/** Base of the monitoring package's errors. */
export class MonitoringError extends RevbotError {
  constructor(message: string, code: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, { code, retryable, cause: options?.cause });
  }
}

/** A saved event stream that cannot be read: the message names the problem in one line. */
export class StreamFormatError extends MonitoringError {
  constructor(message: string) {
    super(message, 'INVALID_STREAM', false);
  }
}

/** Writing a record failed. Retryable for throttling, 5xx and network errors. */
export class ConversationExportError extends MonitoringError {
  constructor(message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, 'EXPORT_FAILED', retryable, options);
  }
}
