/**
 * What one question's InvokeAgent-shaped event stream shows, read the way the conversation record
 * reads it: the answer, the collaborators that answered (from `@revbot/monitoring`'s record), the
 * tool calls with their inputs, and the full text of every tool result and knowledge-base
 * passage (the record clips those; grounding needs them whole).
 */
import type { AgentStreamEvent } from '@revbot/agents';
import type { SqlPattern } from '@revbot/agents/knowledge-base';
import { ConversationRecorder, modelPricesFromEnv } from '@revbot/monitoring';

export interface ObservedToolCall {
  agent: string;
  function: string;
  /** The SQL of an `execute_query` call. */
  query?: string;
  /** The SQL pattern the query was rendered from, when it was. */
  pattern?: string;
  /** Warehouse tables the query reads or writes. */
  tables: string[];
}

export interface ObservedRun {
  answer: string;
  /** Collaborators the Manager handed off to, in order of first answer. */
  agents: string[];
  toolCalls: ObservedToolCall[];
  knowledgeBaseLookups: number;
  /** Full tool outputs, passages and tool inputs: what figures may be traced to. */
  evidence: string[];
  modelCalls: number;
  /** Tokens and estimated cost of the run, as its conversation record totals them. */
  usage: RunUsage;
  /** Whether the record's own prompt-leak check passed. */
  recordLeakFree: boolean;
  failed?: string;
}

/** Input excludes cache reads and writes; cost is null when a model used has no price. */
export interface RunUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheWriteInputTokens: number;
  costUsd: number | null;
}

/** Cached share of a run's input: cache reads over all input (uncached, read, written). */
export function cacheShare(usage: RunUsage): number | null {
  const input = usage.inputTokens + usage.cacheReadInputTokens + usage.cacheWriteInputTokens;
  return input === 0 ? null : usage.cacheReadInputTokens / input;
}

/** Several runs' usage summed; the cost is unknown as soon as one run's is. */
export function sumUsage(usages: readonly RunUsage[]): RunUsage {
  return usages.reduce<RunUsage>(
    (sum, u) => ({
      inputTokens: sum.inputTokens + u.inputTokens,
      outputTokens: sum.outputTokens + u.outputTokens,
      cacheReadInputTokens: sum.cacheReadInputTokens + u.cacheReadInputTokens,
      cacheWriteInputTokens: sum.cacheWriteInputTokens + u.cacheWriteInputTokens,
      costUsd: sum.costUsd === null || u.costUsd === null ? null : sum.costUsd + u.costUsd,
    }),
    {
      inputTokens: 0,
      outputTokens: 0,
      cacheReadInputTokens: 0,
      cacheWriteInputTokens: 0,
      costUsd: 0,
    },
  );
}

const decoder = () => new TextDecoder();

/** A pattern's template as a regular expression matching any rendering of it. */
export function patternMatcher(pattern: SqlPattern): RegExp {
  const parts = pattern.sql.split(/\{\{\s*[a-z0-9_]+\s*\}\}/);
  const body = parts
    .map((part) =>
      part
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('\\s+'),
    )
    .join('\\s*[\\s\\S]*?\\s*');
  return new RegExp(`^\\s*${body}\\s*$`, 'i');
}

const TABLE_REF = /\b(?:from|join|into|update)\s+([a-z_][a-z0-9_]*)/gi;

export function tablesOf(sql: string): string[] {
  return [...new Set([...sql.matchAll(TABLE_REF)].map((m) => (m[1] ?? '').toLowerCase()))];
}

/** Reads the stream of one question into what the checks need. */
export function observeRun(
  events: AgentStreamEvent[],
  question: string,
  patterns: readonly SqlPattern[],
  failed?: string,
): ObservedRun {
  const recorder = new ConversationRecorder(
    {
      conversationId: 'eval',
      sessionId: null,
      channel: { kind: 'replay', source: 'revbot eval' },
      userQuery: question,
      startedAt: new Date(),
    },
    // MODEL_PRICES, as the processors read it, for the cost of a converse or openai run.
    { modelPrices: modelPricesFromEnv() },
  );
  const text = decoder();
  let answer = '';
  const evidence: string[] = [question];
  const toolCalls: ObservedToolCall[] = [];
  let knowledgeBaseLookups = 0;
  const matchers = patterns.map((p) => ({ id: p.id, regex: patternMatcher(p) }));
  for (const event of events) {
    recorder.add(event);
    if (event.chunk?.bytes) answer += text.decode(event.chunk.bytes, { stream: true });
    const part = event.trace;
    const orchestration = part?.trace?.orchestrationTrace;
    const input = orchestration?.invocationInput;
    const agent = part?.collaboratorName ?? 'Manager';
    if (input?.actionGroupInvocationInput) {
      const call = input.actionGroupInvocationInput;
      const parameters = call.parameters ?? [];
      const query = parameters.find((p) => p.name === 'query')?.value;
      const table = parameters.find((p) => p.name === 'table')?.value;
      for (const p of parameters) if (p.value) evidence.push(p.value);
      toolCalls.push({
        agent,
        function: call.function ?? call.apiPath ?? 'unknown',
        ...(query ? { query } : {}),
        ...(query ? { pattern: matchers.find((m) => m.regex.test(query))?.id } : {}),
        tables: [...(query ? tablesOf(query) : []), ...(table ? [table] : [])],
      });
    }
    if (input?.knowledgeBaseLookupInput) knowledgeBaseLookups++;
    const observation = orchestration?.observation;
    if (observation?.actionGroupInvocationOutput?.text)
      evidence.push(observation.actionGroupInvocationOutput.text);
    for (const ref of observation?.knowledgeBaseLookupOutput?.retrievedReferences ?? []) {
      if (ref.content?.text) evidence.push(ref.content.text);
    }
  }
  answer += text.decode();
  const record = recorder.finish();
  const agents: string[] = [];
  for (const invocation of record.conversation.agent_flow) {
    if (invocation.depth > 1 && !agents.includes(invocation.agent_name))
      agents.push(invocation.agent_name);
  }
  return {
    answer: answer.trim(),
    agents,
    toolCalls,
    knowledgeBaseLookups,
    evidence,
    modelCalls: record.metadata.counts.model_calls,
    usage: {
      inputTokens: record.conversation.usage.input_tokens,
      outputTokens: record.conversation.usage.output_tokens,
      cacheReadInputTokens: record.conversation.usage.cache_read_input_tokens,
      cacheWriteInputTokens: record.conversation.usage.cache_write_input_tokens,
      // No model call, no cost: the record leaves it null only for want of a price.
      costUsd:
        record.conversation.usage.model_calls === 0
          ? 0
          : record.conversation.usage.estimated_cost_usd,
    },
    recordLeakFree:
      record.metadata.quality.checks.find((c) => c.name === 'no_prompt_leakage')?.passed ?? true,
    ...(failed ? { failed } : {}),
  };
}
