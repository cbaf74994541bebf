import type { LocalSlackMessage } from '@revbot/testing/local-slack-api';
import { describe, expect, it } from 'vitest';
import { MESSAGES_REMEMBERED, slackTerminalView } from '../../src/local/slack-terminal-view';

const message = (ts: string, text: string): LocalSlackMessage => ({
  channel: 'C1',
  ts,
  text,
  user: 'UREVBOT01',
  history: [],
});

describe('the Slack terminal view of pnpm dev', () => {
  it('prints a message once, and again only when its text changes', () => {
    const lines: string[] = [];
    const view = slackTerminalView((line) => lines.push(line));
    view.onMessage(message('1.000001', 'Thinking…'));
    view.onMessage(message('1.000001', 'Thinking…'));
    view.onMessage(message('1.000001', '3 deals close'));
    expect(lines).toEqual(['slack C1 1.000001: Thinking…', 'slack C1 1.000001: 3 deals close']);
  });

  it('remembers a bounded number of messages, forgetting the oldest', () => {
    const lines: string[] = [];
    const view = slackTerminalView((line) => lines.push(line));
    for (let i = 0; i <= MESSAGES_REMEMBERED; i++) view.onMessage(message(`2.${i}`, 'same'));
    expect(lines).toHaveLength(MESSAGES_REMEMBERED + 1);
    // The newest is remembered (not printed again); the first was forgotten (printed again).
    view.onMessage(message(`2.${MESSAGES_REMEMBERED}`, 'same'));
    expect(lines).toHaveLength(MESSAGES_REMEMBERED + 1);
    view.onMessage(message('2.0', 'same'));
    expect(lines).toHaveLength(MESSAGES_REMEMBERED + 2);
  });
});
