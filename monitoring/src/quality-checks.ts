/**
 * Quality checks on a finished record, each scored 0..1 with a sentence saying why, so a low
 * score in metadata.json points at what to look at.
 */
import type { Conversation, QualityCheck } from './schema';

export interface QualitySignals {
  traceEvents: number;
  unattributedEvents: number;
  events: number;
  misunderstoodEvents: number;
  /** Instruction fragments found in text kept verbatim (tool results, excerpts, user text). */
  leaksKept: number;
  /** Instruction fragments removed from model output before export. */
  fragmentsRedacted: number;
}

const ratio = (good: number, total: number): number => (total === 0 ? 1 : good / total);
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function check(
  name: QualityCheck['name'],
  score: number,
  detail: string,
  weight = 1,
): QualityCheck {
  const rounded = Math.round(Math.min(1, Math.max(0, score)) * 1000) / 1000;
  return { name, passed: rounded === 1, score: rounded, weight, detail };
}

const ms = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

/** Spans whose end precedes their start, steps that start before the previous one, children outside their caller. */
function timingProblems(conversation: Conversation): { checked: number; bad: string[] } {
  let checked = 0;
  const bad: string[] = [];
  const span = (label: string, start: string | null, end: string | null) => {
    const s = ms(start);
    const e = ms(end);
    if (s === null || e === null) return;
    checked++;
    if (e < s) bad.push(`${label} ends before it starts`);
  };
  for (const inv of conversation.agent_flow) {
    span(`${inv.agent_name} (#${inv.index})`, inv.started_at, inv.ended_at);
    let previous: number | null = null;
    for (const step of inv.steps) {
      span(`${inv.agent_name} step ${step.trace_id ?? '?'}`, step.started_at, step.ended_at);
      const start = ms(step.started_at);
      if (start === null) continue;
      checked++;
      if (previous !== null && start < previous) {
        bad.push(`${inv.agent_name} step ${step.trace_id ?? '?'} starts before the step before it`);
      }
      previous = start;
    }
    for (const tool of inv.tool_calls) {
      span(
        `${inv.agent_name} tool ${tool.function ?? tool.api_path ?? tool.action_group ?? '?'}`,
        tool.started_at,
        tool.ended_at,
      );
    }
    const caller =
      inv.caller_index === null ? undefined : conversation.agent_flow[inv.caller_index];
    const start = ms(inv.started_at);
    const end = ms(inv.ended_at);
    const callerStart = ms(caller?.started_at ?? null);
    const callerEnd = ms(caller?.ended_at ?? null);
    if (caller && start !== null && end !== null && callerStart !== null && callerEnd !== null) {
      checked++;
      if (start < callerStart || end > callerEnd) {
        bad.push(`${inv.agent_name} (#${inv.index}) runs outside its caller ${caller.agent_name}`);
      }
    }
  }
  return { checked, bad };
}

export function assessQuality(
  conversation: Conversation,
  signals: QualitySignals,
): { score: number; summary: string; checks: QualityCheck[] } {
  const tools = conversation.agent_flow.flatMap((inv) => inv.tool_calls);
  const answered = tools.filter((t) => t.status !== 'no_result').length;
  const attributed = signals.traceEvents - signals.unattributedEvents;
  const finals = conversation.final_response.text;
  const timings = timingProblems(conversation);
  const invocations = conversation.agent_flow;
  const complete = invocations.filter((inv) => inv.status !== 'incomplete').length;
  const returned = conversation.status === 'returned_control';

  const checks: QualityCheck[] = [
    check(
      'tool_calls_have_results',
      ratio(answered, tools.length),
      tools.length === 0
        ? 'No tool was called.'
        : `${answered} of ${plural(tools.length, 'tool call')} have a recorded result${returned ? ' (returned-control calls count as answered by the caller)' : ''}.`,
    ),
    check(
      'agents_attributed',
      ratio(attributed, signals.traceEvents),
      `${attributed} of ${plural(signals.traceEvents, 'trace event')} name their agent (agentId or callerChain).`,
    ),
    check(
      'final_response_present',
      finals !== null && finals.trim().length > 0 ? 1 : returned ? 1 : 0,
      finals !== null && finals.trim().length > 0
        ? `The final response (${finals.length} characters) came from ${conversation.final_response.source === 'chunks' ? 'the streamed chunks' : 'the final trace'}.`
        : returned
          ? 'The agent returned control to the caller instead of answering.'
          : 'No final response was recorded.',
      2,
    ),
    check(
      'no_prompt_leakage',
      signals.leaksKept === 0 ? 1 : 0,
      signals.leaksKept === 0
        ? `No sentence of the agents' instructions appears in the record${signals.fragmentsRedacted > 0 ? `; ${plural(signals.fragmentsRedacted, 'fragment')} repeated by a model were redacted` : ''}.`
        : `${plural(signals.leaksKept, 'sentence')} of the agents' instructions appear in tool results or excerpts kept verbatim.`,
      2,
    ),
    check(
      'timings_monotonic',
      ratio(timings.checked - timings.bad.length, timings.checked),
      timings.bad.length === 0
        ? `${plural(timings.checked, 'timing')} checked: spans end after they start, steps run in order, collaborators run inside their caller.`
        : `${timings.bad.length} of ${timings.checked} timings out of order: ${timings.bad.slice(0, 3).join('; ')}${timings.bad.length > 3 ? '…' : ''}.`,
    ),
    check(
      'invocations_complete',
      returned ? 1 : ratio(complete, invocations.length),
      invocations.length === 0
        ? 'No agent trace was recorded.'
        : `${complete} of ${plural(invocations.length, 'agent run')} reached an end (final response, failure or guardrail block).`,
    ),
    check(
      'stream_understood',
      ratio(signals.events - signals.misunderstoodEvents, signals.events),
      signals.misunderstoodEvents === 0
        ? `All ${plural(signals.events, 'event')} were understood.`
        : `${signals.misunderstoodEvents} of ${plural(signals.events, 'event')} were malformed, unrecognized or unmatched (see errors).`,
    ),
  ];
  const weight = checks.reduce((sum, c) => sum + c.weight, 0);
  const score =
    Math.round((checks.reduce((sum, c) => sum + c.score * c.weight, 0) / weight) * 1000) / 1000;
  const failed = checks.filter((c) => !c.passed).map((c) => c.name);
  const summary =
    failed.length === 0
      ? `All ${checks.length} quality checks passed.`
      : `${checks.length - failed.length} of ${checks.length} quality checks passed; not passed: ${failed.join(', ')}.`;
  return { score, summary, checks };
}
