/** One-shot conversion of a whole event stream (tests, replays, the CLI). */
import type { AgentStreamEvent } from '@revbot/agents';
import { ConversationRecorder } from './recorder/conversation-recorder';
import type { ConversationContext, ConversationRecord, RecorderOptions } from './types';

export function buildConversationRecord(
  events: Iterable<AgentStreamEvent | unknown>,
  context: ConversationContext,
  options: RecorderOptions = {},
): ConversationRecord {
  const recorder = new ConversationRecorder(context, options);
  for (const event of events) recorder.add(event);
  return recorder.finish();
}
