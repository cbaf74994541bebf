import { type LocalSlackApi, startLocalSlackApi } from '@revbot/testing/local-slack-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackWebClients } from '../../shared/slack/slack-web-client';
import {
  isMidThread,
  readThreadContext,
  THREAD_CONTEXT_LIMITS,
  TITLE_CHARS,
  threadTitle,
  withThreadContext,
} from '../../slack-processor/thread-context';

describe('withThreadContext', () => {
  it('leaves a question with no earlier messages as it is', () => {
    expect(withThreadContext('How is IXIS doing?', [])).toBe('How is IXIS doing?');
  });

  it('puts the question first and the earlier messages after it, marked as context, one line each', () => {
    const text = withThreadContext('Should we worry?', [
      { author: '@U1', text: 'Acme wants 15% off', ts: '1.1' },
      { author: 'another app', text: 'Deal moved to\nNegotiate', ts: '1.2' },
    ]);
    expect(text.split('\n')).toEqual([
      'Should we worry?',
      '',
      '<slack_thread_context>',
      expect.stringMatching(/^Earlier messages .* Context only: answer the question above/),
      '@U1: Acme wants 15% off',
      'another app: Deal moved to Negotiate',
      '</slack_thread_context>',
    ]);
  });
});

describe('threadTitle', () => {
  it('is the first line of a short question', () => {
    expect(threadTitle('Pipeline by segment?\nand by owner')).toBe('Pipeline by segment?');
  });

  it(`cuts a long question at a word before ${TITLE_CHARS} characters`, () => {
    const title = threadTitle(
      'Which of the enterprise renewals closing next quarter have no economic buyer identified yet?',
    );
    expect(title).toBe('Which of the enterprise renewals closing next quarter have…');
    expect(title.length).toBeLessThanOrEqual(TITLE_CHARS);
  });
});

describe('isMidThread', () => {
  it('is true for a reply in a thread, false for a message that starts one', () => {
    expect(isMidThread({ threadTs: '1.1', messageTs: '1.2' })).toBe(true);
    expect(isMidThread({ threadTs: '1.1', messageTs: '1.1' })).toBe(false);
  });
});

describe('readThreadContext, against the local Slack API', () => {
  const TOKEN = 'xoxb-thread-context';
  const BOT = 'U0REVBOT1';
  let slack: LocalSlackApi;
  beforeAll(async () => {
    slack = await startLocalSlackApi({ botToken: TOKEN, botUserId: BOT });
  });
  afterAll(() => slack.close());
  const client = () => slackWebClients({ apiUrl: slack.url, timeoutMs: 2_000, retries: 0 })(TOKEN);

  /** A thread of `count` messages by people, the last one asking RevBot; returns where. */
  function thread(channel: string, count: number, text: (i: number) => string) {
    const root = slack.postAsUser({ channel, user: 'U0PERSON1', text: text(0) });
    for (let i = 1; i < count; i++) {
      slack.postAsUser({ channel, user: 'U0PERSON1', text: text(i), thread_ts: root });
    }
    const messageTs = slack.postAsUser({
      channel,
      user: 'U0PERSON1',
      text: `<@${BOT}> sum it up`,
      thread_ts: root,
    });
    return { channel, threadTs: root, messageTs, botUserId: BOT };
  }

  it('reads a long thread page by page and keeps its last 20 messages before the question', async () => {
    const place = thread('C0LONG001', 450, (i) => `message ${i}`);
    const context = await readThreadContext(await client(), place);
    expect(context.messages.map((m) => m.text)).toEqual(
      Array.from({ length: THREAD_CONTEXT_LIMITS.messages }, (_, i) => `message ${430 + i}`),
    );
    expect(context.answeredBefore).toBe(false);
    const pages = slack.calls.filter(
      (c) => c.method === 'conversations.replies' && c.args.channel === 'C0LONG001',
    );
    expect(pages).toHaveLength(3);
  });

  it(`keeps the newest messages that fit in ${THREAD_CONTEXT_LIMITS.chars} characters`, async () => {
    const place = thread('C0WORDY01', 10, (i) => `${i}`.padEnd(1_000, '.'));
    const context = await readThreadContext(await client(), place);
    expect(context.messages.map((m) => m.text[0])).toEqual(['4', '5', '6', '7', '8', '9']);
  });
});
