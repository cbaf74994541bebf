/** Loads the recorded InvokeAgent streams and their expected values (manifest.json). */
import { readFileSync } from 'node:fs';
import { BEDROCK_TRACES_DIR } from '@revbot/testing/fixtures';
import type { ChannelContext, ConversationContext } from '../../src/types';

const dir = `${BEDROCK_TRACES_DIR}/`;

export interface ManifestEntry {
  file: string;
  description: string;
  request: { agentId: string; sessionId: string; inputText: string };
  event_count: number;
  trace_events: number;
  chunk_events: number;
  trace_kinds: Record<string, number>;
  agent_ids_in_order: string[];
  collaborator_invocations: string[];
  final_text: string;
}

export const manifest = JSON.parse(readFileSync(`${dir}manifest.json`, 'utf8')) as ManifestEntry[];

export function fixtureText(file: string): string {
  return readFileSync(`${dir}${file}`, 'utf8');
}

/** Events as saved: ISO-string times, chunk bytes as text. */
export function loadFixture(file: string): Record<string, unknown>[] {
  return JSON.parse(fixtureText(file)) as Record<string, unknown>[];
}

export function entry(prefix: string): ManifestEntry {
  const found = manifest.find((m) => m.file.startsWith(prefix));
  if (!found) throw new Error(`no fixture ${prefix}`);
  return found;
}

export function replayContext(
  file: string,
  overrides: Partial<ConversationContext> = {},
): ConversationContext {
  const m = manifest.find((x) => x.file === file);
  return {
    conversationId: `conv-${file.slice(0, 2)}`,
    channel: { kind: 'replay', source: file },
    userQuery: m?.request.inputText ?? null,
    ...overrides,
  };
}

/** One Slack thread (team T1, channel C1) as the Slack processor reports it. */
export const SLACK_THREAD: ChannelContext = {
  kind: 'slack',
  team: 'T1',
  channel: 'C1',
  thread_ts: '1700000000.000100',
  user: 'U1',
  event_id: 'Ev1',
};
