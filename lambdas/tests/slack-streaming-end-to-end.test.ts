/**
 * Streamed answers end to end through the real Lambda entry points (`slack-handler/handler.ts`,
 * `slack-processor/handler.ts`, streaming on, app declared as an agent): the real Slack Web API
 * client streams into the embedded Slack API, the bedrock-agents runtime reads a recorded
 * supervisor stream from a local InvokeAgent server that sends it frame by frame, with the answer
 * in word-sized chunks, as a model writing it would. Covers the streamed answer with its steps,
 * each fallback (no streaming in the workspace, the stream closed by Slack), Stop, feedback
 * buttons and a Slack retry arriving while the answer streams.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { encodeStreamException } from '@revbot/testing/aws-event-stream';
import type { FakeAws } from '@revbot/testing/fake-aws';
import { BEDROCK_TRACES_DIR } from '@revbot/testing/fixtures';
import {
  encodeEvent,
  type InvokeAgentServer,
  type RecordedEvent,
} from '@revbot/testing/invoke-agent-server';
import { LocalQueue } from '@revbot/testing/local-queue';
import type { LocalSlackApi, LocalSlackMessage } from '@revbot/testing/local-slack-api';
import {
  ASKER,
  appMentionBody,
  BOT_USER,
  buttonClickBody,
  CHANNEL,
  signedRequest,
  TEAM,
} from '@revbot/testing/slack-requests';
import { sqsRecord } from '@revbot/testing/sqs-events';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STOPPED_TEXT } from '../slack-processor/answer-question';
import {
  type SlackHandlerEntry,
  type SlackLambdaStack,
  type SlackProcessorEntry,
  startSlackLambdaStack,
} from './support/slack-lambda-stack';

const SIGNING_SECRET = 'e2e-signing-secret-00112233445566';
const BOT_TOKEN = 'xoxb-e2e-bot-token';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:revops/test/slack-AbCdEf';
const TABLE = 'revops-test-slack-events';
const QUEUE = 'revops-test-slack-queue';
const BUCKET = 'revops-test-conversations-123456789012-us-east-1';
const FIXTURE = path.join(BEDROCK_TRACES_DIR, '01-supervisor-nested-collaborators.json');
const FINAL_TEXT = 'The sum of the numbers 1, 2, 3, 4, 5, 6, 7, 8, 9, and 10 is 55.';
const HANDOFFS = [
  'Manager handed off to Simple Supervisor',
  'Simple Supervisor handed off to Math Solver Agent',
];
/** The processor's append interval (its default): chat.appendStream's Tier 4 budget. */
const APPEND_INTERVAL_MS = 750;

type Handler = SlackHandlerEntry;
type Processor = SlackProcessorEntry;

let slack: LocalSlackApi;
let aws: FakeAws;
const queue = new LocalQueue({ name: QUEUE, visibilityTimeoutSeconds: 300 });
let agents: InvokeAgentServer;
let handleSlack: Handler;
let processQueue: Processor;

/** The recorded run, its one answer chunk cut into words (final-response streaming). */
function streamedRun(): RecordedEvent[] {
  const recorded = JSON.parse(readFileSync(FIXTURE, 'utf8')) as RecordedEvent[];
  const traces = recorded.filter((e) => !('chunk' in e));
  const words = FINAL_TEXT.match(/\S+\s*/g) ?? [];
  return [...traces, ...words.map((bytes) => ({ chunk: { bytes } }))];
}
const RUN = streamedRun();

let stack: SlackLambdaStack;

beforeAll(async () => {
  stack = await startSlackLambdaStack({
    signingSecret: SIGNING_SECRET,
    botToken: BOT_TOKEN,
    secretArn: SECRET_ARN,
    table: TABLE,
    bucket: BUCKET,
    queue,
    env: { SLACK_STREAMING: 'on', SLACK_AGENT_SESSIONS: 'on' },
  });
  ({ slack, aws, agents, handleSlack, processQueue } = stack);
});

afterAll(() => stack.close());

beforeEach(() => {
  for (const method of ['chat.startStream', 'agents.sessions.setStatus']) {
    slack.refuse(method, null);
  }
  agents.reply({ stream: RUN.map(encodeEvent), gapMs: 15 });
});

const lambdaContext = { getRemainingTimeInMillis: () => 300_000 } as Context;
const sign = (body: string, options: Partial<Parameters<typeof signedRequest>[1]> = {}) =>
  signedRequest(body, { signingSecret: SIGNING_SECRET, ...options });

let asked = 0;
/** A fresh @RevBot mention through the handler: its thread ts and its queued message. */
async function mention(): Promise<{ ts: string; body: string; message: number }> {
  asked++;
  const ts = `${1_763_891_000 + asked}.000100`;
  const body = appMentionBody({
    eventId: `Ev0STREAM${String(asked).padStart(3, '0')}`,
    ts,
    text: `<@${BOT_USER}> Find the sum of 1 to 10.`,
  });
  const response = await handleSlack(sign(body));
  expect(response.statusCode).toBe(200);
  return { ts, body, message: queue.messages.length - 1 };
}

function deliver(index: number): SQSEvent {
  const message = queue.messages[index]!;
  return {
    Records: [
      sqsRecord({
        messageId: message.messageId,
        receiptHandle: `receipt-${message.messageId}`,
        body: message.body,
        queueArn: 'arn:aws:sqs:us-east-1:123456789012:revops-test-slack-queue',
      }),
    ],
  };
}

const botMessages = (ts: string) => slack.thread(CHANNEL, ts).filter((m) => m.ts !== ts);
const streamOf = (ts: string) => botMessages(ts).find((m) => m.stream) as LocalSlackMessage;
/** Calls of `method` made for the thread `ts` (those that name it: start of a stream, posts). */
const callsIn = (ts: string, method: string) =>
  slack.calls.filter((c) => c.method === method && c.args.thread_ts === ts);

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('a streamed answer', () => {
  it('shows the status, streams the steps and the words, then reads as the formatted answer with feedback buttons', async () => {
    const { ts, message } = await mention();
    const placeholder = botMessages(ts)[0]!;
    const result = await processQueue(deliver(message), lambdaContext);
    expect(result.batchItemFailures).toEqual([]);

    // One bot message remains: the stream, now the formatted answer; the placeholder is gone.
    const thread = botMessages(ts);
    expect(thread).toHaveLength(1);
    const answer = thread[0]!;
    expect(answer.ts).not.toBe(placeholder.ts);
    expect(answer.text).toBe(FINAL_TEXT);
    expect(answer.blocks).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: FINAL_TEXT } },
      expect.objectContaining({ type: 'context_actions', block_id: 'revbot_feedback' }),
    ]);
    const [feedback] = (answer.blocks![1] as { elements: Record<string, unknown>[] }).elements;
    expect(feedback).toMatchObject({ type: 'feedback_buttons', action_id: 'revbot_feedback' });

    // Streamed: every word, in several appends; each hand-off a step that completed, its states
    // only moving forward (a step that starts and ends between two appends shows only its end).
    const stream = answer.stream!;
    expect(stream.open).toBe(false);
    expect(stream.closedBy).toBe('app');
    expect(stream.markdown).toBe(FINAL_TEXT);
    expect(stream.pieces.length).toBeGreaterThan(1);
    const tasks = [...stream.tasks.values()];
    expect(tasks.map((t) => t.title)).toEqual(HANDOFFS);
    const order = ['pending', 'in_progress', 'complete'];
    expect(tasks[0]?.statuses[0]).toBe('in_progress');
    for (const task of tasks) {
      const ranks = task.statuses.map((status) => order.indexOf(status));
      expect(ranks).toEqual([...ranks].sort());
      expect(task.statuses.at(-1)).toBe('complete');
    }

    // Status first, with loading messages; the agent session titled, processing, then active.
    const statuses = slack.statuses.filter((s) => s.thread_ts === ts);
    expect(statuses[0]).toMatchObject({ status: 'is looking into it…' });
    expect(statuses[0]?.loading_messages?.length).toBeGreaterThan(0);
    expect(slack.sessions.get(`${CHANNEL} ${ts}`)).toMatchObject({
      title: 'Find the sum of 1 to 10.',
      statuses: ['processing', 'active'],
    });

    // Appends (after the first text) at most one per interval.
    const streamCalls = slack.calls
      .filter((c) => c.method === 'chat.appendStream' && c.args.ts === answer.ts)
      .map((c) => c.at);
    const gaps = streamCalls.slice(1).map((at, i) => at - (streamCalls[i] as number));
    expect(gaps.filter((gap) => gap < APPEND_INTERVAL_MS - 5).length).toBeLessThanOrEqual(1);
  });

  it('records a click on its feedback buttons as the old buttons were, and thanks the user', async () => {
    const { ts, message } = await mention();
    await processQueue(deliver(message), lambdaContext);
    const answer = botMessages(ts)[0]!;
    const buttons = (answer.blocks!.at(-1) as { elements: Record<string, unknown>[] })
      .elements[0] as { action_id: string; negative_button: { value: string } };
    const before = queue.messages.length;
    const click = buttonClickBody({
      actionId: buttons.action_id,
      value: buttons.negative_button.value,
      messageTs: answer.ts,
      blocks: answer.blocks,
    });
    const response = await handleSlack(
      sign(click, {
        path: '/slack/interactions',
        contentType: 'application/x-www-form-urlencoded',
      }),
    );
    expect(response.statusCode).toBe(200);
    expect(queue.messages).toHaveLength(before + 1);
    expect(JSON.parse(queue.messages[before]!.body)).toMatchObject({
      kind: 'feedback',
      rating: 'negative',
      message_ts: answer.ts,
    });
    expect((await processQueue(deliver(before), lambdaContext)).batchItemFailures).toEqual([]);
    const conversation = JSON.parse(queue.messages[message]!.body).conversation_id as string;
    const record = aws.objects.find(
      (o) => o.key.includes(conversation) && o.key.includes('/feedback-'),
    );
    expect(JSON.parse(record!.body)).toMatchObject({ rating: 'negative' });
    expect(botMessages(ts)[0]?.blocks?.at(-1)).toMatchObject({ type: 'context' });
  });

  it('is answered once when Slack retries the mention while the answer streams', async () => {
    const { ts, body, message } = await mention();
    const processing = processQueue(deliver(message), lambdaContext);
    await until(() => (streamOf(ts)?.stream?.markdown ?? '') !== '', 'the first streamed text');
    const queued = queue.messages.length;
    const retry = await handleSlack(sign(body, { retryNum: 1 }));
    expect(retry.statusCode).toBe(200);
    expect(queue.messages).toHaveLength(queued);
    expect((await processing).batchItemFailures).toEqual([]);
    expect(botMessages(ts).map((m) => m.text)).toEqual([FINAL_TEXT]);
    expect(callsIn(ts, 'chat.startStream')).toHaveLength(1);
  });
});

describe('fallbacks', () => {
  it.each(['not_allowed', 'method_not_supported', 'unknown_method'])(
    'answers in the placeholder when chat.startStream answers %s',
    async (error) => {
      slack.refuse('chat.startStream', error);
      const { ts, message } = await mention();
      const placeholder = botMessages(ts)[0]!;
      expect((await processQueue(deliver(message), lambdaContext)).batchItemFailures).toEqual([]);
      const thread = botMessages(ts);
      expect(thread).toHaveLength(1);
      expect(thread[0]?.ts).toBe(placeholder.ts);
      expect(thread[0]?.text).toBe(FINAL_TEXT);
      expect(thread[0]?.stream).toBeUndefined();
      // An older workspace: the older feedback buttons.
      expect(thread[0]?.blocks?.at(-1)).toMatchObject({
        type: 'actions',
        block_id: 'revbot_feedback',
      });
      // Streaming was tried once, then progress went to the placeholder.
      expect(
        slack.calls.filter((c) => c.method === 'chat.startStream' && c.args.thread_ts === ts),
      ).toHaveLength(1);
      expect(slack.sessions.get(`${CHANNEL} ${ts}`)?.statuses).toEqual(['processing', 'active']);
    },
  );

  it('answers when the workspace has no agent sessions either', async () => {
    slack.refuse('agents.sessions.setStatus', 'not_allowed');
    const { ts, message } = await mention();
    expect((await processQueue(deliver(message), lambdaContext)).batchItemFailures).toEqual([]);
    expect(botMessages(ts).map((m) => m.text)).toEqual([FINAL_TEXT]);
  });

  it('finishes the answer with chat.update on the same message when Slack closes the stream', async () => {
    const { ts, message } = await mention();
    const processing = processQueue(deliver(message), lambdaContext);
    await until(() => (streamOf(ts)?.stream?.markdown ?? '') !== '', 'the first streamed text');
    const stream = streamOf(ts);
    slack.closeStream(CHANNEL, stream.ts); // as Slack does about five minutes in
    const shownWhenClosed = stream.stream!.markdown;
    expect(shownWhenClosed.length).toBeLessThan(FINAL_TEXT.length);
    expect((await processing).batchItemFailures).toEqual([]);

    const thread = botMessages(ts);
    expect(thread).toHaveLength(1);
    expect(thread[0]?.ts).toBe(stream.ts);
    expect(thread[0]?.text).toBe(FINAL_TEXT);
    expect(thread[0]?.blocks?.at(-1)).toMatchObject({ type: 'context_actions' });
    expect(thread[0]?.stream?.closedBy).toBe('timeout');
    // Nothing more was streamed once closed: chat.update took over on the same message.
    expect(stream.stream?.markdown).toBe(shownWhenClosed);
    expect(
      slack.calls.filter((c) => c.method === 'chat.update' && c.args.ts === stream.ts).length,
    ).toBeGreaterThan(0);
    expect(
      slack.calls.filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts === ts),
    ).toHaveLength(1); // the placeholder only
  });
});

describe('a run failing while it streams', () => {
  it('removes the unfinished stream, says it will try again, and the retry answers once', async () => {
    const partial = RUN.slice(0, RUN.length - 5).map(encodeEvent);
    agents.reply(
      {
        stream: [...partial, encodeStreamException('throttlingException', 'Rate exceeded')],
        gapMs: 10,
      },
      { stream: RUN.map(encodeEvent), gapMs: 10 },
    );
    const { ts, message } = await mention();
    const placeholder = botMessages(ts)[0]!;
    const first = await processQueue(deliver(message), lambdaContext);
    expect(first.batchItemFailures).toHaveLength(1); // back to SQS
    // The half-written answer is gone; the placeholder tells the user.
    expect(botMessages(ts).map((m) => m.ts)).toEqual([placeholder.ts]);
    expect(botMessages(ts)[0]?.text).toMatch(/try again/);
    expect(callsIn(ts, 'chat.startStream')).toHaveLength(1);

    const retry = deliver(message);
    (
      retry.Records[0] as { attributes: { ApproximateReceiveCount: string } }
    ).attributes.ApproximateReceiveCount = '2';
    expect((await processQueue(retry, lambdaContext)).batchItemFailures).toEqual([]);
    expect(botMessages(ts).map((m) => m.text)).toEqual([FINAL_TEXT]);
  });
});

describe('Stop', () => {
  it('cancels the run and says so in the thread, and the question is not retried', async () => {
    // The agents start, write a few words, then work on (the stream stays open).
    const words = RUN.filter((e) => 'chunk' in e).slice(0, 3);
    const traces = RUN.filter((e) => !('chunk' in e)).slice(0, 4);
    agents.reply({ stream: [...traces, ...words].map(encodeEvent), gapMs: 5, thenHang: true });
    const { ts, message } = await mention();
    const processing = processQueue(deliver(message), lambdaContext);
    // Everything written is shown: from now on only the running step, sent again, can hear Stop.
    const written = words.map((e) => ('chunk' in e ? e.chunk.bytes : '')).join('');
    await until(() => streamOf(ts)?.stream?.markdown === written, 'the words written so far');
    const stream = streamOf(ts);
    expect(slack.stopByUser(CHANNEL, ts)).toEqual([stream.ts]);
    const stoppedAt = Date.now();
    const result = await processing;
    // Heard at the next resend of the running step (3 s after the last append, checked each 0.75 s).
    expect(Date.now() - stoppedAt).toBeLessThan(3_000 + 750 + 750);
    expect(result.batchItemFailures).toEqual([]);

    const thread = botMessages(ts);
    expect(thread.map((m) => m.text)).toEqual([STOPPED_TEXT, stream.stream!.markdown]);
    expect(stream.stream?.closedBy).toBe('user');
    expect(slack.sessions.get(`${CHANNEL} ${ts}`)?.statuses.at(-1)).toBe('active');
    const conversation = JSON.parse(queue.messages[message]!.body).conversation_id as string;
    expect(aws.objects.some((o) => o.key.includes(`${conversation}/conversation.json`))).toBe(true);
  }, 15_000);
});

describe('Stop without a stream', () => {
  /** Slack's `agent_session_stopped`, signed as Slack sends it to the events URL. */
  const stopPressed = (threadTs: string) =>
    JSON.stringify({
      type: 'event_callback',
      team_id: TEAM,
      api_app_id: 'A0REVBOT01',
      event_id: `Ev0STOP${threadTs.replace('.', '')}`,
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'agent_session_stopped',
        channel: CHANNEL,
        thread_ts: threadTs,
        user: ASKER,
        streaming_message_ts: [],
        event_ts: (Date.now() / 1000).toFixed(6),
      },
      authorizations: [{ team_id: TEAM, user_id: BOT_USER, is_bot: true }],
    });

  it('is recorded by the handler and heard by the processor, which cancels the run and says so', async () => {
    slack.refuse('chat.startStream', 'not_allowed');
    const traces = RUN.filter((e) => !('chunk' in e)).slice(0, 4);
    agents.reply({ stream: traces.map(encodeEvent), gapMs: 5, thenHang: true });
    const { ts, message } = await mention();
    const processing = processQueue(deliver(message), lambdaContext);
    // Streaming refused: the answer is on the placeholder path, where no append can hear Stop.
    await until(() => callsIn(ts, 'chat.startStream').length === 1, 'the refused stream');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(slack.stopByUser(CHANNEL, ts)).toEqual([]);

    expect((await handleSlack(sign(stopPressed(ts)))).statusCode).toBe(200);
    const stoppedAt = Date.now();
    const result = await processing;
    // Read back at the next poll (every 3 s).
    expect(Date.now() - stoppedAt).toBeLessThan(3_000 + 1_000);
    expect(result.batchItemFailures).toEqual([]);
    expect(botMessages(ts).map((m) => m.text)).toEqual([STOPPED_TEXT]);
    expect(slack.sessions.get(`${CHANNEL} ${ts}`)?.statuses.at(-1)).toBe('active');

    // A question asked in the thread after the press is answered, not stopped.
    agents.reply({ stream: RUN.map(encodeEvent), gapMs: 5 });
    const followUp = appMentionBody({
      eventId: 'Ev0STOPLATER1',
      ts: `${Number(ts.split('.')[0]) + 60}.000200`,
      threadTs: ts,
      text: `<@${BOT_USER}> Find the sum of 1 to 10.`,
    });
    expect((await handleSlack(sign(followUp))).statusCode).toBe(200);
    const answered = await processQueue(deliver(queue.messages.length - 1), lambdaContext);
    expect(answered.batchItemFailures).toEqual([]);
    expect(botMessages(ts).map((m) => m.text)).toEqual([STOPPED_TEXT, FINAL_TEXT]);
  }, 20_000);
});
