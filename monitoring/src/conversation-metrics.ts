/**
 * The per-conversation figures the operations dashboard plots (namespace RevBot), for a processor
 * to publish with Powertools Metrics: `for (const m of conversationMetrics(record)) metrics.addMetric(m.name, m.unit, m.value)`.
 */
import type { ConversationRecord } from './types';

export interface ConversationMetric {
  name: string;
  unit: 'Count' | 'None';
  value: number;
}

export function conversationMetrics(record: ConversationRecord): ConversationMetric[] {
  const { counts, quality } = record.metadata;
  const agentErrors = record.conversation.errors.filter(
    (e) =>
      e.kind === 'agent_failure' || e.kind === 'stream_error' || e.kind === 'incomplete_invocation',
  ).length;
  return [
    { name: 'InputTokens', unit: 'Count', value: counts.input_tokens },
    { name: 'OutputTokens', unit: 'Count', value: counts.output_tokens },
    { name: 'AgentInvocations', unit: 'Count', value: counts.agent_invocations },
    { name: 'ToolCalls', unit: 'Count', value: counts.tool_calls },
    { name: 'ToolErrors', unit: 'Count', value: counts.tool_failures },
    { name: 'AgentErrors', unit: 'Count', value: agentErrors },
    { name: 'GuardrailInterventions', unit: 'Count', value: counts.guardrail_interventions },
    { name: 'ConversationQuality', unit: 'None', value: quality.score },
  ];
}
