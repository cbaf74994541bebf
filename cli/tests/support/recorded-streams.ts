/**
 * The recorded InvokeAgent streams (testing/fixtures/bedrock-traces) moved in time, so records
 * built from them land on the days a test or benchmark wants. Sub-millisecond digits are kept.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  buildConversationRecord,
  type ConversationContext,
  type ConversationSink,
  exportConversation,
  parseSavedStream,
} from '@revbot/monitoring';
import { BEDROCK_TRACES_DIR } from '@revbot/testing/fixtures';

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{1,3})?(\d*)Z$/;

/** Every timestamp of the recorded stream moved by whole milliseconds, sub-millisecond digits kept. */
export function shiftTimestamps(value: unknown, shiftMs: number): unknown {
  if (typeof value === 'string') {
    const match = TIMESTAMP.exec(value);
    if (!match) return value;
    const moved = new Date(Date.parse(`${match[1]}${match[2] ?? ''}Z`) + shiftMs).toISOString();
    return `${moved.slice(0, -1)}${match[3] ?? ''}Z`;
  }
  if (Array.isArray(value)) return value.map((item) => shiftTimestamps(item, shiftMs));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, shiftTimestamps(v, shiftMs)]),
    );
  }
  return value;
}

/** A recorded stream's events and the time of its first event. */
export function readRecordedStream(file: string): { events: unknown[]; firstMs: number } {
  const text = readFileSync(path.join(BEDROCK_TRACES_DIR, file), 'utf8');
  const events = parseSavedStream(text, file);
  const times = [...text.matchAll(/"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)"/g)].map((m) =>
    Date.parse(`${(m[1] as string).slice(0, 23).replace(/Z$/, '')}Z`),
  );
  return { events, firstMs: Math.min(...times) };
}

/** The recorded stream, moved in time so that it starts at `startMs`. */
export function recordedStreamAt(file: string, startMs: number): unknown[] {
  const { events, firstMs } = readRecordedStream(file);
  return shiftTimestamps(events, startMs - firstMs) as unknown[];
}

/** A conversation to record: a recorded stream started at `startMs`, asked in `context`. */
export interface RecordedConversation {
  file: string;
  startMs: number;
  context: ConversationContext;
}

/** Builds each conversation's record as the processors do and exports it to every sink in turn. */
export async function exportRecordedConversations(
  conversations: readonly RecordedConversation[],
  sinks: readonly ConversationSink[],
): Promise<void> {
  for (const { file, startMs, context } of conversations) {
    const record = buildConversationRecord(recordedStreamAt(file, startMs), context);
    for (const sink of sinks) await exportConversation(record, sink);
  }
}
