/** What a processor tells the recorder about a conversation, and the recorder's options. */
import type { ModelPrices } from './model-prices';
import type { Channel, Conversation, ConversationMetadata } from './schema';

/** Channel context in the shape the processors hold it (camelCase in, snake_case out). */
export type ChannelContext =
  | {
      kind: 'slack';
      team: string;
      channel: string;
      thread_ts: string;
      user: string;
      event_id: string;
    }
  | {
      kind: 'webhook';
      tracking_id: string;
      source_system: string;
      source_process?: string | null;
      /** The name of the API key the request came with. */
      caller?: string;
    }
  | { kind: 'replay'; source: string };

export interface ConversationContext {
  /** Unique per question; names the export folder. */
  conversationId: string;
  /** The agent session (Slack thread or webhook session). Defaults to the root agent's. */
  sessionId?: string | null;
  channel: ChannelContext;
  /** The user's question as the agents received it; null when unknown (replays). */
  userQuery: string | null;
  /** When the question was received. Defaults to the first time seen in the stream. */
  startedAt?: Date | string | null;
}

export interface RecorderOptions {
  /** Name of the depth-1 agent; traces never carry it. Default "Manager". */
  rootAgentName?: string;
  /** Agent id → name, for agents whose name the stream does not reveal. */
  agentNames?: Record<string, string>;
  /** Longest text kept for tool results, model output and excerpts (characters). Default 4,000. */
  maxTextChars?: number;
  /** Keep a redacted copy of every event for replay (events.json). Off by default. */
  keepRawEvents?: boolean;
  /** Prices for the cost estimate. Default: DEFAULT_MODEL_PRICES (models not in it cost null). */
  modelPrices?: ModelPrices;
  /** Clock for `exported_at`. */
  now?: () => Date;
}

/** What `finish()` returns and sinks write. */
export interface ConversationRecord {
  conversation: Conversation;
  metadata: ConversationMetadata;
  /** Redacted events, in stream order, when `keepRawEvents` was set. */
  rawEvents?: unknown[];
}

export type { Channel };
