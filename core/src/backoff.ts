/**
 * Retry timing shared by every client that calls out over HTTP (the Gong and search clients,
 * outbound webhooks, the OpenAI-compatible model provider): jittered exponential backoff, and
 * the server's own `Retry-After` when it sends one.
 */

/**
 * Delay before attempt `attempt + 1`: `base * 2^(attempt-1)` capped at `max`, spread over its
 * upper half so clients recovering from the same outage are not in step.
 */
export function backoffDelay(
  attempt: number,
  policy: { baseDelayMs: number; maxDelayMs: number },
  random: () => number = Math.random,
): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/** Retry-After as milliseconds: either delay-seconds or an HTTP date. */
export function parseRetryAfter(
  value: string | null | undefined,
  now: () => number = Date.now,
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}
