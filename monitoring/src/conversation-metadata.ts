/** metadata.json: what was exported, how big, how much happened, and how trustworthy it is. */
import { conversationKeyPrefix } from './conversation-key';
import { assessQuality } from './quality-checks';
import { serializeRawEvents } from './record-serialization';
import type { RecorderStats } from './recorder/recorder-state';
import { usageByAgent } from './recorder/usage-totals';
import {
  CONVERSATION_SCHEMA_VERSION,
  type Conversation,
  type ConversationMetadata,
} from './schema';

export interface MetadataInput {
  conversation: Conversation;
  /** conversation.json exactly as written. */
  body: string;
  stats: RecorderStats;
  leaksKept: number;
  promptsFingerprinted: number;
  fragmentsRedacted: number;
  rawEvents: unknown[] | undefined;
  exportedAt: Date;
}

/** The day folder follows the question's start; a missing or absurd time falls back to export time. */
function folderTime(conversation: Conversation, exportedAt: Date): Date {
  const started = conversation.timing.started_at;
  if (started !== null && /^\d{4}-/.test(started)) return new Date(started);
  return exportedAt;
}

export function buildMetadata(input: MetadataInput): ConversationMetadata {
  const { conversation, stats } = input;
  const flow = conversation.agent_flow;
  const tools = flow.flatMap((inv) => inv.tool_calls);
  const guardrails = flow.flatMap((inv) => inv.guardrails);
  const rawBody = input.rawEvents ? serializeRawEvents(input.rawEvents) : null;
  const quality = assessQuality(conversation, {
    traceEvents: stats.traceEvents,
    unattributedEvents: stats.unattributedEvents,
    events: stats.events,
    misunderstoodEvents: stats.misunderstoodEvents,
    leaksKept: input.leaksKept,
    fragmentsRedacted: input.fragmentsRedacted,
  });
  return {
    schema_version: CONVERSATION_SCHEMA_VERSION,
    exported_at: input.exportedAt.toISOString(),
    conversation_id: conversation.conversation_id,
    session_id: conversation.session_id,
    channel_kind: conversation.channel.kind,
    key_prefix: conversationKeyPrefix(
      folderTime(conversation, input.exportedAt),
      conversation.conversation_id,
    ),
    files: {
      conversation: { bytes: Buffer.byteLength(input.body) },
      raw_events:
        rawBody !== null && input.rawEvents
          ? { bytes: Buffer.byteLength(rawBody), events: input.rawEvents.length }
          : null,
    },
    counts: {
      events: stats.events,
      trace_events: stats.traceEvents,
      chunk_events: stats.chunkEvents,
      return_control_events: stats.returnControlEvents,
      agents: new Set(flow.map((inv) => inv.agent_id)).size,
      agent_invocations: flow.length,
      steps: flow.reduce((n, inv) => n + inv.steps.length, 0),
      model_calls: conversation.usage.model_calls,
      tool_calls: tools.length,
      tool_failures: tools.filter((t) => t.status === 'failure').length,
      knowledge_base_lookups: flow.reduce((n, inv) => n + inv.knowledge_base_lookups.length, 0),
      collaborator_calls: flow.reduce((n, inv) => n + inv.collaborator_calls.length, 0),
      guardrail_checks: guardrails.length,
      guardrail_interventions: guardrails.filter((g) => g.intervened).length,
      errors: conversation.errors.length,
      input_tokens: conversation.usage.input_tokens,
      output_tokens: conversation.usage.output_tokens,
      total_tokens: conversation.usage.total_tokens,
      cache_read_input_tokens: conversation.usage.cache_read_input_tokens,
      cache_write_input_tokens: conversation.usage.cache_write_input_tokens,
    },
    usage: usageByAgent(flow, conversation.usage),
    redaction: {
      prompts_fingerprinted: input.promptsFingerprinted,
      instruction_fragments_redacted: input.fragmentsRedacted,
    },
    quality,
  };
}
