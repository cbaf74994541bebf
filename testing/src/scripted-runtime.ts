/**
 * A scripted AgentRuntime for processor tests: replays recorded InvokeAgent events (chunk bytes
 * as the SDK yields them) or a given answer, optionally failing part-way like a real stream.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { AgentRuntime, AgentStreamEvent, AskInput } from '@revbot/agents';
import { BEDROCK_TRACES_DIR } from './fixtures';

const FIXTURES = BEDROCK_TRACES_DIR;

/** A recorded stream from the fixtures, chunks as bytes. */
export function recordedStream(file: string): AgentStreamEvent[] {
  const events = JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as Record<
    string,
    unknown
  >[];
  return events.map((event) => {
    const chunk = event.chunk as { bytes: string } | undefined;
    if (chunk) return { chunk: { ...chunk, bytes: new TextEncoder().encode(chunk.bytes) } };
    return event as AgentStreamEvent;
  });
}

/** A stream that only answers `text` (in a few chunks, as final-response streaming does). */
export function answerStream(text: string): AgentStreamEvent[] {
  const bytes = new TextEncoder().encode(text);
  const size = Math.max(1, Math.ceil(bytes.length / 3));
  const events: AgentStreamEvent[] = [];
  for (let i = 0; i < bytes.length; i += size) {
    events.push({ chunk: { bytes: bytes.slice(i, i + size) } });
  }
  return events;
}

export interface ScriptedRuntime extends AgentRuntime {
  asked: AskInput[];
}

export interface Script {
  events: AgentStreamEvent[];
  /** Thrown after the events. */
  failWith?: Error;
  /** Called before each event is yielded (advance a fake clock, say). */
  beforeEach?: (index: number) => void;
}

/** Each ask plays the next script (the last one repeats). */
export function scriptedRuntime(...scripts: Script[]): ScriptedRuntime {
  const asked: AskInput[] = [];
  return {
    name: 'scripted',
    asked,
    ask(input) {
      asked.push(input);
      const script = scripts.length > 1 ? scripts.shift()! : scripts[0]!;
      return (async function* () {
        for (const [index, event] of script.events.entries()) {
          script.beforeEach?.(index);
          yield event;
        }
        if (script.failWith) throw script.failWith;
      })();
    },
  };
}
