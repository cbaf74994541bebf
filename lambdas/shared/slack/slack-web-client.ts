/**
 * Slack Web API clients (`@slack/web-api`) for the Slack Lambdas: the base URL comes from
 * `SLACK_API_URL` (default Slack's), so the local stack and tests point the real client at a
 * local server. One client per bot token, created once per container; retries and timeouts are
 * sized for a Lambda, not the library's thirty-minute default.
 *
 * The library is loaded on the first call, not at start-up: even without axios (8.x uses fetch) its
 * import costs milliseconds a cold handler rarely needs, since most cold invocations never call
 * Slack (acknowledged retries, ignored bot and edit events, button clicks, url_verification).
 */

import { type Logger, RetryableError, RevbotError } from '@revbot/core';
import type { LogLevel, Logger as WebApiLogger, WebClient } from '@slack/web-api';

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

/**
 * `@slack/web-api`'s ErrorCode values, compared without loading the library. In 8.x every error is
 * a `SlackError` subclass (`WebAPIPlatformError`, `WebAPIRateLimitedError{retryAfter}`…) that still
 * carries its `code`, so matching the code holds across the class change and needs no import.
 */
const SLACK_ERROR_CODES = {
  request: 'slack_webapi_request_error',
  http: 'slack_webapi_http_error',
  platform: 'slack_webapi_platform_error',
  rateLimited: 'slack_webapi_rate_limited_error',
} as const;

const WARN = 'warn' as LogLevel;

export interface SlackWebClientOptions {
  /** `SLACK_API_URL`; a trailing slash is added when missing. */
  apiUrl?: string;
  /** Per-request timeout. */
  timeoutMs: number;
  /** Retries after the first attempt, for network errors, 5xx and 429. */
  retries: number;
  /** Fail at once on HTTP 429 instead of waiting for Retry-After (the handler's 3-second budget). */
  rejectRateLimitedCalls?: boolean;
  logger?: Logger;
}

/** The client for a token; a rotated token gets a new client, the same token the same one. */
export type SlackClientFactory = (token: string) => Promise<WebClient>;

let webApi: Promise<typeof import('@slack/web-api')> | undefined;

export function slackWebClients(options: SlackWebClientOptions): SlackClientFactory {
  const slackApiUrl = normalizeApiUrl(options.apiUrl ?? DEFAULT_SLACK_API_URL);
  const clients = new Map<string, WebClient>();
  return async (token) => {
    let client = clients.get(token);
    if (!client) {
      webApi ??= import('@slack/web-api');
      const { WebClient } = await webApi;
      client = clients.get(token);
      if (client) return client;
      client = new WebClient(token, {
        slackApiUrl,
        timeout: options.timeoutMs,
        rejectRateLimitedCalls: options.rejectRateLimitedCalls ?? false,
        retryConfig: {
          retries: options.retries,
          factor: 2,
          minTimeout: 100,
          maxTimeout: 2_000,
          randomize: true,
        },
        logger: options.logger ? webApiLogger(options.logger) : undefined,
        logLevel: WARN,
      });
      clients.clear(); // only the current token's client is worth keeping
      clients.set(token, client);
    }
    return client;
  };
}

export function normalizeApiUrl(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** The Web API's own error code (`message_not_found`, `channel_not_found`…), if it sent one. */
export function slackPlatformError(error: unknown): string | undefined {
  const e = error as { code?: unknown; data?: { error?: unknown } };
  return e?.code === SLACK_ERROR_CODES.platform && typeof e.data?.error === 'string'
    ? e.data.error
    : undefined;
}

const RETRYABLE_PLATFORM_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/**
 * A Web API failure as a RevbotError: network errors, 5xx, rate limits and Slack's own transient
 * errors are retryable; the rest (`channel_not_found`, `invalid_auth`…) are not. The message
 * names the method and Slack's error code, never the token or the message text.
 */
export function toSlackApiError(error: unknown, method: string): RevbotError {
  if (error instanceof RevbotError) return error;
  const e = error as { code?: unknown; statusCode?: unknown; message?: unknown };
  const platform = slackPlatformError(error);
  if (platform !== undefined) {
    const message = `Slack ${method} failed: ${platform}`;
    return RETRYABLE_PLATFORM_ERRORS.has(platform)
      ? new RetryableError(message, 'SLACK_UNAVAILABLE', { cause: error })
      : new RevbotError(message, {
          code: 'SLACK_API_ERROR',
          statusCode: 502,
          details: { slack_error: platform },
          cause: error,
        });
  }
  switch (e?.code) {
    case SLACK_ERROR_CODES.rateLimited:
      return new RetryableError(`Slack ${method} was rate limited`, 'SLACK_RATE_LIMITED', {
        cause: error,
      });
    case SLACK_ERROR_CODES.http: {
      const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
      const message = `Slack ${method} failed with HTTP ${status}`;
      return status >= 500 || status === 429 || status === 408
        ? new RetryableError(message, 'SLACK_UNAVAILABLE', { cause: error })
        : new RevbotError(message, { code: 'SLACK_API_ERROR', statusCode: 502, cause: error });
    }
    default:
      // Request errors (network, timeout) and anything unexpected from the transport.
      return new RetryableError(`Slack ${method} could not be reached`, 'SLACK_UNREACHABLE', {
        cause: error,
      });
  }
}

/** Awaits a Web API call, turning its failure into a RevbotError (see toSlackApiError). */
export async function slackCall<T>(method: string, call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw toSlackApiError(error, method);
  }
}

function webApiLogger(log: Logger): WebApiLogger {
  let level = WARN;
  const text = (parts: unknown[]) => parts.map(String).join(' ');
  return {
    debug() {},
    info() {},
    warn: (...parts: unknown[]) => log.warn(`Slack Web API: ${text(parts)}`, {}),
    error: (...parts: unknown[]) => log.error(`Slack Web API: ${text(parts)}`, {}),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName() {},
  };
}
