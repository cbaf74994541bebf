import { ConfigError } from '@revbot/core';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_SCHEDULE,
  nextRetryDelay,
  parseRetrySchedule,
} from '../../../shared/outbound';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('parseRetrySchedule', () => {
  it('defaults to the Standard Webhooks schedule: nine waits, about three days in all', () => {
    const schedule = parseRetrySchedule(undefined);
    expect(schedule).toEqual([
      5_000,
      5 * MIN,
      30 * MIN,
      2 * HOUR,
      5 * HOUR,
      10 * HOUR,
      14 * HOUR,
      20 * HOUR,
      24 * HOUR,
    ]);
    expect(parseRetrySchedule('')).toEqual(parseRetrySchedule(DEFAULT_RETRY_SCHEDULE));
    const total = schedule.reduce((sum, wait) => sum + wait, 0);
    expect(total).toBe(5_000 + 35 * MIN + 75 * HOUR);
  });

  it('reads milliseconds, seconds, minutes, hours and days, with spaces around commas', () => {
    expect(parseRetrySchedule('250ms, 1.5s,2m ,1h,1d')).toEqual([
      250,
      1_500,
      2 * MIN,
      HOUR,
      24 * HOUR,
    ]);
    expect(parseRetrySchedule('none')).toEqual([]);
  });

  it('stops start-up with the variable and the bad step named', () => {
    for (const bad of ['5', '5x', '0s', '-5s', '5s,,5m', '8d', 's']) {
      expect(() => parseRetrySchedule(bad)).toThrow(ConfigError);
    }
    expect(() => parseRetrySchedule('5s,5 minutes')).toThrow(
      'Invalid configuration: WEBHOOK_RETRY_SCHEDULE: "5 minutes" is not a wait such as 5s, 5m, 2h or 1d (each above 0 and at most 7d)',
    );
  });
});

describe('nextRetryDelay', () => {
  it('gives the step after the attempt, jittered by at most ten percent either way', () => {
    const schedule = parseRetrySchedule('10s,1h');
    expect(nextRetryDelay(schedule, 1, () => 0)).toBe(9_000);
    expect(nextRetryDelay(schedule, 1, () => 0.5)).toBe(10_000);
    expect(nextRetryDelay(schedule, 1, () => 0.999999)).toBe(11_000);
    expect(nextRetryDelay(schedule, 2, () => 0.5)).toBe(HOUR);
    expect(nextRetryDelay(schedule, 3)).toBeUndefined();
  });
});
