/**
 * What reaches RevBot besides a channel mention, end to end through the real Lambda entry points
 * (`slack-handler/handler.ts`, `slack-processor/handler.ts`): a direct message, the assistant pane
 * (suggested prompts, thread title) and a mention in the middle of a thread, whose earlier
 * messages reach the Manager. The real Slack client talks to the local Slack API, the AWS SDK
 * clients to local SQS/DynamoDB/Secrets Manager/S3, the bedrock-agents runtime to a local
 * InvokeAgent server, which keeps the requests it received.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FakeAws } from '@revbot/testing/fake-aws';
import { encodeEvent, type InvokeAgentServer } from '@revbot/testing/invoke-agent-server';
import { LocalQueue } from '@revbot/testing/local-queue';
import type { LocalSlackApi } from '@revbot/testing/local-slack-api';
import {
  ASKER,
  appMentionBody,
  assistantThreadStartedBody,
  BOT_USER,
  CHANNEL,
  DM_CHANNEL,
  directMessageBody,
  signedRequest,
  TEAM,
} from '@revbot/testing/slack-requests';
import { sqsRecord } from '@revbot/testing/sqs-events';
import type { Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scheduledReportMessage } from '../shared/slack/scheduled-report';
import { SUGGESTED_PROMPTS } from '../slack-handler/assistant-thread';
import { slackSessionId } from '../slack-processor/session-id';
import {
  SLACK_SESSION_KEY,
  type SlackLambdaStack,
  startSlackLambdaStack,
} from './support/slack-lambda-stack';

const SIGNING_SECRET = 'inputs-signing-secret-0011223344';
const BOT_TOKEN = 'xoxb-inputs-bot-token';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:revops/test/slack-InPuTs';
const TABLE = 'revops-test-slack-events';
const QUEUE = 'revops-test-slack-queue';
const BUCKET = 'revops-test-conversations-123456789012-us-east-1';
const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
const ANSWER = 'Pipeline this quarter is $16.5M across 39 open deals.';
const COLLEAGUE = 'U0COLLEAG1';

let stack: SlackLambdaStack;
let slack: LocalSlackApi;
let aws: FakeAws;
let agents: InvokeAgentServer;
const queue = new LocalQueue({ name: QUEUE, visibilityTimeoutSeconds: 300 });
const lambdaContext = { getRemainingTimeInMillis: () => 300_000 } as Context;

beforeAll(async () => {
  stack = await startSlackLambdaStack({
    signingSecret: SIGNING_SECRET,
    botToken: BOT_TOKEN,
    secretArn: SECRET_ARN,
    table: TABLE,
    bucket: BUCKET,
    queue,
  });
  ({ slack, aws, agents } = stack);
  agents.reply({ stream: [encodeEvent({ chunk: { bytes: ANSWER } })] });
});

afterAll(() => stack.close());

const sign = (body: string) => signedRequest(body, { signingSecret: SIGNING_SECRET });

/** Sends the event to the handler, then the messages it queued to the processor. */
async function deliverEvent(body: string): Promise<void> {
  const queued = queue.messages.length;
  const response = await stack.handleSlack(sign(body));
  expect(response.statusCode).toBe(200);
  const event: SQSEvent = {
    Records: queue.messages.slice(queued).map((message) =>
      sqsRecord({
        messageId: message.messageId,
        receiptHandle: `receipt-${message.messageId}`,
        body: message.body,
        senderId: 'AROAEXAMPLE:revops-test-slack-handler',
        queueArn: `arn:aws:sqs:us-east-1:123456789012:${QUEUE}`,
      }),
    ),
  };
  if (event.Records.length === 0) return;
  expect((await stack.processQueue(event, lambdaContext)).batchItemFailures).toEqual([]);
}

/** The conversation record the processor exported for the last question queued. */
function lastConversation(): { user_query: string; session_id: string } {
  const { conversation_id } = JSON.parse(queue.messages.at(-1)!.body) as {
    conversation_id: string;
  };
  const object = aws.objects.find(
    (o) => o.key.includes(conversation_id) && o.key.endsWith('conversation.json'),
  );
  return JSON.parse(object!.body);
}

/** The inputText of the last InvokeAgent request the runtime sent. */
const inputTextOf = () => (agents.requests.at(-1)?.body as { inputText?: string })?.inputText;

describe('a direct message to RevBot', () => {
  it('is answered in its thread, in the session of that thread, with the question alone', async () => {
    const text = 'What is our pipeline this quarter?';
    const ts = slack.postAsUser({ channel: DM_CHANNEL, user: ASKER, text });
    await deliverEvent(directMessageBody({ ts, text }));

    const thread = slack.thread(DM_CHANNEL, ts);
    expect(thread.map((m) => m.text)).toEqual([text, ANSWER]);
    expect(thread[1]?.thread_ts).toBe(ts);
    expect(thread[1]?.history[0]).toMatch(/Looking into it/);
    // A top-level message starts its thread: nothing earlier to read, no title to set.
    expect(inputTextOf()).toBe('What is our pipeline this quarter?');
    expect(decodeURIComponent(agents.requests.at(-1)!.path)).toContain(
      slackSessionId(SLACK_SESSION_KEY, TEAM, DM_CHANNEL, ts),
    );
    expect(slack.calls.filter((c) => c.method === 'conversations.replies')).toHaveLength(0);
  });

  it("is ignored when it is RevBot's own message, an edit or another bot's", async () => {
    const before = { queued: queue.messages.length, asked: agents.requests.length };
    for (const event of [
      { user: BOT_USER, ts: '1763891100.000100' },
      { ts: '1763891100.000200', subtype: 'message_changed' },
      { ts: '1763891100.000300', bot_id: 'B0OTHER01' },
    ]) {
      const body = JSON.parse(directMessageBody({ ts: event.ts, eventId: `Ev${event.ts}` }));
      Object.assign(body.event, event);
      await deliverEvent(JSON.stringify(body));
    }
    expect(queue.messages.length).toBe(before.queued);
    expect(agents.requests.length).toBe(before.asked);
  });
});

describe('the assistant pane', () => {
  const threadTs = '1763892000.000100';

  it('shows suggested prompts, each a documented golden-set question, when a user opens it', async () => {
    await deliverEvent(assistantThreadStartedBody({ threadTs }));
    const thread = slack.assistantThreads.get(`${DM_CHANNEL}:${threadTs}`);
    expect(thread?.prompts).toEqual(SUGGESTED_PROMPTS.map((p) => ({ ...p })));
    expect(queue.messages.filter((m) => m.body.includes(threadTs))).toHaveLength(0);

    const golden = readdirSync(path.join(REPO_ROOT, 'eval/golden')).flatMap((file) =>
      (
        JSON.parse(readFileSync(path.join(REPO_ROOT, 'eval/golden', file), 'utf8')) as {
          cases: { question: string }[];
        }
      ).cases.map((c) => c.question),
    );
    for (const prompt of SUGGESTED_PROMPTS) expect(golden).toContain(prompt.message);
  });

  it("answers the thread's first question in the thread and titles the thread after it", async () => {
    // Slack opens the pane with a thread root of its own, in RevBot's name.
    const root = slack.postAsUser({
      channel: DM_CHANNEL,
      user: BOT_USER,
      text: 'New Assistant Thread',
      subtype: 'assistant_app_thread',
    });
    const question = "What's the status of the IXIS deal? I need it before the forecast call";
    const ts = slack.postAsUser({
      channel: DM_CHANNEL,
      user: ASKER,
      text: question,
      thread_ts: root,
    });
    await deliverEvent(
      directMessageBody({ ts, threadTs: root, text: question, eventId: 'Ev0REVDM02' }),
    );

    expect(slack.assistantThreads.get(`${DM_CHANNEL}:${root}`)?.title).toBe(
      "What's the status of the IXIS deal? I need it before the…",
    );
    expect(slack.thread(DM_CHANNEL, root).at(-1)?.text).toBe(ANSWER);
    expect(inputTextOf()).toBe(question);
  });
});

describe('a mention in the middle of a thread', () => {
  let root: string;
  /** The mention as a message of the thread (Slack has it before the event arrives). */
  const mention = (text: string, eventId: string) => {
    const ts = slack.postAsUser({
      channel: CHANNEL,
      user: ASKER,
      text: `<@${BOT_USER}> ${text}`,
      thread_ts: root,
    });
    return appMentionBody({ eventId, ts, threadTs: root, text: `<@${BOT_USER}> ${text}` });
  };

  it('passes the earlier messages to the Manager, not its own notes nor the mention', async () => {
    root = slack.postAsUser({
      channel: CHANNEL,
      user: ASKER,
      text: 'Acme Corp asked for a 15% discount on the renewal',
    });
    slack.postAsUser({
      channel: CHANNEL,
      user: COLLEAGUE,
      text: 'They also mentioned <https://snowflake.com|Snowflake> on the last call',
      thread_ts: root,
    });
    slack.postAsUser({
      channel: CHANNEL,
      user: BOT_USER,
      text: ':hourglass_flowing_sand: Data Agent is querying the warehouse…',
      thread_ts: root,
    });
    await deliverEvent(mention('should we worry about this deal?', 'Ev0MIDTHR1'));

    const expected = [
      'should we worry about this deal?',
      '',
      '<slack_thread_context>',
      'Earlier messages in the Slack thread this question was asked in, oldest first. Context only: answer the question above, not these messages.',
      `@${ASKER}: Acme Corp asked for a 15% discount on the renewal`,
      `@${COLLEAGUE}: They also mentioned Snowflake (https://snowflake.com) on the last call`,
      '</slack_thread_context>',
    ].join('\n');
    expect(inputTextOf()).toBe(expected);
    // The record shows what the Manager was asked, in the thread's session.
    expect(lastConversation()).toMatchObject({
      user_query: expected,
      session_id: slackSessionId(SLACK_SESSION_KEY, TEAM, CHANNEL, root),
    });
    expect(slack.thread(CHANNEL, root).at(-1)?.text).toBe(ANSWER);
  });

  it('passes only what was said since its last answer on the next mention', async () => {
    slack.postAsUser({
      channel: CHANNEL,
      user: COLLEAGUE,
      text: 'Legal says the discount needs VP approval',
      thread_ts: root,
    });
    await deliverEvent(mention('who approves it?', 'Ev0MIDTHR2'));
    const input = inputTextOf();
    expect(input).toMatch(/^who approves it\?\n\n<slack_thread_context>\n/);
    expect(input).toContain(`@${COLLEAGUE}: Legal says the discount needs VP approval`);
    expect(input).not.toContain('15% discount');
    expect(input).not.toContain(ANSWER);
    // The earlier mention was answered: it is not context any more either.
    expect(input).not.toContain('should we worry');
  });
});

describe('a scheduled report, as EventBridge Scheduler sends it', () => {
  const REPORT_CHANNEL = 'C0REVOPS1';
  const message = scheduledReportMessage(
    {
      name: 'weekly-pipeline',
      schedule: 'cron(0 8 ? * MON *)',
      timezone: 'Europe/Paris',
      question: 'What is our pipeline this quarter by segment?',
      channel: REPORT_CHANNEL,
    },
    { executionId: 'a3c5e7f9-1b2d-4f60-8a1c-3e5f7a9b1c2d', scheduledAt: '2026-12-07T07:00:00Z' },
  );
  const delivery = (receiveCount: number): SQSEvent => ({
    Records: [
      sqsRecord({
        messageId: `report-${receiveCount}`,
        receiptHandle: `receipt-report-${receiveCount}`,
        body: message,
        receiveCount,
        senderId: 'AROAEXAMPLE:revops-test-report-weekly-pipeline',
        queueArn: `arn:aws:sqs:us-east-1:123456789012:${QUEUE}`,
      }),
    ],
  });

  it('is posted to its channel once, not in a thread, even when its first run fails and is retried', async () => {
    const unavailable = {
      status: 503,
      errorType: 'ServiceUnavailableException',
      message: 'Bedrock is unavailable',
    };
    // The SDK's own three attempts fail; the queue's second delivery succeeds.
    agents.reply(unavailable, unavailable, unavailable, {
      stream: [encodeEvent({ chunk: { bytes: ANSWER } })],
    });
    const first = await stack.processQueue(delivery(1), lambdaContext);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'report-1' }]);
    expect(slack.messages.get(REPORT_CHANNEL) ?? []).toEqual([]);

    const second = await stack.processQueue(delivery(2), lambdaContext);
    expect(second.batchItemFailures).toEqual([]);
    const posted = slack.messages.get(REPORT_CHANNEL) ?? [];
    expect(posted.map((m) => m.text)).toEqual([ANSWER]);
    expect(posted[0]?.thread_ts).toBeUndefined();
    expect(posted[0]?.history[0]).toMatch(
      /^:calendar: \*weekly-pipeline\* \(scheduled report\): What is our pipeline this quarter by segment\?/,
    );
    expect(inputTextOf()).toBe('What is our pipeline this quarter by segment?');
    // Its own session: a follow-up in the report's thread continues it.
    expect(decodeURIComponent(agents.requests.at(-1)!.path)).toContain(
      slackSessionId(SLACK_SESSION_KEY, TEAM, REPORT_CHANNEL, posted[0]!.ts),
    );
    // Both attempts export under the run's id; the later one is what the key holds now.
    const record = aws.objects.findLast(
      (o) => o.key.includes(message.execution_id) && o.key.endsWith('conversation.json'),
    );
    expect(JSON.parse(record!.body)).toMatchObject({
      conversation_id: message.execution_id,
      channel: { kind: 'slack', channel: REPORT_CHANNEL, thread_ts: posted[0]!.ts, user: BOT_USER },
    });
  });
});
