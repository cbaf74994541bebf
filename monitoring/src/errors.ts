/** Typed errors of the monitoring package: a stable code and whether retrying can help. */
export class MonitoringError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
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
