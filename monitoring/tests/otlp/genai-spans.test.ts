/**
 * The recorded InvokeAgent streams as GenAI spans: the nesting of `invoke_agent` spans is checked
 * against the caller chains read straight from each raw stream (not from the record), and span
 * times against the stream's own event times.
 */
import { describe, expect, it } from 'vitest';
import { buildConversationRecord } from '../../src/build-conversation-record';
import { conversationSpans, type GenAiSpan, genAiConversationId } from '../../src/otlp/genai-spans';
import type { Conversation } from '../../src/schema';
import { loadFixture, manifest, replayContext, SLACK_THREAD } from '../support/fixtures';

interface RawTrace {
  agentId?: string;
  eventTime?: string;
  callerChain?: { agentAliasArn?: string }[];
  trace?: Record<string, Record<string, unknown>>;
}

const rawTraces = (file: string): RawTrace[] =>
  loadFixture(file)
    .map((event) => event.trace as RawTrace | undefined)
    .filter((trace): trace is RawTrace => trace !== undefined);

/** `arn:…:agent-alias/<agentId>/<aliasId>` → agentId. */
const agentOfArn = (arn: string | undefined) => arn?.split('/').at(-2) ?? '?';

/** Every distinct caller chain of the stream, as agent ids from the root down. */
function chainsOf(file: string): string[] {
  const chains = new Set<string>();
  for (const trace of rawTraces(file)) {
    const chain = (trace.callerChain ?? []).map((link) => agentOfArn(link.agentAliasArn));
    if (chain.length > 0) chains.add(chain.join(' > '));
  }
  return [...chains].sort();
}

/** The path of agent ids from the root run down to `span`, following parent span ids. */
function agentPath(span: GenAiSpan, byId: Map<string, GenAiSpan>): string {
  const path: string[] = [];
  for (let at: GenAiSpan | undefined = span; at; at = byId.get(at.parentSpanId ?? '')) {
    if (at.operation === 'invoke_agent') path.unshift(String(at.attributes['gen_ai.agent.id']));
  }
  return path.join(' > ');
}

const observationCount = (file: string, key: string) =>
  rawTraces(file).filter((trace) => {
    const orchestration = trace.trace?.orchestrationTrace as
      | { invocationInput?: Record<string, unknown> }
      | undefined;
    return orchestration?.invocationInput?.[key] !== undefined;
  }).length;

async function recordOf(file: string): Promise<Conversation> {
  const { conversation } = await buildConversationRecord(
    loadFixture(file) as never,
    replayContext(file),
  );
  return conversation;
}

describe('recorded streams as GenAI spans', () => {
  it.each(manifest.map((m) => m.file))(
    '%s: invoke_agent spans nest as the caller chains',
    async (file) => {
      const { spans } = conversationSpans(await recordOf(file));
      const byId = new Map(spans.map((span) => [span.spanId, span]));
      const agentSpans = spans.filter((span) => span.operation === 'invoke_agent');
      const spanChains = [...new Set(agentSpans.map((span) => agentPath(span, byId)))].sort();
      expect(spanChains).toEqual(chainsOf(file));
      // Only the root run has no parent; every other span hangs under an agent run.
      expect(spans.filter((span) => !span.parentSpanId)).toHaveLength(
        chainsOf(file).length > 0 ? 1 : 0,
      );
      for (const span of spans.filter((s) => s.operation !== 'invoke_agent')) {
        expect(byId.get(span.parentSpanId ?? '')?.operation, span.name).toBe('invoke_agent');
      }
    },
  );

  it.each(manifest.map((m) => m.file))(
    '%s: one execute_tool span per action-group call and one retrieval per lookup',
    async (file) => {
      const { spans } = conversationSpans(await recordOf(file));
      const count = (operation: string, name?: RegExp) =>
        spans.filter((s) => s.operation === operation && (!name || name.test(s.name))).length;
      expect(count('execute_tool')).toBeGreaterThanOrEqual(
        observationCount(file, 'actionGroupInvocationInput'),
      );
      expect(count('retrieval')).toBe(observationCount(file, 'knowledgeBaseLookupInput'));
    },
  );

  it.each(manifest.map((m) => m.file))("%s: span times are the stream's times", async (file) => {
    // Every time the stream states: event times and the start and end times in trace metadata.
    const times = [...JSON.stringify(loadFixture(file)).matchAll(/"(\d{4}-\d\d-\d\dT[^"]+Z)"/g)]
      .map((match) => Date.parse(match[1] ?? ''))
      .filter((t) => !Number.isNaN(t));
    const { spans } = conversationSpans(await recordOf(file));
    const earliest = Math.min(...times);
    const latest = Math.max(...times) + 1;
    for (const span of spans) {
      expect(span.startMs, span.name).toBeGreaterThanOrEqual(earliest);
      expect(span.endMs, span.name).toBeLessThanOrEqual(latest);
      expect(span.endMs).toBeGreaterThanOrEqual(span.startMs);
    }
  });

  it('names the conversation by its Slack thread or webhook tracking id', async () => {
    const file = manifest[0]!.file;
    const slack = await buildConversationRecord(loadFixture(file) as never, {
      ...replayContext(file),
      channel: SLACK_THREAD,
    });
    expect(genAiConversationId(slack.conversation)).toBe('T1/C1/1700000000.000100');
    const { spans } = conversationSpans(slack.conversation);
    expect(new Set(spans.map((s) => s.attributes['gen_ai.conversation.id']))).toEqual(
      new Set(['T1/C1/1700000000.000100']),
    );
  });

  it('leaves message content out unless asked, and gives the same ids on every export', async () => {
    const record = await recordOf(manifest[0]!.file);
    const without = conversationSpans(record);
    const withContent = conversationSpans(record, { includeContent: true });
    const keys = (spans: GenAiSpan[]) => spans.flatMap((s) => Object.keys(s.attributes));
    expect(keys(without.spans)).not.toContain('gen_ai.input.messages');
    expect(keys(withContent.spans)).toContain('gen_ai.input.messages');
    expect(JSON.stringify(without.spans)).not.toContain(record.user_query ?? '<none>');
    expect(conversationSpans(record)).toEqual(without);
    expect(without.traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});
