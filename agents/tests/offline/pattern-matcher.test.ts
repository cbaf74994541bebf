/** The SQL pattern a question's words point to, from the patterns' own descriptions. */
import { describe, expect, it } from 'vitest';
import { loadSqlPatterns } from '../../src/knowledge-base/sql-patterns';
import { matchPattern, rankPatterns } from '../../src/offline/pattern-matcher';
import { documentedWording } from '../../src/offline/revenue-vocabulary';

const patterns = loadSqlPatterns();

describe('the pattern matcher', () => {
  it('ranks each pattern first for its own documented questions', () => {
    const misses = patterns.flatMap((p) =>
      p.questions
        .filter((q) => rankPatterns(q, patterns)[0]?.id !== p.id)
        .map((q) => `${p.id}: ${q}`),
    );
    // Close patterns share words ("Is there a lead from DataCorp?" reads like lead activity).
    const total = patterns.reduce((n, p) => n + p.questions.length, 0);
    expect(total).toBeGreaterThan(40);
    expect(misses.length, misses.join('\n')).toBeLessThanOrEqual(2);
  });

  it('matches everyday wording to the documented intent', () => {
    expect(matchPattern('Which accounts are likely to churn?', patterns)?.id).toBe(
      'churn-risk-signals',
    );
    expect(matchPattern('Where are our best upsell opportunities?', patterns)?.id).toBe(
      'expansion-candidates',
    );
  });

  it('matches nothing for questions outside revenue work', () => {
    expect(matchPattern('Who won the World Cup in 2022?', patterns)).toBeUndefined();
    expect(matchPattern('Write me a poem about spring', patterns)).toBeUndefined();
  });
});

describe('the revenue vocabulary', () => {
  it('rewrites everyday wording to the documented words', () => {
    expect(documentedWording('How much did we book last quarter?')).toContain(' bookings ');
    expect(documentedWording("how's IXIS looking?")).toContain('status of ixis');
    expect(documentedWording('How many deals did we lose to Snowflake?')).toContain(
      'competitive win rate',
    );
    expect(documentedWording('How is each rep tracking this quarter?')).not.toContain('status');
  });
});
