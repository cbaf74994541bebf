/**
 * Token usage of a conversation: per agent run, per model and per agent, with its estimated cost
 * from the price table. Input tokens exclude prompt-cache reads and writes (Converse's terms), so
 * each of the four counts is priced once.
 */
import { estimateCost, type ModelPrices, priceOf, type TokenCounts } from '../model-prices';
import type { AgentInvocation, Conversation, ConversationMetadata } from '../schema';
import type { RecorderState, StepState } from './recorder-state';

interface Sums {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_write_input_tokens: number;
  model_calls: number;
}

const zero = (): Sums => ({
  input_tokens: 0,
  output_tokens: 0,
  cache_read_input_tokens: 0,
  cache_write_input_tokens: 0,
  model_calls: 0,
});

function add(sum: Sums, usage: TokenCounts | null, modelCalls: number): void {
  sum.input_tokens += usage?.input_tokens ?? 0;
  sum.output_tokens += usage?.output_tokens ?? 0;
  sum.cache_read_input_tokens += usage?.cache_read_input_tokens ?? 0;
  sum.cache_write_input_tokens += usage?.cache_write_input_tokens ?? 0;
  sum.model_calls += modelCalls;
}

const totalOf = (s: Omit<Sums, 'model_calls'>) =>
  s.input_tokens + s.output_tokens + s.cache_read_input_tokens + s.cache_write_input_tokens;

/** A sum of costs that is unknown as soon as one part is. */
const sumCosts = (costs: (number | null)[]): number | null =>
  costs.some((c) => c === null) ? null : costs.reduce<number>((a, c) => a + (c ?? 0), 0);

/** Usage of some steps, model by model. */
function sumsByModel(steps: readonly StepState[]): Map<string, Sums> {
  const byModel = new Map<string, Sums>();
  for (const step of steps) {
    if (step.modelCalls === 0 && step.usage === null) continue;
    const model = step.model ?? 'unknown';
    const sum = byModel.get(model) ?? zero();
    add(sum, step.usage, step.modelCalls);
    byModel.set(model, sum);
  }
  return byModel;
}

/** The cost of some steps, model by model; unknown when a model used has no price. */
const stepsCost = (steps: readonly StepState[], prices: ModelPrices): number | null =>
  sumCosts(
    [...sumsByModel(steps)].map(([model, sum]) => estimateCost(sum, priceOf(prices, model))),
  );

/** The cost is given only when every model used has a price (else it would understate). */
export function usageTotals(state: RecorderState, flow: AgentInvocation[]): Conversation['usage'] {
  const byModel = sumsByModel(state.flow.flatMap((inv) => inv.steps));
  const prices = state.options.modelPrices;
  const by_model = [...byModel.entries()].map(([model, e]) => {
    const cached = e.cache_read_input_tokens + e.cache_write_input_tokens > 0;
    return {
      model,
      input_tokens: e.input_tokens,
      output_tokens: e.output_tokens,
      // Cache counts only for models that used the cache, so uncached models read as before.
      ...(cached
        ? {
            cache_read_input_tokens: e.cache_read_input_tokens,
            cache_write_input_tokens: e.cache_write_input_tokens,
          }
        : {}),
      total_tokens: totalOf(e),
      model_calls: e.model_calls,
      estimated_cost_usd: estimateCost(e, priceOf(prices, model)),
    };
  });
  const totals = zero();
  for (const inv of flow) add(totals, inv.usage, inv.usage.model_calls);
  return {
    ...totals,
    total_tokens: totalOf(totals),
    estimated_cost_usd:
      by_model.length > 0 ? sumCosts(by_model.map((m) => m.estimated_cost_usd)) : null,
    by_model,
  };
}

/** Tokens, model calls and cost of one run, summed over its steps. */
export function invocationUsage(
  steps: readonly StepState[],
  prices: ModelPrices,
): AgentInvocation['usage'] {
  const sum = zero();
  for (const s of steps) add(sum, s.usage, s.modelCalls);
  return {
    ...sum,
    total_tokens: totalOf(sum),
    estimated_cost_usd: sum.model_calls > 0 ? stepsCost(steps, prices) : 0,
  };
}

/** metadata.json's per-agent view: each agent's runs summed, in order of first appearance. */
export function usageByAgent(
  flow: readonly AgentInvocation[],
  conversation: Conversation['usage'],
): ConversationMetadata['usage'] {
  const byAgent = new Map<string, ConversationMetadata['usage']['by_agent'][number]>();
  const costs = new Map<string, (number | null)[]>();
  for (const inv of flow) {
    const entry = byAgent.get(inv.agent_name) ?? {
      agent_name: inv.agent_name,
      runs: 0,
      ...zero(),
      total_tokens: 0,
      estimated_cost_usd: 0,
    };
    entry.runs++;
    add(entry, inv.usage, inv.usage.model_calls);
    entry.total_tokens = totalOf(entry);
    byAgent.set(inv.agent_name, entry);
    costs.set(inv.agent_name, [...(costs.get(inv.agent_name) ?? []), inv.usage.estimated_cost_usd]);
  }
  const by_agent = [...byAgent.values()].map((entry) => ({
    ...entry,
    estimated_cost_usd: sumCosts(costs.get(entry.agent_name) ?? []),
  }));
  return { estimated_cost_usd: conversation.estimated_cost_usd, by_agent };
}
