/**
 * When a webhook delivery is tried again: `WEBHOOK_RETRY_SCHEDULE`, a comma-separated list of
 * waits (`5s,5m,30m,2h,…`), one per retry after the immediate first attempt. The default is
 * Standard Webhooks' schedule (about three days in all). Waits get ±10 % jitter so receivers
 * coming back up are not hit by every delivery at the same second.
 */
import { ConfigError } from '@revbot/core';

/** Standard Webhooks: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h. */
export const DEFAULT_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,14h,20h,24h';

/** The longest single wait accepted (a longer schedule is a typo more often than a wish). */
const MAX_STEP_MS = 7 * 24 * 3600_000;
const MAX_STEPS = 50;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 };
const STEP = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** Waits in milliseconds, one per retry. */
export type RetrySchedule = readonly number[];

/**
 * Parses a schedule; anything else stops start-up with a ConfigError naming `name` and the
 * offending step. An empty value means the default; `none` means no retries at all.
 */
export function parseRetrySchedule(
  text: string | undefined,
  name = 'WEBHOOK_RETRY_SCHEDULE',
): RetrySchedule {
  const value = (text ?? '').trim();
  if (value === '') return parseRetrySchedule(DEFAULT_RETRY_SCHEDULE, name);
  if (value === 'none') return [];
  const steps = value.split(',').map((part) => part.trim());
  if (steps.length > MAX_STEPS) {
    throw new ConfigError(`Invalid configuration: ${name}: at most ${MAX_STEPS} steps`);
  }
  return steps.map((step) => {
    const match = STEP.exec(step);
    const ms = match ? Number(match[1]) * (UNIT_MS[match[2] as string] as number) : Number.NaN;
    if (!(ms > 0) || ms > MAX_STEP_MS) {
      throw new ConfigError(
        `Invalid configuration: ${name}: "${step}" is not a wait such as 5s, 5m, 2h or 1d (each above 0 and at most 7d)`,
      );
    }
    return Math.round(ms);
  });
}

/** The wait before attempt `attempt + 1`, or undefined once the schedule is used up. */
export function nextRetryDelay(
  schedule: RetrySchedule,
  attempt: number,
  random: () => number = Math.random,
): number | undefined {
  const step = schedule[attempt - 1];
  if (step === undefined) return undefined;
  return Math.round(step * (0.9 + random() * 0.2));
}
