/**
 * Outbound delivery errors. Each carries a stable `code` and says whether trying the same
 * delivery again later could succeed, so the webhook processor and the webhook tool decide
 * alike what to record and what to retry.
 */
import { RevbotError } from '@revbot/core';

/** The URL or the address it resolves to is not one RevBot may send to (SSRF guard). */
export class DestinationNotAllowedError extends RevbotError {
  constructor(
    message: string,
    readonly reason: DestinationRefusal,
  ) {
    super(message, { code: 'DESTINATION_NOT_ALLOWED', statusCode: 400, details: { reason } });
  }
}

export type DestinationRefusal =
  | 'invalid_url'
  | 'scheme'
  | 'credentials_in_url'
  | 'not_allowlisted'
  /** A percent-encoded `/`, `\` or `.` in a path checked against a URL prefix entry. */
  | 'encoded_path'
  | 'private_address'
  | 'unresolvable';

export type DeliveryFailureCode =
  /** The receiver answered a 4xx other than 429: sending again will not help. */
  | 'DELIVERY_REJECTED'
  /** The receiver answered a redirect, which is never followed. */
  | 'REDIRECT_REFUSED'
  /** Network errors, 5xx or 429 until the attempts or the time budget ran out. */
  | 'DELIVERY_FAILED';

/** A delivery that did not succeed after the bounded attempts. */
export class WebhookDeliveryError extends RevbotError {
  constructor(
    message: string,
    code: DeliveryFailureCode,
    readonly attempts: number,
    /** HTTP status of the last answer; undefined when the last attempt got none. */
    readonly lastStatus: number | undefined,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, {
      code,
      statusCode: 502,
      retryable: code === 'DELIVERY_FAILED',
      details: { attempts, last_status: lastStatus },
      cause: options?.cause,
    });
    this.retryAfterMs = options?.retryAfterMs;
  }

  /** The wait the receiver asked for (Retry-After) with its last answer, when it asked. */
  readonly retryAfterMs: number | undefined;
}

/** No answer from the receiver (refused, reset, timed out): the delivery may be tried again. */
export class NetworkError extends RevbotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, {
      code: 'NETWORK_ERROR',
      statusCode: 502,
      retryable: true,
      cause: options?.cause,
    });
  }
}
