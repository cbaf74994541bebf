/** Everything a runtime streams for one question, in order (the stream's error, if any, rethrown). */
import type { AgentStreamEvent } from '../../src';

export async function collectEvents(
  stream: AsyncIterable<AgentStreamEvent>,
): Promise<AgentStreamEvent[]> {
  const events: AgentStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}
