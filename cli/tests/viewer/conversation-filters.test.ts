import { describe, expect, it } from 'vitest';
import { matchesFilters, parseFilters, qualityBand } from '../../src/viewer/conversation-filters';
import { summary } from '../support/conversation-summary';

describe('filters', () => {
  const parse = (query: string) => {
    const parsed = parseFilters(new URLSearchParams(query));
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.filters;
  };

  it('treats empty fields as no filter and refuses an unknown status', () => {
    expect(parse('from=&status=&q=')).toEqual({ page: 1 });
    expect(parseFilters(new URLSearchParams('status=lost'))).toMatchObject({ ok: false });
  });

  it('bands quality and matches feedback, dates, channel kinds and every search word', () => {
    expect([0.95, 0.9, 0.6, 0.59, null].map(qualityBand)).toEqual([
      'high',
      'high',
      'medium',
      'low',
      'unknown',
    ]);
    const rated = summary({
      feedback: { positive: 0, negative: 1 },
      searchText: 'pipeline at acme\nanswer',
    });
    expect(matchesFilters(rated, parse('feedback=negative'))).toBe(true);
    expect(matchesFilters(rated, parse('feedback=positive'))).toBe(false);
    expect(matchesFilters(rated, parse('feedback=unrated'))).toBe(false);
    expect(matchesFilters(summary({}), parse('feedback=unrated'))).toBe(true);
    expect(matchesFilters(rated, parse('from=2026-11-20&to=2026-11-20'))).toBe(true);
    expect(matchesFilters(rated, parse('from=2026-11-21'))).toBe(false);
    expect(matchesFilters(rated, parse('channel=slack'))).toBe(true);
    expect(matchesFilters(rated, parse('channel=webhook'))).toBe(false);
    expect(matchesFilters(rated, parse('q=ACME+Pipeline'))).toBe(true);
    expect(matchesFilters(rated, parse('q=acme+forecast'))).toBe(false);
    expect(matchesFilters(rated, parse('quality=high'))).toBe(true);
  });
});
