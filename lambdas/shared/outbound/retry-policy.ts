/**
 * How hard an outbound delivery tries: bounded attempts and total time, exponential backoff with
 * jitter, and an injectable clock so tests run the whole schedule without waiting.
 */

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  /** First backoff delay; doubled per attempt. */
  baseDelayMs: number;
  /** Longest backoff delay (a receiver's Retry-After may ask for more, within the budget). */
  maxDelayMs: number;
  /** Budget for the whole delivery, waits included; no attempt starts or waits past it. */
  maxTotalMs: number;
  /** Per-attempt limit for connecting and getting an answer. */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxTotalMs: 120_000,
  timeoutMs: 10_000,
};

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

export { backoffDelay } from '@revbot/core';

/** Statuses worth another attempt: 429 and every 5xx. Other 4xx mean the request is refused. */
export const isRetryableStatus = (status: number): boolean => status === 429 || status >= 500;
