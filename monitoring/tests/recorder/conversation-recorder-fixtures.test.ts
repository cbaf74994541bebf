import { toSdkForm } from '@revbot/testing/fixtures';
import { describe, expect, it } from 'vitest';
import { buildConversationRecord } from '../../src/build-conversation-record';
import { conversationSchema, metadataSchema } from '../../src/schema';
import { loadFixture, manifest, replayContext } from '../support/fixtures';

/** Expected values come from manifest.json, written when the streams were recorded. */
describe.each(manifest)('recorded stream $file', (expected) => {
  const events = loadFixture(expected.file);
  const record = buildConversationRecord(events, replayContext(expected.file));
  const { conversation, metadata } = record;

  it('produces files that validate against the versioned schemas', () => {
    expect(() => conversationSchema.parse(conversation)).not.toThrow();
    expect(() => metadataSchema.parse(metadata)).not.toThrow();
  });

  it('counts the events the recording holds', () => {
    expect(metadata.counts.events).toBe(expected.event_count);
    expect(metadata.counts.trace_events).toBe(expected.trace_events);
    expect(metadata.counts.chunk_events).toBe(expected.chunk_events);
  });

  it('lists the agents in the order they first ran', () => {
    const ids = [...new Set(conversation.agent_flow.map((inv) => inv.agent_id))];
    expect(ids).toEqual(expected.agent_ids_in_order);
  });

  it('records every collaborator call in order', () => {
    const calls = conversation.agent_flow
      .flatMap((inv) => inv.collaborator_calls)
      .sort((a, b) => (a.started_at ?? '').localeCompare(b.started_at ?? ''))
      .map((c) => c.recipient);
    expect(calls).toEqual(expected.collaborator_invocations);
  });

  it('counts one model call per modelInvocationOutput', () => {
    const outputs = Object.entries(expected.trace_kinds)
      .filter(([kind]) => kind.endsWith('.modelInvocationOutput'))
      .reduce((sum, [, n]) => sum + n, 0);
    expect(conversation.usage.model_calls).toBe(outputs);
    expect(metadata.counts.model_calls).toBe(outputs);
  });

  it('assembles the final response the user saw', () => {
    expect(conversation.final_response.text).toBe(expected.final_text);
    expect(conversation.final_response.source).toBe('chunks');
  });

  it('keeps the root session id and the user query', () => {
    expect(conversation.session_id).toBe(expected.request.sessionId);
    expect(conversation.user_query).toBe(expected.request.inputText);
    expect(conversation.agent_flow[0]?.session_id).toBe(expected.request.sessionId);
  });

  it('passes every quality check with no errors', () => {
    expect(conversation.errors).toEqual([]);
    expect(metadata.quality.checks.filter((c) => !c.passed)).toEqual([]);
    expect(metadata.quality.score).toBe(1);
  });

  it('gives the same record for the SDK form of the stream (Date times, Uint8Array bytes)', () => {
    const fromSdk = buildConversationRecord(toSdkForm(events), replayContext(expected.file));
    expect(fromSdk.conversation).toEqual(conversation);
  });
});
