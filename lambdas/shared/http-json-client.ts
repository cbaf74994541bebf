/**
 * JSON over HTTP for RevBot's third-party API clients (Gong, web search): a per-attempt timeout,
 * retries with exponential backoff and jitter on network failures, 429 and 5xx, honouring the
 * server's Retry-After, and a clear RetryableError once the attempts or the wait budget run out.
 * Other statuses are returned to the caller, which knows what they mean for its API.
 */

import { backoffDelay, parseRetryAfter, RetryableError } from '@revbot/core';

export interface HttpJsonRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
}

export interface HttpJsonResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the raw text when the body is not JSON (undefined when empty). */
  body: unknown;
}

export interface HttpJsonClientOptions {
  /** Service name used in error messages, e.g. `Gong`. */
  service: string;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  /** Attempts in total, the first included (default 4). */
  maxAttempts?: number;
  /** First backoff delay; doubled per attempt (default 500 ms). */
  baseDelayMs?: number;
  /** Longest single wait, Retry-After included (default 10 s); a longer Retry-After gives up. */
  maxDelayMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export type HttpJsonClient = (request: HttpJsonRequest) => Promise<HttpJsonResponse>;

const RETRYABLE_STATUS = (status: number) =>
  status === 429 || status === 502 || status === 503 || status === 504 || status === 500;

export function createHttpJsonClient(options: HttpJsonClientOptions): HttpJsonClient {
  const fetchImpl = options.fetch ?? fetch;
  const sleep =
    options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const maxAttempts = options.maxAttempts ?? 4;
  const baseDelay = options.baseDelayMs ?? 500;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const timeoutMs = options.timeoutMs ?? 10_000;

  return async function request(req: HttpJsonRequest): Promise<HttpJsonResponse> {
    let lastProblem = '';
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      let response: Response;
      try {
        response = await fetchImpl(req.url, {
          method: req.method,
          headers: {
            accept: 'application/json',
            ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...req.headers,
          },
          body: req.body !== undefined ? JSON.stringify(req.body) : undefined,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        lastProblem = describeNetworkError(error, timeoutMs);
        if (attempt < maxAttempts) {
          await sleep(
            backoffDelay(attempt, { baseDelayMs: baseDelay, maxDelayMs: maxDelay }, random),
          );
          continue;
        }
        break;
      }
      const body = await readBody(response);
      if (!RETRYABLE_STATUS(response.status))
        return { status: response.status, headers: response.headers, body };

      lastProblem = `HTTP ${response.status}`;
      if (attempt === maxAttempts) break;
      const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
      if (retryAfter !== undefined && retryAfter > maxDelay) {
        throw new RetryableError(
          `${options.service} is rate limiting requests and asked to wait ${Math.ceil(retryAfter / 1000)} s`,
          'UPSTREAM_RATE_LIMITED',
        );
      }
      await sleep(
        retryAfter ??
          backoffDelay(attempt, { baseDelayMs: baseDelay, maxDelayMs: maxDelay }, random),
      );
    }
    throw new RetryableError(
      `${options.service} did not answer successfully after ${maxAttempts} attempts (last: ${lastProblem})`,
      'UPSTREAM_UNAVAILABLE',
    );
  };
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause =
    error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
  return cause ?? (error instanceof Error ? error.message : String(error));
}
