import { RetryableError } from '@revbot/core';
import { type LocalSlackApi, startLocalSlackApi } from '@revbot/testing/local-slack-api';
import { recordingLogger } from '@revbot/testing/recording-logger';
import {
  ASKER,
  appMentionBody,
  BOT_USER,
  buttonClickBody,
  CHANNEL,
  signedRequest,
  TEAM,
} from '@revbot/testing/slack-requests';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { encodeFeedbackValue, FEEDBACK_ACTION_IDS } from '../../shared/slack/feedback-buttons';
import { staticSlackCredentials } from '../../shared/slack/slack-credentials';
import {
  slackPlatformError,
  slackWebClients,
  toSlackApiError,
} from '../../shared/slack/slack-web-client';
import { inMemoryEventClaims } from '../../slack-handler/event-claims';
import { arrayQueuePublisher } from '../../slack-handler/queue-publisher';
import { createSlackHandler, PLACEHOLDER_TEXT } from '../../slack-handler/slack-handler';

const SIGNING_SECRET = 'test-signing-secret-0123456789ab';
const BOT_TOKEN = 'xoxb-test-token';

let slack: LocalSlackApi;
beforeAll(async () => {
  slack = await startLocalSlackApi({ botToken: BOT_TOKEN, botUserId: BOT_USER, teamId: TEAM });
});
afterAll(() => slack.close());

function setup(options: { failQueue?: number } = {}) {
  const queue = arrayQueuePublisher();
  const logger = recordingLogger();
  let failures = options.failQueue ?? 0;
  const claims = inMemoryEventClaims();
  const gateway = createSlackHandler({
    credentials: staticSlackCredentials({ botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET }),
    slackClient: slackWebClients({ apiUrl: slack.url, timeoutMs: 2_000, retries: 0, logger }),
    claims,
    queue: {
      async publish(message) {
        if (failures > 0) {
          failures--;
          throw Object.assign(new Error('queue down'), { retryable: true });
        }
        await queue.publish(message);
      },
    },
    logger,
    newConversationId: (() => {
      let n = 0;
      return () => `conv-${++n}`;
    })(),
  });
  return { gateway, queue, claims, logger };
}

const sign = (body: string, options: Partial<Parameters<typeof signedRequest>[1]> = {}) =>
  signedRequest(body, { signingSecret: SIGNING_SECRET, ...options });

beforeEach(() => {
  slack.calls.length = 0;
  slack.messages.clear();
});

describe('POST /slack/events', () => {
  it('answers url_verification with the challenge', async () => {
    const { gateway } = setup();
    const body = JSON.stringify({ token: 'x', challenge: 'c-123', type: 'url_verification' });
    const response = await gateway(sign(body));
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ challenge: 'c-123' });
  });

  it('refuses a request with a bad signature with 401 and a short JSON error, queuing nothing', async () => {
    const { gateway, queue } = setup();
    const request = sign(appMentionBody());
    request.headers['X-Slack-Signature'] = `v0=${'0'.repeat(64)}`;
    const response = await gateway(request);
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body)).toEqual({
      success: false,
      error: { code: 'INVALID_SIGNATURE', message: 'X-Slack-Signature does not match' },
    });
    expect(queue.messages).toHaveLength(0);
    expect(slack.calls).toHaveLength(0);
  });

  it('refuses a request without signature headers and one signed too long ago', async () => {
    const { gateway, queue } = setup();
    const unsigned = sign(appMentionBody());
    unsigned.headers = { 'Content-Type': 'application/json' };
    unsigned.multiValueHeaders = {};
    expect((await gateway(unsigned)).statusCode).toBe(401);
    const stale = sign(appMentionBody(), { nowSeconds: Math.floor(Date.now() / 1000) - 301 });
    const response = await gateway(stale);
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body).error.code).toBe('STALE_TIMESTAMP');
    expect(queue.messages).toHaveLength(0);
  });

  it('verifies base64-encoded bodies over the bytes Slack sent', async () => {
    const { gateway, queue } = setup();
    const body = appMentionBody({ text: `<@${BOT_USER}> Ünïcödé pipeline — €?` });
    expect((await gateway(sign(body, { base64: true }))).statusCode).toBe(200);
    expect(queue.messages[0]).toMatchObject({ question: 'Ünïcödé pipeline — €?' });
  });

  it('posts a placeholder in the thread and queues one message with what the processor needs', async () => {
    const { gateway, queue } = setup();
    const response = await gateway(sign(appMentionBody({ ts: '1763890000.000100' })));
    expect(response.statusCode).toBe(200);

    const posted = slack.calls.filter((c) => c.method === 'chat.postMessage');
    expect(posted).toHaveLength(1);
    expect(posted[0]?.args).toMatchObject({
      channel: CHANNEL,
      thread_ts: '1763890000.000100',
      text: PLACEHOLDER_TEXT,
    });
    const placeholder = slack.thread(CHANNEL, '1763890000.000100')[0];
    expect(queue.messages).toEqual([
      {
        kind: 'question',
        version: 1,
        conversation_id: 'conv-1',
        event_id: 'Ev0REVBOT01',
        team: TEAM,
        channel: CHANNEL,
        thread_ts: '1763890000.000100',
        message_ts: '1763890000.000100',
        user: ASKER,
        question: 'How is the Acme Corp deal doing?',
        placeholder_ts: placeholder?.ts,
        received_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
  });

  it('never answers twice: a Slack retry and a re-delivered event id are acknowledged and dropped', async () => {
    const { gateway, queue, logger } = setup();
    const body = appMentionBody({ eventId: 'Ev0DUP0001' });
    expect((await gateway(sign(body))).statusCode).toBe(200);
    expect((await gateway(sign(body, { retryNum: 1 }))).statusCode).toBe(200);
    expect((await gateway(sign(body, { retryNum: 2 }))).statusCode).toBe(200);
    expect((await gateway(sign(body))).statusCode).toBe(200);
    expect(queue.messages).toHaveLength(1);
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
    expect(logger.entries.filter((e) => e.message === 'Slack event already handled')).toHaveLength(
      3,
    );
  });

  it('acknowledges events it must not answer without posting or queuing', async () => {
    const { gateway, queue } = setup();
    const botMessage = JSON.parse(appMentionBody()) as { event: Record<string, unknown> };
    botMessage.event = { ...botMessage.event, bot_id: 'B0OTHER', subtype: 'bot_message' };
    const response = await gateway(sign(JSON.stringify(botMessage)));
    expect(response.statusCode).toBe(200);
    expect(queue.messages).toHaveLength(0);
    expect(slack.calls).toHaveLength(0);
  });

  it('answers a bare mention with a hint and queues nothing', async () => {
    const { gateway, queue } = setup();
    expect((await gateway(sign(appMentionBody({ text: `<@${BOT_USER}>` })))).statusCode).toBe(200);
    expect(queue.messages).toHaveLength(0);
    expect(slack.calls.map((c) => c.method)).toEqual(['chat.postMessage']);
    expect(String(slack.calls[0]?.args.text)).toMatch(/Ask me something/);
  });

  it('answers a question longer than the agents accept with a hint and queues nothing', async () => {
    const { gateway, queue } = setup();
    const text = `<@${BOT_USER}> ${'why '.repeat(6_300)}`;
    expect((await gateway(sign(appMentionBody({ text })))).statusCode).toBe(200);
    expect(queue.messages).toHaveLength(0);
    expect(String(slack.calls[0]?.args.text)).toMatch(/too long.*25,000 characters/);
  });

  it('learns its bot user from auth.test when the envelope does not say', async () => {
    const { gateway, queue } = setup();
    const body = JSON.parse(appMentionBody()) as Record<string, unknown>;
    delete body.authorizations;
    expect((await gateway(sign(JSON.stringify(body)))).statusCode).toBe(200);
    expect(slack.calls.map((c) => c.method)).toEqual(['auth.test', 'chat.postMessage']);
    expect(queue.messages[0]).toMatchObject({ question: 'How is the Acme Corp deal doing?' });
  });

  it('when queuing fails, removes its placeholder, answers 5xx and lets the retry succeed', async () => {
    const { gateway, queue } = setup({ failQueue: 1 });
    const body = appMentionBody({ eventId: 'Ev0RETRY01', ts: '1763890500.000100' });
    const first = await gateway(sign(body));
    expect(first.statusCode).toBeGreaterThanOrEqual(500);
    expect(JSON.parse(first.body).error.details.reference_id).toMatch(/^conv-/);
    expect(slack.thread(CHANNEL, '1763890500.000100')).toHaveLength(0);
    expect(slack.calls.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.delete']);

    expect((await gateway(sign(body, { retryNum: 1 }))).statusCode).toBe(200);
    expect(queue.messages).toHaveLength(1);
    expect(slack.thread(CHANNEL, '1763890500.000100')).toHaveLength(1);
  });

  it('answers 5xx when Slack fails transiently, so Slack retries the delivery', async () => {
    const { gateway, queue } = setup();
    slack.inject('chat.postMessage', { status: 503 });
    const body = appMentionBody({ eventId: 'Ev0SLACK503' });
    expect((await gateway(sign(body))).statusCode).toBe(503);
    expect((await gateway(sign(body, { retryNum: 1 }))).statusCode).toBe(200);
    expect(queue.messages).toHaveLength(1);
  });

  it('acknowledges a failure no retry can fix and does not try again', async () => {
    const { gateway, queue, logger } = setup();
    slack.inject('chat.postMessage', { error: 'not_in_channel' });
    const body = appMentionBody({ eventId: 'Ev0NOTIN01' });
    expect((await gateway(sign(body))).statusCode).toBe(200);
    expect((await gateway(sign(body, { retryNum: 1 }))).statusCode).toBe(200);
    expect(queue.messages).toHaveLength(0);
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
    const error = logger.entries.find((e) => e.message === 'Slack question could not be queued');
    expect(error?.extra?.error).toMatchObject({
      message: 'Slack chat.postMessage failed: not_in_channel',
    });
  });

  it('asks Slack to come back later while another attempt holds the message', async () => {
    const { gateway, claims, queue } = setup();
    const body = appMentionBody({ eventId: 'Ev0BUSY001', ts: '1763890900.000100' });
    await claims.claim(`message#${TEAM}#${CHANNEL}#1763890900.000100`, 'Ev0BUSY001');
    const response = await gateway(sign(body, { retryNum: 1 }));
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body).error.code).toBe('EVENT_IN_PROGRESS');
    expect(queue.messages).toHaveLength(0);
  });

  it('answers 404 on any other path', async () => {
    const { gateway } = setup();
    const response = await gateway(sign(appMentionBody(), { path: '/slack/commands' }));
    expect(response.statusCode).toBe(404);
  });
});

describe('POST /slack/interactions', () => {
  const value = encodeFeedbackValue({
    conversationId: 'conv-42',
    startedAt: '2026-11-23T09:00:00.000Z',
  });

  it('acknowledges a 👍 click at once and queues it with the conversation id', async () => {
    const { gateway, queue } = setup();
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'answer' } }];
    const body = buttonClickBody({
      actionId: FEEDBACK_ACTION_IDS.positive,
      value,
      messageTs: '1763890000.000200',
      blocks,
    });
    const response = await gateway(
      sign(body, { path: '/slack/interactions', contentType: 'application/x-www-form-urlencoded' }),
    );
    expect(response).toMatchObject({ statusCode: 200, body: '' });
    expect(queue.messages).toEqual([
      {
        kind: 'feedback',
        version: 1,
        conversation_id: 'conv-42',
        started_at: '2026-11-23T09:00:00.000Z',
        rating: 'positive',
        team: TEAM,
        channel: CHANNEL,
        user: ASKER,
        message_ts: '1763890000.000200',
        action_ts: '1763890100.123456',
        message_blocks: blocks,
      },
    ]);
    expect(slack.calls).toHaveLength(0);
  });

  it('refuses an unsigned click and ignores clicks on anything but the feedback buttons', async () => {
    const { gateway, queue } = setup();
    const body = buttonClickBody({
      actionId: FEEDBACK_ACTION_IDS.negative,
      value,
      messageTs: '1.2',
    });
    const forged = sign(body, { path: '/slack/interactions', signingSecret: 'not-the-secret' });
    expect((await gateway(forged)).statusCode).toBe(401);
    const other = buttonClickBody({ actionId: 'somebody_elses_button', value, messageTs: '1.2' });
    expect((await gateway(sign(other, { path: '/slack/interactions' }))).statusCode).toBe(200);
    const shortcut = `payload=${encodeURIComponent(JSON.stringify({ type: 'shortcut', callback_id: 'x' }))}`;
    expect((await gateway(sign(shortcut, { path: '/slack/interactions' }))).statusCode).toBe(200);
    expect(queue.messages).toHaveLength(0);
  });

  it('refuses an interaction body without a payload with 400', async () => {
    const { gateway } = setup();
    const response = await gateway(sign('foo=bar', { path: '/slack/interactions' }));
    expect(response.statusCode).toBe(400);
  });
});

describe('Slack Web API clients', () => {
  it("map failures by @slack/web-api's own error codes", async () => {
    const { ErrorCode } = await import('@slack/web-api');
    const platform = Object.assign(new Error('An API error occurred: channel_not_found'), {
      code: ErrorCode.PlatformError,
      data: { ok: false, error: 'channel_not_found' },
    });
    expect(slackPlatformError(platform)).toBe('channel_not_found');
    expect(toSlackApiError(platform, 'chat.postMessage')).toMatchObject({ retryable: false });
    const busy = { ...platform, data: { ok: false, error: 'ratelimited' } };
    expect(toSlackApiError(busy, 'chat.update')).toBeInstanceOf(RetryableError);
    expect(
      toSlackApiError(
        Object.assign(new Error('x'), { code: ErrorCode.HTTPError, statusCode: 502 }),
        'm',
      ),
    ).toBeInstanceOf(RetryableError);
    expect(
      toSlackApiError(
        Object.assign(new Error('x'), { code: ErrorCode.HTTPError, statusCode: 400 }),
        'm',
      ),
    ).toMatchObject({ retryable: false });
    expect(
      toSlackApiError(Object.assign(new Error('x'), { code: ErrorCode.RateLimitedError }), 'm')
        .code,
    ).toBe('SLACK_RATE_LIMITED');
  });
});

describe('the local Slack Web API', () => {
  it('reports every posted and updated message to onMessage', async () => {
    const seen: string[] = [];
    const local = await startLocalSlackApi({
      botToken: BOT_TOKEN,
      onMessage: (message) => seen.push(`${message.thread_ts ?? message.ts}: ${message.text}`),
    });
    try {
      const clients = slackWebClients({ apiUrl: local.url, timeoutMs: 2_000, retries: 0 });
      const client = await clients(BOT_TOKEN);
      expect(await clients(BOT_TOKEN)).toBe(client);
      const posted = await client.chat.postMessage({
        channel: CHANNEL,
        thread_ts: '1.000001',
        text: 'one',
      });
      await client.chat.update({ channel: CHANNEL, ts: posted.ts!, text: 'two' });
      expect(seen).toEqual(['1.000001: one', '1.000001: two']);
      await expect((await clients('xoxb-wrong')).auth.test()).rejects.toMatchObject({
        data: { error: 'invalid_auth' },
      });
    } finally {
      await local.close();
    }
  });
});
