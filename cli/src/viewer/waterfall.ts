/**
 * The waterfall of one conversation: each agent run (in caller order, indented by depth) and,
 * under it, its model calls, tool calls, knowledge-base lookups and guardrail checks, each at
 * its offset from the question and with its duration, as fractions of the whole conversation.
 */
import type {
  AgentInvocation,
  Conversation,
  GuardrailCheck,
  KnowledgeBaseLookup,
  Step,
  ToolCall,
} from '@revbot/monitoring';

export type WaterfallItem =
  | { kind: 'agent'; run: AgentInvocation }
  | { kind: 'model'; step: Step; run: AgentInvocation }
  | { kind: 'tool'; call: ToolCall; run: AgentInvocation }
  | { kind: 'knowledge_base'; lookup: KnowledgeBaseLookup; run: AgentInvocation }
  | { kind: 'guardrail'; check: GuardrailCheck; run: AgentInvocation };

export interface WaterfallRow {
  item: WaterfallItem;
  depth: number;
  /** Milliseconds from the conversation's start; null when the record has no time. */
  startMs: number | null;
  durationMs: number | null;
  /** Where the bar starts and how wide it is, in percent of the whole conversation. */
  offsetPct: number;
  widthPct: number;
}

export interface Waterfall {
  origin: number | null;
  totalMs: number;
  rows: WaterfallRow[];
}

/** Narrowest bar drawn, so an instant step stays visible. */
const MIN_WIDTH_PCT = 0.4;

export const timeOf = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
};

interface Span {
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
}

function spanOf(span: Span): { start: number | null; end: number | null; duration: number | null } {
  const start = timeOf(span.started_at);
  const end = timeOf(span.ended_at);
  const duration =
    start !== null && end !== null ? Math.max(0, end - start) : (span.duration_ms ?? null);
  return {
    start,
    end: end ?? (start !== null && duration !== null ? start + duration : null),
    duration,
  };
}

/** Agent runs in tree order: each caller followed by the runs it started, in start order. */
function treeOrder(flow: AgentInvocation[]): AgentInvocation[] {
  const children = new Map<number | null, AgentInvocation[]>();
  const indexes = new Set(flow.map((run) => run.index));
  for (const run of flow) {
    const parent =
      run.caller_index !== null && indexes.has(run.caller_index) ? run.caller_index : null;
    children.set(parent, [...(children.get(parent) ?? []), run]);
  }
  const ordered: AgentInvocation[] = [];
  const visit = (parent: number | null) => {
    for (const run of children.get(parent) ?? []) {
      ordered.push(run);
      visit(run.index);
    }
  };
  visit(null);
  return ordered;
}

export function buildWaterfall(conversation: Conversation): Waterfall {
  const entries: { item: WaterfallItem; depth: number; span: Span }[] = [];
  for (const run of treeOrder(conversation.agent_flow)) {
    entries.push({ item: { kind: 'agent', run }, depth: run.depth - 1, span: run });
    const children: { item: WaterfallItem; span: Span }[] = [
      ...run.steps.map((step) => ({ item: { kind: 'model' as const, step, run }, span: step })),
      ...run.tool_calls.map((call) => ({ item: { kind: 'tool' as const, call, run }, span: call })),
      ...run.knowledge_base_lookups.map((lookup) => ({
        item: { kind: 'knowledge_base' as const, lookup, run },
        span: lookup,
      })),
      ...run.guardrails.map((check) => ({
        item: { kind: 'guardrail' as const, check, run },
        span: check,
      })),
    ];
    // Stable: items without a time keep their record order after the timed ones before them.
    children.sort(
      (a, b) =>
        (timeOf(a.span.started_at) ?? Number.POSITIVE_INFINITY) -
        (timeOf(b.span.started_at) ?? Number.POSITIVE_INFINITY),
    );
    for (const child of children) entries.push({ ...child, depth: run.depth });
  }

  const spans = entries.map((entry) => spanOf(entry.span));
  const starts = [timeOf(conversation.timing.started_at), ...spans.map((s) => s.start)].filter(
    (t): t is number => t !== null,
  );
  const ends = [timeOf(conversation.timing.ended_at), ...spans.map((s) => s.end)].filter(
    (t): t is number => t !== null,
  );
  const origin = starts.length > 0 ? Math.min(...starts) : null;
  const last = ends.length > 0 ? Math.max(...ends) : origin;
  const totalMs = origin !== null && last !== null ? Math.max(1, last - origin) : 1;

  const rows = entries.map((entry, i): WaterfallRow => {
    const span = spans[i] as ReturnType<typeof spanOf>;
    const startMs = origin !== null && span.start !== null ? span.start - origin : null;
    const offsetPct = startMs === null ? 0 : Math.min(100, (startMs / totalMs) * 100);
    const widthPct =
      startMs === null || span.duration === null
        ? 0
        : Math.min(100 - offsetPct, Math.max(MIN_WIDTH_PCT, (span.duration / totalMs) * 100));
    return {
      item: entry.item,
      depth: entry.depth,
      startMs,
      durationMs: span.duration,
      offsetPct,
      widthPct,
    };
  });
  return { origin, totalMs, rows };
}
