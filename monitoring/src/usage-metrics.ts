/**
 * Prompt-cache tokens and estimated cost of one conversation as CloudWatch metrics, beside the
 * input and output tokens `conversationMetrics` gives. Each processor publishes them under its
 * own `service` dimension (slack-processor, webhook-processor), which is what the dashboard plots
 * per channel. Cost is published only when known: a missing price must not pull the sum to zero.
 */
import type { ConversationMetric } from './conversation-metrics';
import type { ConversationRecord } from './types';

/** Metric name of the estimated cost, in US dollars. */
export const ESTIMATED_COST_METRIC = 'EstimatedCostUSD';

export function usageMetrics(record: ConversationRecord): ConversationMetric[] {
  const { usage } = record.conversation;
  return [
    { name: 'CacheReadInputTokens', unit: 'Count', value: usage.cache_read_input_tokens },
    { name: 'CacheWriteInputTokens', unit: 'Count', value: usage.cache_write_input_tokens },
    { name: 'ModelCalls', unit: 'Count', value: usage.model_calls },
    ...(usage.estimated_cost_usd === null
      ? []
      : [{ name: ESTIMATED_COST_METRIC, unit: 'None' as const, value: usage.estimated_cost_usd }]),
  ];
}
