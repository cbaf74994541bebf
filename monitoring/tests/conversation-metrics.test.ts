import { describe, expect, it } from 'vitest';
import { buildConversationRecord } from '../src/build-conversation-record';
import { conversationMetrics } from '../src/conversation-metrics';
import { EXPORT_FAILURE_METRIC } from '../src/conversation-sink';
import { loadFixture, replayContext } from './support/fixtures';

describe('conversationMetrics', () => {
  it('gives the figures the operations dashboard plots, from the record', () => {
    const file = '05-function-action-groups-with-guardrail-pre-post.json';
    const metrics = conversationMetrics(
      buildConversationRecord(loadFixture(file), replayContext(file)),
    );
    expect(Object.fromEntries(metrics.map((m) => [m.name, m.value]))).toEqual({
      InputTokens: 4344,
      OutputTokens: 642,
      AgentInvocations: 1,
      ToolCalls: 3,
      ToolErrors: 0,
      AgentErrors: 0,
      GuardrailInterventions: 0,
      ConversationQuality: 1,
    });
    expect(
      metrics.every((m) => m.unit === (m.name === 'ConversationQuality' ? 'None' : 'Count')),
    ).toBe(true);
  });

  it('counts a blocked question and a stream that broke off', () => {
    const blocked = '08-guardrail-intervened-on-input.json';
    const cut = '01-supervisor-nested-collaborators.json';
    const a = conversationMetrics(
      buildConversationRecord(loadFixture(blocked), replayContext(blocked)),
    );
    const b = conversationMetrics(
      buildConversationRecord(loadFixture(cut).slice(0, 10), replayContext(cut)),
    );
    expect(a.find((m) => m.name === 'GuardrailInterventions')?.value).toBe(1);
    expect(b.find((m) => m.name === 'AgentErrors')?.value).toBe(3);
  });

  it('names the export-failure metric the monitoring stack alarms on', () => {
    expect(EXPORT_FAILURE_METRIC).toBe('ConversationExportFailures');
  });
});
