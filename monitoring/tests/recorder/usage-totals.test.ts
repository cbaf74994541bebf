/**
 * Tokens and cost per agent and in total, prompt-cache reads and writes included, from usage as
 * RevBot's runtime puts it in `modelInvocationOutput.metadata.usage`.
 */
import { describe, expect, it } from 'vitest';
import { buildConversationRecord } from '../../src/build-conversation-record';
import { conversationSchema, metadataSchema } from '../../src/schema';
import type { ConversationContext } from '../../src/types';
import {
  callCollaborator,
  collaboratorAnswer,
  finish,
  modelInput,
  orchestration,
  trace,
} from '../support/events';
import { SLACK_THREAD } from '../support/fixtures';

const context: ConversationContext = {
  conversationId: 'c-cost',
  channel: SLACK_THREAD,
  userQuery: 'How is the Acme deal going?',
  startedAt: '2026-01-05T10:00:00.000Z',
};
const ROOT = 'MANAGER001';
const DEAL = 'DEALAGENT1';
const at = (s: number) => new Date(Date.UTC(2026, 0, 5, 10, 0, s)).toISOString();
const root = (s: number) => ({ chain: [ROOT], at: at(s), sessionId: 's-1' });
const deal = (s: number) => ({
  chain: [ROOT, DEAL],
  at: at(s),
  collaboratorName: 'deal_analysis_agent',
});
const SONNET = 'us.anthropic.claude-sonnet-4-6';
const HAIKU = 'anthropic.claude-haiku-4-5-20251001-v1:0';

const output = (traceId: string, s: number, usage: Record<string, number>) =>
  orchestration({
    modelInvocationOutput: {
      traceId,
      rawResponse: { content: '' },
      metadata: { startTime: at(s), endTime: at(s + 1), totalTimeMs: 1000, usage },
    },
  });

const events = [
  trace(root(1), modelInput('m-0', 'prompt', SONNET)),
  trace(
    root(1),
    output('m-0', 1, { inputTokens: 1200, outputTokens: 80, cacheWriteInputTokens: 3000 }),
  ),
  trace(root(2), callCollaborator('m-0', DEAL, 'deal_analysis_agent', 'Assess Acme')),
  trace(deal(3), modelInput('d-0', 'prompt', HAIKU)),
  trace(
    deal(3),
    output('d-0', 3, {
      inputTokens: 500,
      outputTokens: 200,
      cacheReadInputTokens: 4000,
      cacheWriteInputTokens: 1000,
    }),
  ),
  trace(deal(5), finish('d-0', 'Acme is healthy.', at(3), at(5))),
  trace(
    root(6),
    collaboratorAnswer('m-0', DEAL, 'deal_analysis_agent', 'd', 'Acme is healthy.', at(2), at(6)),
  ),
  trace(root(6), modelInput('m-1', 'prompt', SONNET)),
  trace(
    root(6),
    output('m-1', 6, { inputTokens: 300, outputTokens: 150, cacheReadInputTokens: 3000 }),
  ),
  trace(root(8), finish('m-1', '**Acme is healthy.**', at(1), at(8))),
];

describe('usage with the prompt cache', () => {
  const { conversation, metadata } = buildConversationRecord(events, context);

  it('totals the four counts per run and per conversation', () => {
    expect(conversation.agent_flow.map((inv) => inv.usage)).toEqual([
      {
        input_tokens: 1500,
        output_tokens: 230,
        cache_read_input_tokens: 3000,
        cache_write_input_tokens: 3000,
        total_tokens: 7730,
        model_calls: 2,
        // 1,500 × 3 + 230 × 15 + 3,000 × 0.30 + 3,000 × 3.75 = 20,100 micro-dollars
        estimated_cost_usd: expect.closeTo(0.0201, 12),
      },
      {
        input_tokens: 500,
        output_tokens: 200,
        cache_read_input_tokens: 4000,
        cache_write_input_tokens: 1000,
        total_tokens: 5700,
        model_calls: 1,
        // 500 × 1 + 200 × 5 + 4,000 × 0.10 + 1,000 × 1.25 = 3,150 micro-dollars
        estimated_cost_usd: expect.closeTo(0.00315, 12),
      },
    ]);
    expect(conversation.usage).toMatchObject({
      input_tokens: 2000,
      output_tokens: 430,
      cache_read_input_tokens: 7000,
      cache_write_input_tokens: 4000,
      total_tokens: 13430,
      model_calls: 3,
    });
    expect(conversation.usage.estimated_cost_usd).toBeCloseTo(0.02325, 12);
    expect(conversation.usage.by_model.map((m) => [m.model, m.cache_read_input_tokens])).toEqual([
      [SONNET, 3000],
      [HAIKU, 4000],
    ]);
    expect(() => conversationSchema.parse(conversation)).not.toThrow();
  });

  it('writes tokens and cost per agent and in total into metadata.json', () => {
    expect(metadata.counts).toMatchObject({
      input_tokens: 2000,
      output_tokens: 430,
      cache_read_input_tokens: 7000,
      cache_write_input_tokens: 4000,
      total_tokens: 13430,
    });
    expect(metadata.usage.by_agent.map((a) => [a.agent_name, a.runs, a.total_tokens])).toEqual([
      ['Manager', 1, 7730],
      ['deal_analysis_agent', 1, 5700],
    ]);
    expect(metadata.usage.by_agent[1]?.estimated_cost_usd).toBeCloseTo(0.00315, 12);
    expect(metadata.usage.estimated_cost_usd).toBeCloseTo(0.02325, 12);
    expect(() => metadataSchema.parse(metadata)).not.toThrow();
  });

  it('leaves the cost unknown, per agent and in total, when one model has no price', () => {
    const { conversation: c, metadata: m } = buildConversationRecord(events, context, {
      modelPrices: {
        'anthropic.claude-sonnet-4-6': {
          inputPerMillion: 3,
          outputPerMillion: 15,
          cacheReadPerMillion: 0.3,
          cacheWritePerMillion: 3.75,
        },
      },
    });
    expect(c.agent_flow[0]?.usage.estimated_cost_usd).toBeCloseTo(0.0201, 12);
    expect(c.agent_flow[1]?.usage.estimated_cost_usd).toBeNull();
    expect(c.usage.estimated_cost_usd).toBeNull();
    expect(m.usage.estimated_cost_usd).toBeNull();
  });

  it('reads Bedrock Agents’ cache counts from the Anthropic response body when metadata has none', () => {
    const raw = JSON.stringify({
      model: 'claude-sonnet-4-6',
      usage: {
        input_tokens: 410,
        output_tokens: 90,
        cache_read_input_tokens: 2600,
        cache_creation_input_tokens: 0,
      },
      type: 'message',
      content: [{ type: 'text', text: 'Done.' }],
    });
    const { conversation: c } = buildConversationRecord(
      [
        trace(root(1), modelInput('b-0', 'prompt', SONNET)),
        trace(
          root(1),
          orchestration({
            modelInvocationOutput: {
              traceId: 'b-0',
              rawResponse: { content: raw },
              metadata: {
                startTime: at(1),
                endTime: at(2),
                totalTimeMs: 1000,
                usage: { inputTokens: 410, outputTokens: 90 },
              },
            },
          }),
        ),
        trace(root(3), finish('b-0', 'Done.', at(1), at(3))),
      ],
      context,
    );
    expect(c.agent_flow[0]?.steps[0]?.usage).toEqual({
      input_tokens: 410,
      output_tokens: 90,
      cache_read_input_tokens: 2600,
      cache_write_input_tokens: 0,
    });
    // 410 × 3 + 90 × 15 + 2,600 × 0.30 = 3,360 micro-dollars
    expect(c.usage.estimated_cost_usd).toBeCloseTo(0.00336, 12);
  });

  it('still reads records written before cache counts and per-agent cost existed', () => {
    const old = structuredClone({ conversation, metadata }) as unknown as {
      conversation: {
        usage: Record<string, unknown>;
        agent_flow: { usage: Record<string, unknown> }[];
      };
      metadata: { counts: Record<string, unknown>; usage?: unknown };
    };
    for (const usage of [
      old.conversation.usage,
      ...old.conversation.agent_flow.map((a) => a.usage),
    ]) {
      delete usage.cache_read_input_tokens;
      delete usage.cache_write_input_tokens;
    }
    for (const run of old.conversation.agent_flow) delete run.usage.estimated_cost_usd;
    delete old.metadata.counts.cache_read_input_tokens;
    delete old.metadata.counts.cache_write_input_tokens;
    delete old.metadata.usage;
    const parsed = conversationSchema.parse(old.conversation);
    expect(parsed.usage.cache_read_input_tokens).toBe(0);
    expect(parsed.agent_flow[0]?.usage.estimated_cost_usd).toBeNull();
    expect(metadataSchema.parse(old.metadata).usage).toEqual({
      estimated_cost_usd: null,
      by_agent: [],
    });
  });
});
