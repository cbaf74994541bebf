/**
 * The price table behind every cost estimate (conversation records, metrics, budgets, eval):
 * USD per million tokens by model id, with Bedrock's on-demand prices for the Claude models
 * RevBot ships with as defaults, and `MODEL_PRICES` (JSON) to add or override entries.
 *
 * A model missing from the table, or one that used the prompt cache without cache prices, has an
 * unknown cost (null), never 0: an estimate that silently leaves a model out understates.
 */
import { parseJsonEnv } from '@revbot/core';
import { z } from 'zod';

const perMillion = z.number().nonnegative().finite();

export const modelPriceSchema = z.strictObject({
  inputPerMillion: perMillion,
  outputPerMillion: perMillion,
  /** Input read from the prompt cache. */
  cacheReadPerMillion: perMillion.optional(),
  /** Input written into the prompt cache. */
  cacheWritePerMillion: perMillion.optional(),
});

export const modelPricesSchema = z.record(z.string().min(1), modelPriceSchema);

export type ModelPrice = z.infer<typeof modelPriceSchema>;
/** USD per million tokens, by model id (foundation model id; profile prefixes are looked through). */
export type ModelPrices = z.infer<typeof modelPricesSchema>;

const sonnet: ModelPrice = {
  inputPerMillion: 3,
  outputPerMillion: 15,
  cacheReadPerMillion: 0.3,
  cacheWritePerMillion: 3.75,
};

/** Bedrock on-demand prices (US Regions, 5-minute cache) of the Claude ids RevBot configures. */
export const DEFAULT_MODEL_PRICES: ModelPrices = {
  'anthropic.claude-sonnet-4-6': sonnet,
  'anthropic.claude-sonnet-4-5-20250929-v1:0': sonnet,
  'anthropic.claude-haiku-4-5-20251001-v1:0': {
    inputPerMillion: 1,
    outputPerMillion: 5,
    cacheReadPerMillion: 0.1,
    cacheWritePerMillion: 1.25,
  },
  // The offline model (agents' OFFLINE_MODEL_ID) runs in process and costs nothing.
  'revbot.offline-deterministic-v1': {
    inputPerMillion: 0,
    outputPerMillion: 0,
    cacheReadPerMillion: 0,
    cacheWritePerMillion: 0,
  },
};

/** Token counts in the record's terms (input excludes cache reads and writes). */
export interface TokenCounts {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_write_input_tokens?: number;
}

/**
 * The foundation model behind an id as traces carry it: an inference profile ARN or id
 * (`us.`, `eu.`, `global.` … prefixes) or a foundation-model ARN.
 */
export function foundationModelOf(modelId: string): string {
  const tail = modelId.startsWith('arn:') ? (modelId.split('/').at(-1) ?? modelId) : modelId;
  return tail.replace(/^(us|eu|apac|jp|au|ca|us-gov|global)\./, '');
}

/** The price of a model: its exact id first, then its foundation model's. */
export function priceOf(prices: ModelPrices, modelId: string): ModelPrice | undefined {
  return prices[modelId] ?? prices[foundationModelOf(modelId)];
}

/** Estimated USD of some tokens at a price; null when a count has no price to multiply. */
export function estimateCost(tokens: TokenCounts, price: ModelPrice | undefined): number | null {
  if (!price) return null;
  const read = tokens.cache_read_input_tokens ?? 0;
  const write = tokens.cache_write_input_tokens ?? 0;
  if (read > 0 && price.cacheReadPerMillion === undefined) return null;
  if (write > 0 && price.cacheWritePerMillion === undefined) return null;
  const microDollars =
    tokens.input_tokens * price.inputPerMillion +
    tokens.output_tokens * price.outputPerMillion +
    read * (price.cacheReadPerMillion ?? 0) +
    write * (price.cacheWritePerMillion ?? 0);
  return microDollars / 1e6;
}

/**
 * The defaults with `MODEL_PRICES` (a JSON object of model id → prices) laid over them; a value
 * that is not valid JSON or not a price table stops start-up with one line naming it.
 */
export function modelPricesFromEnv(
  env: Record<string, string | undefined> = process.env,
): ModelPrices {
  const overrides = parseJsonEnv('MODEL_PRICES', modelPricesSchema, env);
  return overrides ? { ...DEFAULT_MODEL_PRICES, ...overrides } : DEFAULT_MODEL_PRICES;
}
