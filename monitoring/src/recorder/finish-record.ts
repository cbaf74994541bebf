/**
 * Closes a conversation record: the agent flow, the final response, timing, usage and status
 * (conversation.json), then the metadata with its quality checks (metadata.json).
 */
import { buildMetadata } from '../conversation-metadata';
import { redactRawEvents } from '../raw-stream';
import { serializeConversation } from '../record-serialization';
import {
  type Channel,
  CONVERSATION_SCHEMA_VERSION,
  type Conversation,
  type ConversationStatus,
} from '../schema';
import { isoOrNull, toMillis } from '../trace-fields';
import { durationBetween } from '../trace-readers';
import type { ChannelContext, ConversationRecord } from '../types';
import { agentFlow, collaborationMap } from './agent-flow';
import { createRecordScrubber } from './record-scrubber';
import type { RecorderState } from './recorder-state';
import { usageTotals } from './usage-totals';

/** Both export files (and the redacted raw events when kept) from what the stream told. */
export function finishRecord(state: RecorderState): ConversationRecord {
  const tail = state.decoder.decode();
  if (tail) state.chunkText += tail;
  const scrubber = createRecordScrubber(state.guard);
  const { guard, keep, scrubOnce } = scrubber;

  const flow = agentFlow(state, scrubber);

  const finalFromChunks = state.chunkSeen ? state.chunkText : null;
  const finalText = scrubOnce(finalFromChunks ?? state.root?.output ?? null);
  const finalSource =
    finalFromChunks !== null ? 'chunks' : finalText !== null ? 'finish_trace' : 'none';
  const citations = state.citations.map((c) => ({
    text: guard.scrub(c.text),
    span: c.span,
    references: c.references.map((r) => ({ ...r, excerpt: keep(r.excerpt) })),
  }));
  keep(state.context.userQuery);

  const startedAtMs = toMillis(state.context.startedAt ?? null);
  const agentStart = state.flow.reduce<number | null>(
    (min, inv) =>
      inv.bounds.min !== null && (min === null || inv.bounds.min < min) ? inv.bounds.min : min,
    state.streamBounds.min,
  );
  const agentEnd = state.flow.reduce<number | null>(
    (max, inv) =>
      inv.bounds.max !== null && (max === null || inv.bounds.max > max) ? inv.bounds.max : max,
    state.streamBounds.max,
  );
  const startMs = startedAtMs ?? agentStart;
  const endMs =
    agentEnd === null ? null : startMs === null ? agentEnd : Math.max(agentEnd, startMs);

  const conversation: Conversation = {
    schema_version: CONVERSATION_SCHEMA_VERSION,
    conversation_id: state.context.conversationId,
    session_id: state.context.sessionId ?? state.root?.sessionId ?? null,
    channel: channelOf(state.context.channel),
    user_query: state.context.userQuery,
    status: conversationStatus(state, finalText !== null),
    final_response: { text: finalText, source: finalSource, citations },
    timing: {
      started_at: isoOrNull(startMs),
      agent_started_at: isoOrNull(agentStart),
      first_chunk_at: isoOrNull(state.firstChunkMs),
      ended_at: isoOrNull(endMs),
      duration_ms: durationBetween(startMs, endMs),
      agent_duration_ms: durationBetween(agentStart, agentEnd),
      time_to_first_chunk_ms: durationBetween(startMs, state.firstChunkMs),
    },
    usage: usageTotals(state, flow),
    agent_flow: flow,
    collaboration_map: collaborationMap(flow),
    errors: state.errors,
  };

  const rawEvents = state.options.keepRawEvents
    ? redactRawEvents(state.rawEvents, guard, state.promptFingerprints)
    : undefined;
  const body = serializeConversation(conversation);
  const metadata = buildMetadata({
    conversation,
    body,
    stats: state.stats,
    leaksKept: scrubber.leaksKept,
    promptsFingerprinted: guard.promptsFingerprinted,
    fragmentsRedacted: guard.fragmentsRedacted,
    rawEvents,
    exportedAt: (state.options.now ?? (() => new Date()))(),
  });
  return rawEvents ? { conversation, metadata, rawEvents } : { conversation, metadata };
}

function conversationStatus(state: RecorderState, hasFinalResponse: boolean): ConversationStatus {
  const root = state.root;
  if (
    root?.blocked ||
    state.flow.some((inv) => inv.guardrails.some((g) => g.check.intervened) && !root?.finished)
  ) {
    return 'blocked_by_guardrail';
  }
  if (state.returnedControl) return 'returned_control';
  if (state.streamFailed || state.flow.some((inv) => inv.failed)) return 'failed';
  if (root ? root.finished : hasFinalResponse) return 'completed';
  return 'incomplete';
}

function channelOf(context: ChannelContext): Channel {
  switch (context.kind) {
    case 'slack':
      return {
        kind: 'slack',
        team: context.team,
        channel: context.channel,
        thread_ts: context.thread_ts,
        user: context.user,
        event_id: context.event_id,
      };
    case 'webhook':
      return {
        kind: 'webhook',
        tracking_id: context.tracking_id,
        source_system: context.source_system,
        source_process: context.source_process ?? null,
        ...(context.caller ? { caller: context.caller } : {}),
      };
    default:
      return { kind: 'replay', source: context.source };
  }
}
