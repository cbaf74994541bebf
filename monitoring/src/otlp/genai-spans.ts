/**
 * A conversation record as OpenTelemetry spans in the GenAI semantic conventions: one
 * `invoke_agent` span per agent run (the supervisor's, each collaborator's nested under the run
 * that called it, by caller chain), `chat` per model call, `execute_tool` per action-group call,
 * `retrieval` per knowledge-base lookup. Times come from the record (the trace's own times), not
 * from when the export runs; ids are derived from the conversation id, so exporting the same
 * record twice yields the same trace. Message content is included only when asked for.
 */
import { createHash } from 'node:crypto';
import type { AgentInvocation, Conversation, KnowledgeBaseLookup, Step, ToolCall } from '../schema';

export type GenAiOperation = 'invoke_agent' | 'chat' | 'execute_tool' | 'retrieval';
export type SpanAttributeValue = string | number | boolean;

export interface GenAiSpan {
  spanId: string;
  parentSpanId?: string;
  name: string;
  operation: GenAiOperation;
  /** Epoch milliseconds. */
  startMs: number;
  endMs: number;
  attributes: Record<string, SpanAttributeValue>;
  /** Set when the step failed; the span's status is then ERROR. */
  error?: string;
}

export interface GenAiTrace {
  traceId: string;
  spans: GenAiSpan[];
}

export interface GenAiSpanOptions {
  /** Add the question, agent inputs and outputs and tool results (off by default). */
  includeContent?: boolean;
}

export const GEN_AI_PROVIDER = 'aws.bedrock';

const hex = (text: string, length: number) =>
  createHash('sha256').update(text).digest('hex').slice(0, length);

/** The conversation's id in its channel: the Slack thread or the webhook tracking id. */
export function genAiConversationId(record: Conversation): string {
  const { channel } = record;
  switch (channel.kind) {
    case 'slack':
      return `${channel.team}/${channel.channel}/${channel.thread_ts}`;
    case 'webhook':
      return channel.tracking_id;
    default:
      return record.conversation_id;
  }
}

const millis = (timestamp: string | null): number | undefined => {
  if (!timestamp) return undefined;
  const value = Date.parse(timestamp);
  return Number.isNaN(value) ? undefined : value;
};

interface Window {
  startMs: number;
  endMs: number;
}

/** A span's window from its own times, else its parent's; never ending before it starts. */
function windowOf(
  own: { started_at: string | null; ended_at: string | null },
  parent: Window,
): Window {
  const startMs = millis(own.started_at) ?? parent.startMs;
  const endMs = millis(own.ended_at) ?? Math.max(startMs, parent.endMs);
  return { startMs, endMs: Math.max(startMs, endMs) };
}

export function conversationSpans(
  record: Conversation,
  options: GenAiSpanOptions = {},
): GenAiTrace {
  const traceId = hex(`trace:${record.conversation_id}`, 32);
  const spanId = (path: string) => hex(`span:${record.conversation_id}:${path}`, 16);
  const common = {
    'gen_ai.provider.name': GEN_AI_PROVIDER,
    'gen_ai.conversation.id': genAiConversationId(record),
  };
  const conversationWindow = conversationWindowOf(record);
  const spans: GenAiSpan[] = [];
  const agentSpans = new Map<number, { id: string; window: Window }>();

  // Callers come before the runs they call in the flow, so a parent is always known first.
  for (const run of [...record.agent_flow].sort((a, b) => a.index - b.index)) {
    const parent = run.caller_index === null ? undefined : agentSpans.get(run.caller_index);
    const window = windowOf(run, parent?.window ?? conversationWindow);
    const id = spanId(`agent:${run.index}`);
    agentSpans.set(run.index, { id, window });
    const agentAttributes = {
      ...common,
      'gen_ai.agent.name': run.agent_name,
      'gen_ai.agent.id': run.agent_id,
    };
    spans.push({
      spanId: id,
      parentSpanId: parent?.id,
      name: `invoke_agent ${run.agent_name}`,
      operation: 'invoke_agent',
      ...window,
      attributes: {
        ...agentAttributes,
        'gen_ai.operation.name': 'invoke_agent',
        ...(run.session_id ? { 'session.id': run.session_id } : {}),
        ...(run.agent_alias_id ? { 'aws.bedrock.agent.alias_id': run.agent_alias_id } : {}),
        'gen_ai.usage.input_tokens': run.usage.input_tokens,
        'gen_ai.usage.output_tokens': run.usage.output_tokens,
        ...(options.includeContent ? agentContent(record, run) : {}),
      },
      error: run.status === 'failed' ? 'the agent run failed' : undefined,
    });
    const agentRun: AgentRun = { spanId: id, window, attributes: agentAttributes };
    run.steps.forEach((step, i) => {
      if (step.model || step.usage)
        spans.push(chatSpan(agentRun, spanId(`agent:${run.index}:step:${i}`), step));
    });
    run.tool_calls.forEach((call, i) => {
      spans.push(toolSpan(agentRun, spanId(`agent:${run.index}:tool:${i}`), call, options));
    });
    run.knowledge_base_lookups.forEach((lookup, i) => {
      spans.push(retrievalSpan(agentRun, spanId(`agent:${run.index}:kb:${i}`), lookup, options));
    });
  }
  return { traceId, spans };
}

function conversationWindowOf(record: Conversation): Window {
  // A record without any time (a stream with no trace timestamps) starts at the epoch.
  const startMs = millis(record.timing.agent_started_at) ?? millis(record.timing.started_at) ?? 0;
  const endMs = millis(record.timing.ended_at) ?? startMs;
  return { startMs, endMs: Math.max(startMs, endMs) };
}

function agentContent(record: Conversation, run: AgentInvocation): Record<string, string> {
  const input = run.caller_index === null ? record.user_query : run.input;
  return {
    ...(input ? { 'gen_ai.input.messages': messages('user', input) } : {}),
    ...(run.output ? { 'gen_ai.output.messages': messages('assistant', run.output) } : {}),
  };
}

/** The conventions' message format: a JSON array of `{role, parts: [{type: 'text', content}]}`. */
const messages = (role: string, text: string) =>
  JSON.stringify([{ role, parts: [{ type: 'text', content: text }] }]);

/** The agent run a model call, tool call or lookup belongs to. */
interface AgentRun {
  spanId: string;
  window: Window;
  attributes: Record<string, SpanAttributeValue>;
}

/** A span under an agent run: its name is the operation and what it acted on. */
function childSpan(
  run: AgentRun,
  spanId: string,
  operation: Exclude<GenAiOperation, 'invoke_agent'>,
  target: string | null,
  timed: { started_at: string | null; ended_at: string | null },
  attributes: Record<string, SpanAttributeValue>,
  error?: string,
): GenAiSpan {
  return {
    spanId,
    parentSpanId: run.spanId,
    name: target ? `${operation} ${target}` : operation,
    operation,
    ...windowOf(timed, run.window),
    attributes: { ...run.attributes, 'gen_ai.operation.name': operation, ...attributes },
    error,
  };
}

const chatSpan = (run: AgentRun, id: string, step: Step): GenAiSpan =>
  childSpan(run, id, 'chat', step.model, step, {
    ...(step.model ? { 'gen_ai.request.model': step.model } : {}),
    ...(step.usage
      ? {
          'gen_ai.usage.input_tokens': step.usage.input_tokens,
          'gen_ai.usage.output_tokens': step.usage.output_tokens,
        }
      : {}),
    'aws.bedrock.step.phase': step.phase,
  });

function toolSpan(run: AgentRun, id: string, call: ToolCall, options: GenAiSpanOptions) {
  const toolName = call.function ?? call.api_path ?? call.action_group ?? call.kind;
  const attributes = {
    'gen_ai.tool.name': toolName,
    'gen_ai.tool.type': 'function',
    ...(call.action_group ? { 'aws.bedrock.action_group': call.action_group } : {}),
    ...(call.invocation_id ? { 'gen_ai.tool.call.id': call.invocation_id } : {}),
    ...(options.includeContent && call.result ? { 'gen_ai.tool.call.result': call.result } : {}),
  };
  const error = call.status === 'failure' ? 'the tool call failed' : undefined;
  return childSpan(run, id, 'execute_tool', toolName, call, attributes, error);
}

const retrievalSpan = (
  run: AgentRun,
  id: string,
  lookup: KnowledgeBaseLookup,
  options: GenAiSpanOptions,
): GenAiSpan =>
  childSpan(run, id, 'retrieval', lookup.knowledge_base_id, lookup, {
    ...(lookup.knowledge_base_id ? { 'gen_ai.data_source.id': lookup.knowledge_base_id } : {}),
    'aws.bedrock.knowledge_base.references': lookup.references.length,
    ...(options.includeContent && lookup.query
      ? { 'gen_ai.retrieval.query.text': lookup.query }
      : {}),
  });
