import { describe, expect, it } from 'vitest';
import { budgetDay } from '../../../shared/budgets/budget-day';

describe('budgetDay', () => {
  it('names the local day and counts the seconds to local midnight', () => {
    // 23:59:30 in New York (EST, UTC-5) is 04:59:30Z the next UTC day.
    const day = budgetDay(new Date('2026-12-08T04:59:30Z'), 'America/New_York');
    expect(day).toEqual({
      day: '2026-12-07',
      endsAt: new Date('2026-12-08T05:00:00Z'),
      secondsLeft: 30,
    });
  });

  it('rolls over at local midnight, not UTC midnight', () => {
    expect(budgetDay(new Date('2026-12-08T05:00:00Z'), 'America/New_York').day).toBe('2026-12-08');
    expect(budgetDay(new Date('2026-12-08T00:30:00Z'), 'America/New_York').day).toBe('2026-12-07');
    expect(budgetDay(new Date('2026-12-07T23:30:00Z'), 'Asia/Tokyo')).toMatchObject({
      day: '2026-12-08',
      endsAt: new Date('2026-12-08T15:00:00Z'),
    });
  });

  it('knows a day that springs forward lasts 23 hours and one that falls back 25', () => {
    // US daylight saving: 2026-03-08 starts at 05:00Z (EST) and ends at 04:00Z (EDT).
    expect(budgetDay(new Date('2026-03-08T05:00:00Z'), 'America/New_York').secondsLeft).toBe(
      23 * 3600,
    );
    // 2026-11-01 starts at 04:00Z (EDT) and ends at 05:00Z next day (EST).
    expect(budgetDay(new Date('2026-11-01T04:00:00Z'), 'America/New_York').secondsLeft).toBe(
      25 * 3600,
    );
  });

  it('never asks to wait less than a second', () => {
    expect(budgetDay(new Date('2026-12-07T23:59:59.999Z'), 'UTC').secondsLeft).toBe(1);
  });
});
