/**
 * What one question's InvokeAgent-shaped event stream shows, read the way the conversation record
 * reads it: the answer, the collaborators that answered (from `@revbot/monitoring`'s record), the
 * tool calls with their inputs, and the full text of every tool result and knowledge-base
 * passage (the record clips those; grounding needs them whole).
 */
import type { AgentStreamEvent } from '@revbot/agents';
import type { SqlPattern } from '@revbot/agents/knowledge-base';
import { ConversationRecorder } from '@revbot/monitoring';

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
  /** Whether the record's own prompt-leak check passed. */
  recordLeakFree: boolean;
  failed?: string;
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
  const recorder = new ConversationRecorder({
    conversationId: 'eval',
    sessionId: null,
    channel: { kind: 'replay', source: 'revbot eval' },
    userQuery: question,
    startedAt: new Date(),
  });
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
    recordLeakFree:
      record.metadata.quality.checks.find((c) => c.name === 'no_prompt_leakage')?.passed ?? true,
    ...(failed ? { failed } : {}),
  };
}
