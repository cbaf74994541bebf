/** The overview's figures, computed from summaries: per day, per agent, feedback, SQL patterns. */
import { type ConversationSummary, isFailure } from './conversation-summary';

export interface DayStats {
  day: string;
  conversations: number;
  failures: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface OverviewStats {
  total: number;
  failures: number;
  p50Ms: number | null;
  p95Ms: number | null;
  days: DayStats[];
  agents: { name: string; conversations: number }[];
  feedback: { positive: number; negative: number };
  sqlPatterns: { pattern: string; conversations: number }[];
}

/** Nearest-rank percentile of sorted numbers. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

const durations = (summaries: ConversationSummary[]) =>
  summaries
    .map((s) => s.durationMs)
    .filter((d): d is number => d !== null)
    .sort((a, b) => a - b);

/** Every UTC day from the first to the last, so quiet days show as zero. */
function dayRange(first: string, last: string): string[] {
  const days: string[] = [];
  const cursor = new Date(`${first}T00:00:00Z`);
  const end = new Date(`${last}T00:00:00Z`).getTime();
  while (cursor.getTime() <= end && days.length < 3660) {
    days.push(cursor.toISOString().slice(0, 10));
    cursor.setUTCDate(cursor.getUTCDate() + 1);
  }
  return days;
}

export function overviewStats(
  summaries: readonly ConversationSummary[],
  topSql = 10,
): OverviewStats {
  const byDay = new Map<string, ConversationSummary[]>();
  const agents = new Map<string, number>();
  const sql = new Map<string, number>();
  const feedback = { positive: 0, negative: 0 };
  for (const s of summaries) {
    byDay.set(s.day, [...(byDay.get(s.day) ?? []), s]);
    for (const agent of s.agents) agents.set(agent, (agents.get(agent) ?? 0) + 1);
    for (const pattern of s.sql) sql.set(pattern, (sql.get(pattern) ?? 0) + 1);
    feedback.positive += s.feedback.positive;
    feedback.negative += s.feedback.negative;
  }
  const known = [...byDay.keys()].sort();
  const days =
    known.length === 0
      ? []
      : dayRange(known[0] as string, known[known.length - 1] as string).map((day) => {
          const list = byDay.get(day) ?? [];
          const sorted = durations(list);
          return {
            day,
            conversations: list.length,
            failures: list.filter((s) => isFailure(s.status)).length,
            p50Ms: percentile(sorted, 50),
            p95Ms: percentile(sorted, 95),
          };
        });
  const all = durations([...summaries]);
  return {
    total: summaries.length,
    failures: summaries.filter((s) => isFailure(s.status)).length,
    p50Ms: percentile(all, 50),
    p95Ms: percentile(all, 95),
    days,
    agents: [...agents]
      .map(([name, conversations]) => ({ name, conversations }))
      .sort((a, b) => b.conversations - a.conversations || a.name.localeCompare(b.name)),
    feedback,
    sqlPatterns: [...sql]
      .map(([pattern, conversations]) => ({ pattern, conversations }))
      .sort((a, b) => b.conversations - a.conversations || a.pattern.localeCompare(b.pattern))
      .slice(0, topSql),
  };
}
