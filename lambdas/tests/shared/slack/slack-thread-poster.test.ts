import { RetryableError, RevbotError } from '@revbot/core';
import { type LocalSlackApi, startLocalSlackApi } from '@revbot/testing/local-slack-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackThreadPosters } from '../../../shared/slack/slack-thread-poster';
import { toSlackApiError } from '../../../shared/slack/slack-web-client';

const BOT_TOKEN = 'xoxb-poster-token';
const CHANNEL = 'C0POSTER01';

let slack: LocalSlackApi;
beforeAll(async () => {
  slack = await startLocalSlackApi({ botToken: BOT_TOKEN, botUserId: 'U0BOT', teamId: 'T0TEAM' });
});
afterAll(() => slack.close());

const poster = (retries = 0, token = BOT_TOKEN) =>
  slackThreadPosters({ apiUrl: slack.url, timeoutMs: 2_000, retries })(token);

describe('the placeholder poster', () => {
  it('posts in the thread and takes the message back, as the Web API would', async () => {
    const threadTs = slack.postAsUser({ channel: CHANNEL, user: 'U0ASKER', text: 'How is Acme?' });
    const posted = await poster().postMessage({
      channel: CHANNEL,
      thread_ts: threadTs,
      text: 'Looking…',
    });
    expect(posted.ts).toMatch(/^\d+\.\d+$/);
    expect(slack.thread(CHANNEL, threadTs).map((m) => m.text)).toEqual([
      'How is Acme?',
      'Looking…',
    ]);

    await poster().delete({ channel: CHANNEL, ts: posted.ts as string });
    expect(slack.thread(CHANNEL, threadTs).map((m) => m.text)).toEqual(['How is Acme?']);
  });

  it("fails with Slack's error code, classified as the Web API client's errors are", async () => {
    const failure = await poster(0, 'xoxb-wrong')
      .postMessage({ channel: CHANNEL, text: 'x' })
      .catch((error: unknown) => toSlackApiError(error, 'chat.postMessage'));
    expect(failure).toBeInstanceOf(RevbotError);
    expect(failure).not.toBeInstanceOf(RetryableError);
    expect((failure as RevbotError).message).toBe('Slack chat.postMessage failed: invalid_auth');
  });

  it('retries a 5xx once when allowed, and reports a second one as retryable', async () => {
    slack.inject('chat.postMessage', { status: 503 });
    const posted = await poster(1).postMessage({ channel: CHANNEL, text: 'after a 503' });
    expect(posted.ts).toBeDefined();

    slack.inject('chat.postMessage', { status: 503 });
    const failure = await poster(0)
      .postMessage({ channel: CHANNEL, text: 'x' })
      .catch((error: unknown) => toSlackApiError(error, 'chat.postMessage'));
    expect(failure).toBeInstanceOf(RetryableError);
    expect((failure as RevbotError).message).toBe('Slack chat.postMessage failed with HTTP 503');
  });

  it('never waits out a rate limit: Slack retries the event instead', async () => {
    slack.inject('chat.postMessage', { status: 429, retryAfter: 30 });
    const calls = slack.calls.length;
    const failure = await poster(1)
      .postMessage({ channel: CHANNEL, text: 'x' })
      .catch((error: unknown) => toSlackApiError(error, 'chat.postMessage'));
    expect(failure).toBeInstanceOf(RetryableError);
    expect((failure as RevbotError).code).toBe('SLACK_RATE_LIMITED');
    expect(slack.calls.length - calls).toBe(1);
  });
});
