/**
 * The one scripted AgentRuntime for processor tests: each `ask` replays the next scripted reply
 * (recorded Bedrock events, plain answer text, or a failure after some events) and keeps what it
 * was asked, so tests check sessions and attributes without a model.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AgentRuntime, AgentStreamEvent, AskInput } from '@revbot/agents';
import { BEDROCK_TRACES_DIR } from './fixtures';

export type ScriptedReply =
  | {
      /** None: the call fails before the stream starts. */
      events?: AgentStreamEvent[];
      /** Thrown after the events, as a stream failing part-way. */
      error?: Error;
      /** Called before each event is yielded (advance a fake clock, say). */
      beforeEach?: (index: number) => void;
    }
  | { text: string };

export interface ScriptedAgentRuntime extends AgentRuntime {
  asked: AskInput[];
  /** Replies in order; the last one repeats. */
  script(...replies: ScriptedReply[]): void;
}

const encoder = new TextEncoder();

/** A chunk event as the SDK yields it. */
export const chunk = (text: string): AgentStreamEvent => ({
  chunk: { bytes: encoder.encode(text) },
});

/** A recorded stream from `fixtures/bedrock-traces`, chunk bytes as the SDK yields them. */
export function recordedStream(file: string): AgentStreamEvent[] {
  const raw = JSON.parse(readFileSync(path.join(BEDROCK_TRACES_DIR, file), 'utf8')) as Record<
    string,
    { bytes?: string }
  >[];
  return raw.map((event) =>
    event.chunk
      ? ({
          chunk: { ...event.chunk, bytes: encoder.encode(event.chunk.bytes ?? '') },
        } as AgentStreamEvent)
      : (event as unknown as AgentStreamEvent),
  );
}

/** A stream that only answers `text`, in a few chunks as final-response streaming does. */
export function answerStream(text: string): AgentStreamEvent[] {
  const bytes = encoder.encode(text);
  const size = Math.max(1, Math.ceil(bytes.length / 3));
  const events: AgentStreamEvent[] = [];
  for (let i = 0; i < bytes.length; i += size) {
    events.push({ chunk: { bytes: bytes.slice(i, i + size) } });
  }
  return events;
}

export function scriptedAgentRuntime(...initial: ScriptedReply[]): ScriptedAgentRuntime {
  let replies = initial;
  const asked: AskInput[] = [];
  return {
    name: 'scripted',
    asked,
    script(...next) {
      replies = next;
    },
    ask(input) {
      asked.push(input);
      const reply = replies.length > 1 ? (replies.shift() as ScriptedReply) : replies[0];
      return (async function* () {
        if (!reply) throw new Error('no scripted reply');
        if ('text' in reply) {
          yield chunk(reply.text);
          return;
        }
        for (const [index, event] of (reply.events ?? []).entries()) {
          reply.beforeEach?.(index);
          yield event;
        }
        if (reply.error) throw reply.error;
      })();
    },
  };
}
