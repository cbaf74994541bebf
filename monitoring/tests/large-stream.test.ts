import { generateStream } from '@revbot/testing/stream-generator';
import { describe, expect, it } from 'vitest';
import { buildConversationRecord } from '../src/build-conversation-record';
import { conversationSchema } from '../src/schema';

describe('a long generated conversation (the benchmark stream, smaller)', () => {
  const stream = generateStream(7, 600_000);
  const { conversation, metadata } = buildConversationRecord(stream.events, {
    conversationId: 'large',
    channel: { kind: 'replay', source: 'generated' },
    userQuery: null,
  });

  it('is as big as asked and the same for the same seed', () => {
    expect(JSON.stringify(stream.events).length).toBeGreaterThanOrEqual(600_000);
    expect(generateStream(7, 600_000).events).toEqual(stream.events);
  });

  it('records every collaborator call and tool call, passes every check and leaks nothing', () => {
    expect(() => conversationSchema.parse(conversation)).not.toThrow();
    expect(metadata.counts.collaborator_calls).toBe(stream.collaboratorCalls);
    expect(metadata.counts.agent_invocations).toBe(stream.collaboratorCalls + 1);
    expect(metadata.counts.tool_calls).toBe(stream.toolCalls);
    expect(conversation.final_response.text).toBe(stream.finalText);
    expect(metadata.quality.checks.filter((c) => !c.passed)).toEqual([]);
    expect(metadata.redaction.instruction_fragments_redacted).toBe(0);
  });
});
