import { describe, expect, it } from 'vitest';
import { sqlPattern } from '../../src/viewer/conversation-summary';
import { overviewStats } from '../../src/viewer/overview-stats';
import { summary } from '../support/conversation-summary';

describe('overviewStats', () => {
  it('counts per day with quiet days as zero, and takes nearest-rank p50/p95 of answer times', () => {
    const durations = [
      100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200, 1300, 1400, 1500, 1600, 1700,
      1800, 1900, 2000,
    ];
    const first = durations.map((d, i) => summary({ id: `a${i}`, durationMs: d }));
    const third = [
      summary({
        id: 'b1',
        day: '2026-11-22',
        durationMs: 50,
        status: 'failed',
        agents: ['Manager', 'DataAgent'],
      }),
      summary({ id: 'b2', day: '2026-11-22', durationMs: null, status: 'incomplete' }),
      summary({
        id: 'b3',
        day: '2026-11-22',
        durationMs: 70,
        status: 'blocked_by_guardrail',
        feedback: { positive: 2, negative: 1 },
      }),
    ];
    const stats = overviewStats([...first, ...third]);
    expect(stats.days.map((d) => [d.day, d.conversations, d.failures])).toEqual([
      ['2026-11-20', 20, 0],
      ['2026-11-21', 0, 0],
      ['2026-11-22', 3, 2],
    ]);
    // 20 values: p50 is the 10th (1000 ms), p95 the 19th (1900 ms).
    expect(stats.days[0]?.p50Ms).toBe(1000);
    expect(stats.days[0]?.p95Ms).toBe(1900);
    expect(stats.days[1]?.p50Ms).toBeNull();
    // The third day's two known times: 50 and 70.
    expect(stats.days[2]?.p50Ms).toBe(50);
    expect(stats.days[2]?.p95Ms).toBe(70);
    expect(stats.total).toBe(23);
    expect(stats.failures).toBe(2);
    expect(stats.agents).toEqual([
      { name: 'Manager', conversations: 23 },
      { name: 'DataAgent', conversations: 1 },
    ]);
    expect(stats.feedback).toEqual({ positive: 2, negative: 1 });
  });

  it('ranks SQL patterns by the conversations that sent them', () => {
    const a = sqlPattern("SELECT * FROM deals WHERE account = 'IXIS' AND amount > 100");
    const b = sqlPattern("select *   from deals where account = 'Acme' and amount > 5");
    expect(a).toBe('SELECT * FROM deals WHERE account = ? AND amount > ?');
    expect(b.toLowerCase()).toBe(a.toLowerCase());
    expect(sqlPattern('SELECT 1 FROM t WHERE id IN (1, 2, 3) -- note\n')).toBe(
      'SELECT ? FROM t WHERE id IN (?)',
    );
    const stats = overviewStats([summary({ sql: [a, 'SELECT ? FROM t'] }), summary({ sql: [a] })]);
    expect(stats.sqlPatterns).toEqual([
      { pattern: a, conversations: 2 },
      { pattern: 'SELECT ? FROM t', conversations: 1 },
    ]);
  });
});
