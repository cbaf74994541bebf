/**
 * A conversation record as a terminal timeline: who asked what, each agent run (indented by
 * depth under the agent that handed off to it), its reasoning, routing, tool calls with their
 * parameters, results and durations, knowledge-base lookups, guardrails and errors, each at its
 * offset from the start; then the answer with its sources, usage and the record's quality.
 */
import type {
  AgentInvocation,
  CollaboratorCall,
  Conversation,
  ConversationMetadata,
  GuardrailCheck,
  KnowledgeBaseLookup,
  Step,
  ToolCall,
} from '@revbot/monitoring';
import { formatDuration, formatUtc, oneLine, plural } from './format';

export interface TimelineOptions {
  /** Terminal width; long texts are cut to fit unless `full`. */
  width: number;
  /** Show reasoning, parameters and results in full. */
  full: boolean;
}

interface Item {
  at: number | null;
  order: number;
  render: (indent: number) => string[];
}

const time = (iso: string | null | undefined): number | null => {
  if (!iso) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
};

const number = (value: number): string => value.toLocaleString('en-US');

export function channelLine(conversation: Conversation): string {
  const { channel } = conversation;
  switch (channel.kind) {
    case 'slack':
      return `Slack · team ${channel.team} · channel ${channel.channel} · thread ${channel.thread_ts} · user ${channel.user}`;
    case 'webhook':
      return `webhook · tracking id ${channel.tracking_id} · from ${channel.source_system}${channel.source_process ? ` (${channel.source_process})` : ''}`;
    case 'replay':
      return `replay of ${channel.source}`;
  }
}

export function renderTimeline(
  conversation: Conversation,
  metadata: ConversationMetadata | undefined,
  options: TimelineOptions,
): string[] {
  const origin =
    time(conversation.timing.started_at) ??
    time(conversation.timing.agent_started_at) ??
    time(conversation.agent_flow[0]?.started_at) ??
    0;
  const offsetColumn = 9;
  const textWidth = Math.max(40, options.width - offsetColumn);
  const clip = (text: string | null | undefined, indent: number, reserve = 0) =>
    options.full
      ? (text ?? '').replace(/\s+/g, ' ').trim()
      : oneLine(text, textWidth - indent - reserve);
  const offset = (at: number | null): string => {
    if (at === null) return ' '.repeat(offsetColumn);
    const seconds = (at - origin) / 1000;
    return `+${seconds.toFixed(1)}s`.padEnd(offsetColumn);
  };
  const line = (at: number | null, indent: number, text: string) =>
    `${offset(at)}${' '.repeat(indent)}${text}`;
  const took = (ms: number | null | undefined) =>
    ms === null || ms === undefined ? '' : ` · ${formatDuration(ms)}`;

  const flow = conversation.agent_flow;
  const linked = new Set(
    flow
      .flatMap((run) => run.collaborator_calls.map((call) => call.invocation_index))
      .filter((index): index is number => index !== null),
  );

  const renderRun = (run: AgentInvocation, indent: number): string[] => {
    const items: Item[] = [];
    let order = 0;
    const add = (at: string | null | undefined, render: Item['render']) =>
      items.push({ at: time(at), order: order++, render });

    for (const step of run.steps) {
      const text = stepText(step);
      if (!text) continue;
      add(step.started_at, (i) => [line(time(step.started_at), i, clip(text, i))]);
    }
    for (const call of run.tool_calls) add(call.started_at, (i) => toolLines(call, i));
    for (const lookup of run.knowledge_base_lookups)
      add(lookup.started_at, (i) => lookupLines(lookup, i));
    for (const check of run.guardrails)
      add(check.started_at, (i) => [line(time(check.started_at), i, guardrailText(check))]);
    for (const call of run.collaborator_calls) add(call.started_at, (i) => handoffLines(call, i));
    for (const child of flow.filter((r) => r.caller_index === run.index && !linked.has(r.index))) {
      add(child.started_at, (i) => renderRun(child, i));
    }
    for (const error of conversation.errors.filter((e) => e.agent_index === run.index)) {
      add(error.at, (i) => [
        line(time(error.at), i, clip(`✗ ${error.kind.replace(/_/g, ' ')}: ${error.message}`, i)),
      ]);
    }
    items.sort(
      (a, b) =>
        (a.at ?? Number.POSITIVE_INFINITY) - (b.at ?? Number.POSITIVE_INFINITY) ||
        a.order - b.order,
    );

    const status = run.status === 'completed' ? '' : ` · ${run.status}`;
    const usage = run.usage.total_tokens ? ` · ${number(run.usage.total_tokens)} tokens` : '';
    const lines = [
      line(
        time(run.started_at),
        indent,
        `▶ ${run.agent_name}${took(run.duration_ms)}${usage}${status}`,
      ),
    ];
    for (const item of items) lines.push(...item.render(indent + 2));
    return lines;
  };

  function stepText(step: Step): string | undefined {
    if (step.routing_decision)
      return `⤷ routed to ${step.routing_decision}${took(step.duration_ms)}`;
    if (step.pre_processing) {
      const verdict =
        step.pre_processing.is_valid === false ? 'rejected the input' : 'accepted the input';
      return `pre-processing ${verdict}${step.pre_processing.rationale ? `: ${step.pre_processing.rationale}` : ''}`;
    }
    if (step.post_processing_text) return `post-processing: ${step.post_processing_text}`;
    const thought = step.rationale ?? step.reasoning;
    if (thought) return `· thinks: ${thought}`;
    const note = step.notes[0];
    if (note) return `· ${note.type.replace(/_/g, ' ')}: ${note.text ?? ''}`;
    return undefined;
  }

  function toolLines(call: ToolCall, indent: number): string[] {
    const name =
      call.kind === 'code_interpreter'
        ? 'code interpreter'
        : [
            call.action_group,
            call.function ??
              (call.api_path ? `${call.http_method ?? ''} ${call.api_path}`.trim() : null),
          ]
            .filter(Boolean)
            .join(' › ');
    const parameters = [...call.parameters, ...(call.request_body?.properties ?? [])]
      .map((p) => `${p.name ?? '?'}=${p.value ?? ''}`)
      .join(', ');
    const status = call.status === 'success' ? 'ok' : call.status.replace(/_/g, ' ');
    const head = `⚙ ${name}(${parameters})`;
    const tail = `${took(call.duration_ms)} · ${status}`;
    const lines = [
      line(time(call.started_at), indent, `${clip(head, indent, tail.length)}${tail}`),
    ];
    if (call.code) lines.push(line(null, indent + 2, clip(`code: ${call.code}`, indent + 2)));
    if (call.result !== null) {
      const more =
        call.result_truncated && options.full
          ? ` (${number(call.result_chars)} characters in all)`
          : '';
      lines.push(line(null, indent + 2, `↳ ${clip(call.result, indent + 4)}${more}`));
    }
    return lines;
  }

  function lookupLines(lookup: KnowledgeBaseLookup, indent: number): string[] {
    const head = `⌕ knowledge base${lookup.knowledge_base_id ? ` ${lookup.knowledge_base_id}` : ''}: "${lookup.query ?? ''}" → ${lookup.reference_count} references${took(lookup.duration_ms)}`;
    const lines = [line(time(lookup.started_at), indent, clip(head, indent))];
    const shown = options.full ? lookup.references : lookup.references.slice(0, 3);
    for (const reference of shown) {
      lines.push(
        line(
          null,
          indent + 2,
          clip(`↳ ${reference.source_uri ?? reference.location_type ?? 'reference'}`, indent + 2),
        ),
      );
    }
    if (shown.length < lookup.references.length) {
      lines.push(line(null, indent + 2, `↳ … ${lookup.references.length - shown.length} more`));
    }
    return lines;
  }

  function guardrailText(check: GuardrailCheck): string {
    const findings = check.findings
      .map((f) => `${f.policy}${f.type ? ` ${f.type}` : ''}`)
      .join(', ');
    // Bedrock reports `NONE` when the guardrail let the text through.
    const verdict = check.intervened ? 'INTERVENED' : 'passed';
    return `⛨ guardrail on ${check.stage}: ${verdict}${findings ? ` (${findings})` : ''}${took(check.duration_ms)}`;
  }

  function handoffLines(call: CollaboratorCall, indent: number): string[] {
    const via = call.via === 'routing_classifier' ? ' (routed)' : '';
    const lines = [
      line(
        time(call.started_at),
        indent,
        clip(`→ hands off to ${call.recipient}${via}: "${call.message ?? ''}"`, indent),
      ),
    ];
    const child = call.invocation_index === null ? undefined : flow[call.invocation_index];
    if (child) lines.push(...renderRun(child, indent + 2));
    const returned = call.output === null ? call.status.replace(/_/g, ' ') : `"${call.output}"`;
    lines.push(
      line(
        time(call.ended_at),
        indent,
        clip(`← ${call.recipient} returned${took(call.duration_ms)}: ${returned}`, indent),
      ),
    );
    return lines;
  }

  const lines: string[] = [];
  const { usage, timing } = conversation;
  const cost =
    usage.estimated_cost_usd === null ? '' : ` · ~$${usage.estimated_cost_usd.toFixed(4)}`;
  lines.push(
    `Conversation ${conversation.conversation_id} · ${conversation.status} · ${formatDuration(timing.duration_ms)} · ${number(usage.total_tokens)} tokens${cost}`,
  );
  lines.push(`  ${channelLine(conversation)}`);
  const started = timing.started_at
    ? `started ${formatUtc(timing.started_at)}`
    : 'start time unknown';
  const firstChunk =
    timing.time_to_first_chunk_ms === null
      ? ''
      : ` · first words after ${formatDuration(timing.time_to_first_chunk_ms)}`;
  lines.push(
    `  ${started}${firstChunk}${conversation.session_id ? ` · session ${conversation.session_id}` : ''}`,
  );
  lines.push('', 'Question');
  lines.push(...indentBlock(conversation.user_query ?? '(not recorded)'));
  lines.push('', 'Timeline');
  const roots = flow.filter((run) => run.caller_index === null || !flow[run.caller_index]);
  for (const root of roots) lines.push(...renderRun(root, 0).map((l) => `  ${l}`));
  if (flow.length === 0) lines.push('  (no agent ran)');
  const unattributed = conversation.errors.filter((e) => e.agent_index === null);
  lines.push('', 'Answer');
  lines.push(...indentBlock(conversation.final_response.text ?? '(no answer)'));
  const sources = conversation.final_response.citations
    .flatMap((c) => c.references.map((r) => r.source_uri))
    .filter((uri): uri is string => Boolean(uri));
  const uniqueSources = [...new Set(sources)];
  if (uniqueSources.length > 0) {
    lines.push('', 'Sources');
    uniqueSources.forEach((uri, i) => {
      lines.push(`  [${i + 1}] ${uri}`);
    });
  }
  if (unattributed.length > 0) {
    lines.push('', 'Errors');
    for (const error of unattributed)
      lines.push(
        `  ✗ ${error.kind.replace(/_/g, ' ')}: ${oneLine(error.message, options.width - 4)}`,
      );
  }
  lines.push('');
  const byModel = usage.by_model.map((m) => `${m.model} ${number(m.total_tokens)}`).join(', ');
  lines.push(
    `Usage: ${plural(usage.model_calls, 'model call')}, ${number(usage.input_tokens)} in + ${number(usage.output_tokens)} out tokens${byModel ? ` (${byModel})` : ''}`,
  );
  if (metadata) {
    lines.push(`Quality ${metadata.quality.score.toFixed(2)}: ${metadata.quality.summary}`);
    for (const check of metadata.quality.checks.filter((c) => !c.passed)) {
      lines.push(`  ✗ ${check.name}: ${check.detail}`);
    }
  }
  return lines;
}

function indentBlock(text: string): string[] {
  return text.split('\n').map((l) => (l ? `  ${l}` : ''));
}
