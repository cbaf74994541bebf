/**
 * The exact bytes written for each file. `finish()` serializes the conversation once to measure
 * it for metadata.json; the sinks reuse that text instead of serializing a second time. Records
 * are treated as immutable once finished.
 */
import type { Conversation, ConversationMetadata } from './schema';

const conversations = new WeakMap<Conversation, string>();
const rawStreams = new WeakMap<unknown[], string>();

const pretty = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

export function serializeConversation(conversation: Conversation): string {
  let body = conversations.get(conversation);
  if (body === undefined) {
    body = pretty(conversation);
    conversations.set(conversation, body);
  }
  return body;
}

export function serializeMetadata(metadata: ConversationMetadata): string {
  return pretty(metadata);
}

/** Raw events are one JSON array, one event per line: replayable with `revbot export`. */
export function serializeRawEvents(events: unknown[]): string {
  let body = rawStreams.get(events);
  if (body === undefined) {
    body =
      events.length === 0 ? '[]\n' : `[\n${events.map((e) => JSON.stringify(e)).join(',\n')}\n]\n`;
    rawStreams.set(events, body);
  }
  return body;
}
