import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MODEL_PRICES,
  estimateCost,
  foundationModelOf,
  modelPricesFromEnv,
  priceOf,
} from '../src/model-prices';

const sonnet = {
  inputPerMillion: 3,
  outputPerMillion: 15,
  cacheReadPerMillion: 0.3,
  cacheWritePerMillion: 3.75,
};

describe('the price table', () => {
  it('prices each of the four counts once: 1M input at $3 + 2M output at $15 + 10M cache reads at $0.30 + 1M cache writes at $3.75', () => {
    const cost = estimateCost(
      {
        input_tokens: 1_000_000,
        output_tokens: 2_000_000,
        cache_read_input_tokens: 10_000_000,
        cache_write_input_tokens: 1_000_000,
      },
      sonnet,
    );
    // 3 + 30 + 3 + 3.75
    expect(cost).toBeCloseTo(39.75, 10);
  });

  it('prices a small call to the fraction of a cent', () => {
    // 1,234 × 3 + 567 × 15 = 3,702 + 8,505 = 12,207 micro-dollars
    expect(estimateCost({ input_tokens: 1234, output_tokens: 567 }, sonnet)).toBeCloseTo(
      0.012207,
      12,
    );
  });

  it('leaves the cost unknown for an unpriced model, or cache use without cache prices, never 0', () => {
    expect(estimateCost({ input_tokens: 10, output_tokens: 10 }, undefined)).toBeNull();
    const noCachePrices = { inputPerMillion: 3, outputPerMillion: 15 };
    expect(
      estimateCost(
        { input_tokens: 10, output_tokens: 10, cache_read_input_tokens: 5 },
        noCachePrices,
      ),
    ).toBeNull();
    expect(
      estimateCost(
        { input_tokens: 10, output_tokens: 10, cache_read_input_tokens: 0 },
        noCachePrices,
      ),
    ).toBeCloseTo(0.00018, 12);
  });

  it('finds a model’s price through inference-profile ids and ARNs', () => {
    expect(foundationModelOf('us.anthropic.claude-sonnet-4-6')).toBe('anthropic.claude-sonnet-4-6');
    expect(foundationModelOf('global.anthropic.claude-haiku-4-5-20251001-v1:0')).toBe(
      'anthropic.claude-haiku-4-5-20251001-v1:0',
    );
    expect(
      foundationModelOf(
        'arn:aws:bedrock:us-east-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-5-20250929-v1:0',
      ),
    ).toBe('anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(priceOf(DEFAULT_MODEL_PRICES, 'us.anthropic.claude-sonnet-4-6')).toEqual(sonnet);
    expect(priceOf(DEFAULT_MODEL_PRICES, 'meta.llama3-3-70b-instruct-v1:0')).toBeUndefined();
    expect(
      estimateCost(
        { input_tokens: 5, output_tokens: 5 },
        priceOf(DEFAULT_MODEL_PRICES, 'revbot.offline-deterministic-v1'),
      ),
    ).toBe(0);
  });

  it('lays MODEL_PRICES over the defaults', () => {
    const prices = modelPricesFromEnv({
      MODEL_PRICES: JSON.stringify({
        'qwen3-32b': { inputPerMillion: 0.2, outputPerMillion: 0.6 },
        'anthropic.claude-sonnet-4-6': { ...sonnet, inputPerMillion: 3.3 },
      }),
    });
    expect(prices['qwen3-32b']).toEqual({ inputPerMillion: 0.2, outputPerMillion: 0.6 });
    expect(prices['anthropic.claude-sonnet-4-6']?.inputPerMillion).toBe(3.3);
    expect(prices['anthropic.claude-haiku-4-5-20251001-v1:0']).toEqual(
      DEFAULT_MODEL_PRICES['anthropic.claude-haiku-4-5-20251001-v1:0'],
    );
    expect(modelPricesFromEnv({})).toBe(DEFAULT_MODEL_PRICES);
  });

  it('stops start-up with one line naming a bad entry', () => {
    expect(() => modelPricesFromEnv({ MODEL_PRICES: '{not json' })).toThrow(
      'Invalid configuration: MODEL_PRICES: must be a JSON object',
    );
    expect(() =>
      modelPricesFromEnv({
        MODEL_PRICES: JSON.stringify({ m: { inputPerMillion: -1, outputPerMillion: 1 } }),
      }),
    ).toThrow(/^Invalid configuration: MODEL_PRICES\.m\.inputPerMillion: /);
    expect(() =>
      modelPricesFromEnv({ MODEL_PRICES: JSON.stringify({ m: { inputPerMillion: 1 } }) }),
    ).toThrow(/MODEL_PRICES\.m\.outputPerMillion/);
  });
});
