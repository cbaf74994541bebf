/** Token usage of a conversation: per agent run, per model, and its estimated cost when priced. */
import type { AgentInvocation, Conversation } from '../schema';
import type { RecorderState, StepState } from './recorder-state';

/** The cost is given only when every model used has a price (else it would understate). */
export function usageTotals(state: RecorderState, flow: AgentInvocation[]): Conversation['usage'] {
  const byModel = new Map<
    string,
    { input_tokens: number; output_tokens: number; model_calls: number }
  >();
  for (const inv of state.flow) {
    for (const step of inv.steps) {
      if (step.modelCalls === 0 && step.usage === null) continue;
      const model = step.model ?? 'unknown';
      const entry = byModel.get(model) ?? { input_tokens: 0, output_tokens: 0, model_calls: 0 };
      entry.input_tokens += step.usage?.input_tokens ?? 0;
      entry.output_tokens += step.usage?.output_tokens ?? 0;
      entry.model_calls += step.modelCalls;
      byModel.set(model, entry);
    }
  }
  const prices = state.options.modelPrices;
  let allPriced = byModel.size > 0;
  const by_model = [...byModel.entries()].map(([model, e]) => {
    const price = prices?.[model];
    if (!price) allPriced = false;
    const cost = price
      ? (e.input_tokens * price.inputPerMillion + e.output_tokens * price.outputPerMillion) / 1e6
      : null;
    return {
      model,
      ...e,
      total_tokens: e.input_tokens + e.output_tokens,
      estimated_cost_usd: cost,
    };
  });
  const totals = flow.reduce(
    (acc, inv) => ({
      input_tokens: acc.input_tokens + inv.usage.input_tokens,
      output_tokens: acc.output_tokens + inv.usage.output_tokens,
      model_calls: acc.model_calls + inv.usage.model_calls,
    }),
    { input_tokens: 0, output_tokens: 0, model_calls: 0 },
  );
  return {
    ...totals,
    total_tokens: totals.input_tokens + totals.output_tokens,
    estimated_cost_usd: allPriced
      ? by_model.reduce((sum, m) => sum + (m.estimated_cost_usd ?? 0), 0)
      : null,
    by_model,
  };
}

/** Tokens and model calls of one run, summed over its steps. */
export function invocationUsage(steps: readonly StepState[]): AgentInvocation['usage'] {
  const usage = { input_tokens: 0, output_tokens: 0, total_tokens: 0, model_calls: 0 };
  for (const s of steps) {
    usage.input_tokens += s.usage?.input_tokens ?? 0;
    usage.output_tokens += s.usage?.output_tokens ?? 0;
    usage.model_calls += s.modelCalls;
  }
  usage.total_tokens = usage.input_tokens + usage.output_tokens;
  return usage;
}
