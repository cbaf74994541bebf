/**
 * The list's filters, read from the query string with zod (the viewer's one untrusted input
 * besides the path), and applied to summaries in memory.
 */
import { conversationStatusSchema } from '@revbot/monitoring';
import { z } from 'zod';
import type { ConversationSummary } from './conversation-summary';

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD')
  .optional();
const text = z.string().trim().max(500).optional();

export const QUALITY_BANDS = ['high', 'medium', 'low', 'unknown'] as const;
export const FEEDBACK_FILTERS = ['positive', 'negative', 'rated', 'unrated'] as const;

export const filtersSchema = z.object({
  from: day,
  to: day,
  channel: text,
  user: text,
  agent: text,
  status: conversationStatusSchema.optional(),
  quality: z.enum(QUALITY_BANDS).optional(),
  feedback: z.enum(FEEDBACK_FILTERS).optional(),
  q: text,
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});
export type Filters = z.infer<typeof filtersSchema>;

/** Empty fields (an unset select) mean "no filter". */
export function parseFilters(
  params: URLSearchParams,
): { ok: true; filters: Filters } | { ok: false; message: string } {
  const raw: Record<string, string> = {};
  for (const [name, value] of params) if (value.trim() !== '') raw[name] = value;
  const parsed = filtersSchema.safeParse(raw);
  if (parsed.success) return { ok: true, filters: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, message: `${issue?.path.join('.') || 'query'}: ${issue?.message}` };
}

/** high ≥ 0.9, medium ≥ 0.6, low below; unknown without metadata. */
export function qualityBand(score: number | null): (typeof QUALITY_BANDS)[number] {
  if (score === null) return 'unknown';
  if (score >= 0.9) return 'high';
  if (score >= 0.6) return 'medium';
  return 'low';
}

const CHANNEL_KINDS = new Set(['slack', 'webhook', 'replay']);

export function matchesFilters(summary: ConversationSummary, filters: Filters): boolean {
  if (filters.from && summary.day < filters.from) return false;
  if (filters.to && summary.day > filters.to) return false;
  if (filters.channel) {
    const wanted = filters.channel;
    if (CHANNEL_KINDS.has(wanted) ? summary.channelKind !== wanted : summary.channel !== wanted)
      return false;
  }
  if (filters.user && summary.user !== filters.user) return false;
  if (filters.agent && !summary.agents.includes(filters.agent)) return false;
  if (filters.status && summary.status !== filters.status) return false;
  if (filters.quality && qualityBand(summary.quality) !== filters.quality) return false;
  if (filters.feedback) {
    const { positive, negative } = summary.feedback;
    const rated = positive + negative > 0;
    if (filters.feedback === 'positive' && positive === 0) return false;
    if (filters.feedback === 'negative' && negative === 0) return false;
    if (filters.feedback === 'rated' && !rated) return false;
    if (filters.feedback === 'unrated' && rated) return false;
  }
  if (filters.q) {
    const words = filters.q.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.every((word) => summary.searchText.includes(word))) return false;
  }
  return true;
}

/** The filters as a query string, without `page` unless given. */
export function filterQuery(filters: Partial<Filters>, page?: number): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) {
    if (name === 'page' || value === undefined || value === '') continue;
    params.set(name, String(value));
  }
  if (page !== undefined && page > 1) params.set('page', String(page));
  const query = params.toString();
  return query ? `?${query}` : '';
}
