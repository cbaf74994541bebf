import { describe, expect, it } from 'vitest';
import { buildConversationRecord } from '../src/build-conversation-record';
import { usageMetrics } from '../src/usage-metrics';
import { loadFixture, replayContext, SLACK_THREAD } from './support/fixtures';

const file = '05-function-action-groups-with-guardrail-pre-post.json';

describe('usageMetrics', () => {
  it('gives the cache tokens, model calls and the cost when every model is priced', () => {
    const record = buildConversationRecord(
      loadFixture(file),
      { ...replayContext(file), channel: SLACK_THREAD },
      {
        modelPrices: {
          'anthropic.claude-3-5-sonnet-20240620-v1:0': { inputPerMillion: 3, outputPerMillion: 15 },
        },
      },
    );
    const metrics = usageMetrics(record);
    const byName = Object.fromEntries(metrics.map((m) => [m.name, m.value]));
    expect(byName).toMatchObject({
      CacheReadInputTokens: 0,
      CacheWriteInputTokens: 0,
      ModelCalls: (JSON.stringify(loadFixture(file)).match(/"modelInvocationOutput"/g) ?? [])
        .length,
    });
    expect(metrics.find((m) => m.name === 'EstimatedCostUSD')?.unit).toBe('None');
    // 4,344 × 3 + 642 × 15 = 13,032 + 9,630 micro-dollars
    expect(byName.EstimatedCostUSD).toBeCloseTo(0.022662, 12);
  });

  it('publishes no cost when a model has no price', () => {
    const record = buildConversationRecord(loadFixture(file), replayContext(file));
    expect(usageMetrics(record).map((m) => m.name)).not.toContain('EstimatedCostUSD');
  });
});
