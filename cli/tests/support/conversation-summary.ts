/** A conversation summary for the viewer's unit tests: sensible defaults, the fields a test sets. */
import type { ConversationSummary } from '../../src/viewer/conversation-summary';

export function summary(overrides: Partial<ConversationSummary>): ConversationSummary {
  return {
    key: 'conversation-history/2026/11/20/x/',
    path: '2026/11/20/x',
    id: 'x',
    startedAt: Date.parse('2026-11-20T10:00:00Z'),
    day: '2026-11-20',
    channelKind: 'slack',
    channel: 'C1',
    user: 'U1',
    agents: ['Manager'],
    status: 'completed',
    durationMs: 1000,
    totalTokens: 0,
    costUsd: null,
    toolCalls: 0,
    errors: 0,
    quality: 1,
    feedback: { positive: 0, negative: 0 },
    question: 'q',
    sql: [],
    searchText: 'q',
    ...overrides,
  };
}
