/**
 * The Slack path end to end through the real Lambda entry points (`slack-handler/handler.ts`,
 * `slack-processor/handler.ts`) as configured from their environment: the real Slack Web API
 * client talks to a local Slack server, the real AWS SDK clients to local servers speaking SQS,
 * DynamoDB, Secrets Manager and S3, and the bedrock-agents runtime to a local InvokeAgent server
 * replaying a recorded supervisor stream.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '@revbot/testing/embedded-dynamodb';
import { type FakeAws, startFakeAws } from '@revbot/testing/fake-aws';
import { BEDROCK_TRACES_DIR } from '@revbot/testing/fixtures';
import {
  encodeEvent,
  type InvokeAgentServer,
  type RecordedEvent,
  startInvokeAgentServer,
} from '@revbot/testing/invoke-agent-server';
import { LocalQueue } from '@revbot/testing/local-queue';
import { type LocalSlackApi, startLocalSlackApi } from '@revbot/testing/local-slack-api';
import {
  appMentionBody,
  BOT_USER,
  buttonClickBody,
  CHANNEL,
  signedRequest,
  TEAM,
} from '@revbot/testing/slack-requests';
import { sqsRecord } from '@revbot/testing/sqs-events';
import type { APIGatewayProxyEvent, Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackSessionId } from '../slack-processor/session-id';

const SIGNING_SECRET = 'e2e-signing-secret-00112233445566';
const BOT_TOKEN = 'xoxb-e2e-bot-token';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:revops/test/slack-AbCdEf';
const TABLE = 'revops-test-slack-events';
const QUEUE = 'revops-test-slack-queue';
const BUCKET = 'revops-test-conversations-123456789012-us-east-1';
const FIXTURE = path.join(BEDROCK_TRACES_DIR, '01-supervisor-nested-collaborators.json');
const FINAL_TEXT = 'The sum of the numbers 1, 2, 3, 4, 5, 6, 7, 8, 9, and 10 is 55.';
const QUESTION_TS = '1763890000.000100';

type Handler = (event: APIGatewayProxyEvent) => Promise<{ statusCode: number; body: string }>;
type Processor = (
  event: SQSEvent,
  context: Context,
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

let slack: LocalSlackApi;
let aws: FakeAws;
let dynamo: EmbeddedDynamoDb;
const queue = new LocalQueue({ name: QUEUE, visibilityTimeoutSeconds: 300 });
/** S3 objects by `bucket/key`, as the processor wrote them. */
const s3Objects = () => new Map(aws.objects.map((o) => [`${o.bucket}/${o.key}`, o]));
let agents: InvokeAgentServer;
let handleSlack: Handler;
let processQueue: Processor;
const savedEnv = { ...process.env };
const IDEMPOTENCY_TABLE = 'revops-test-slack-idempotency';

beforeAll(async () => {
  [slack, aws, dynamo, agents] = await Promise.all([
    startLocalSlackApi({ botToken: BOT_TOKEN, botUserId: BOT_USER, teamId: TEAM }),
    startFakeAws(),
    startEmbeddedDynamoDb(),
    startInvokeAgentServer(),
  ]);
  aws.state.secrets[SECRET_ARN] = {
    name: 'revops/test/slack',
    value: JSON.stringify({ bot_token: BOT_TOKEN, signing_secret: SIGNING_SECRET }),
  };
  aws.state.queues[QUEUE] = queue;
  aws.state.buckets[BUCKET] = new Map();
  await dynamo.createTable(TABLE, 'id');
  await dynamo.createTable(IDEMPOTENCY_TABLE, 'id');
  const recorded = JSON.parse(readFileSync(FIXTURE, 'utf8')) as RecordedEvent[];
  agents.reply({ stream: recorded.map(encodeEvent) });

  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
    AWS_SECRET_ACCESS_KEY: 'local-secret',
    AWS_ENDPOINT_URL_SQS: aws.url,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
    AWS_ENDPOINT_URL_S3: aws.url,
    AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: agents.endpoint,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    SLACK_SECRET_ARN: SECRET_ARN,
    SLACK_QUEUE_URL: aws.queueUrl(QUEUE),
    SLACK_EVENTS_TABLE: TABLE,
    SLACK_API_URL: slack.url,
    CONVERSATION_BUCKET: BUCKET,
    SLACK_MAX_RECEIVE_COUNT: '3',
    IDEMPOTENCY_TABLE,
    AGENT_RUNTIME: 'bedrock-agents',
    MANAGER_AGENT_ID: 'MGRAGENT01',
    MANAGER_AGENT_ALIAS_ID: 'LIVEALIAS1',
  });
  handleSlack = (await import('../slack-handler/handler')).handler as unknown as Handler;
  processQueue = (await import('../slack-processor/handler')).handler as unknown as Processor;
});

afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([slack.close(), aws.close(), dynamo.close(), agents.close()]);
});

/** What the event source mapping would deliver for the messages the handler queued. */
function deliver(from: number): SQSEvent {
  return {
    Records: queue.messages.slice(from).map((message) =>
      sqsRecord({
        messageId: message.messageId,
        receiptHandle: `receipt-${message.messageId}`,
        body: message.body,
        senderId: 'AROAEXAMPLE:revops-test-slack-handler',
        queueArn: 'arn:aws:sqs:us-east-1:123456789012:revops-test-slack-queue',
      }),
    ),
  };
}

const lambdaContext = { getRemainingTimeInMillis: () => 300_000 } as Context;
const sign = (body: string, options: Partial<Parameters<typeof signedRequest>[1]> = {}) =>
  signedRequest(body, { signingSecret: SIGNING_SECRET, ...options });

describe('an @RevBot mention, end to end', () => {
  const body = appMentionBody({
    eventId: 'Ev0E2E0001',
    ts: QUESTION_TS,
    text: `<@${BOT_USER}> Find the sum of 1 to 10.`,
  });

  it('is acknowledged with a placeholder in the thread and one queued question', async () => {
    const response = await handleSlack(sign(body));
    expect(response.statusCode).toBe(200);
    const thread = slack.thread(CHANNEL, QUESTION_TS);
    expect(thread.map((m) => m.text)).toEqual(['Looking into it… :hourglass_flowing_sand:']);
    expect(queue.messages).toHaveLength(1);
    expect(JSON.parse(queue.messages[0]!.body)).toMatchObject({
      kind: 'question',
      team: TEAM,
      channel: CHANNEL,
      thread_ts: QUESTION_TS,
      question: 'Find the sum of 1 to 10.',
      placeholder_ts: thread[0]?.ts,
      event_id: 'Ev0E2E0001',
    });
    const claim = (await dynamo.items(TABLE))[0];
    expect(claim).toMatchObject({ status: { S: 'COMPLETED' }, event_id: { S: 'Ev0E2E0001' } });
  });

  it('is answered in the thread by the agents, and the conversation exported to S3', async () => {
    const result = await processQueue(deliver(0), lambdaContext);
    expect(result.batchItemFailures).toEqual([]);

    expect(agents.requests).toHaveLength(1);
    expect(agents.requests[0]?.path).toMatch(
      /\/agents\/MGRAGENT01\/agentAliases\/LIVEALIAS1\/sessions\//,
    );
    expect(decodeURIComponent(agents.requests[0]!.path)).toContain(
      slackSessionId(TEAM, CHANNEL, QUESTION_TS),
    );
    expect(agents.requests[0]?.body).toMatchObject({
      inputText: 'Find the sum of 1 to 10.',
      enableTrace: true,
    });

    const thread = slack.thread(CHANNEL, QUESTION_TS);
    expect(thread).toHaveLength(1);
    expect(thread[0]?.text).toBe(FINAL_TEXT);
    // The second handoff follows the first within a second: rate-limited, never shown.
    expect(thread[0]?.history.slice(1)).toEqual([
      ':hourglass_flowing_sand: Manager handed off to Simple Supervisor',
    ]);
    expect(thread[0]?.blocks?.at(-1)).toMatchObject({
      type: 'actions',
      block_id: 'revbot_feedback',
    });

    const question = JSON.parse(queue.messages[0]!.body) as { conversation_id: string };
    const keys = [...s3Objects().keys()].filter((key) => key.includes(question.conversation_id));
    expect(keys.map((key) => key.replace(/^.*\//, '')).sort()).toEqual([
      'conversation.json',
      'metadata.json',
    ]);
    expect(keys.every((key) => key.startsWith(`${BUCKET}/conversation-history/`))).toBe(true);
    const conversation = JSON.parse(
      s3Objects().get(keys.find((k) => k.endsWith('conversation.json'))!)!.body,
    );
    expect(conversation).toMatchObject({
      conversation_id: question.conversation_id,
      channel: { kind: 'slack', thread_ts: QUESTION_TS, event_id: 'Ev0E2E0001' },
      final_response: { text: FINAL_TEXT },
    });
  });

  it('is not answered twice when Slack retries it (X-Slack-Retry-Num: 1)', async () => {
    const postsBefore = slack.calls.filter((c) => c.method === 'chat.postMessage').length;
    const response = await handleSlack(sign(body, { retryNum: 1 }));
    expect(response.statusCode).toBe(200);
    expect(queue.messages).toHaveLength(1);
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(postsBefore);
    expect(slack.thread(CHANNEL, QUESTION_TS).map((m) => m.text)).toEqual([FINAL_TEXT]);
    expect(agents.requests).toHaveLength(1);
  });

  it('records a 👍 on the answer next to the conversation record', async () => {
    const answer = slack.thread(CHANNEL, QUESTION_TS)[0]!;
    const actions = answer.blocks?.at(-1) as { elements: { action_id: string; value: string }[] };
    const positive = actions.elements[0]!;
    const click = buttonClickBody({
      actionId: positive.action_id,
      value: positive.value,
      messageTs: answer.ts,
      blocks: answer.blocks,
    });
    const response = await handleSlack(
      sign(click, {
        path: '/slack/interactions',
        contentType: 'application/x-www-form-urlencoded',
      }),
    );
    expect(response).toMatchObject({ statusCode: 200, body: '' });
    expect(queue.messages).toHaveLength(2);

    expect((await processQueue(deliver(1), lambdaContext)).batchItemFailures).toEqual([]);
    const feedback = [...s3Objects().entries()].find(([key]) => key.includes('/feedback-'));
    expect(feedback?.[0]).toMatch(
      /conversation-history\/\d{4}\/\d\d\/\d\d\/[^/]+\/feedback-1763890100\.123456-U0ASKER01\.json$/,
    );
    expect(JSON.parse(feedback![1].body)).toMatchObject({ rating: 'positive' });
    expect(slack.thread(CHANNEL, QUESTION_TS)[0]?.blocks?.at(-1)).toMatchObject({
      type: 'context',
    });
  });

  it('refuses a forged event with 401 and queues nothing', async () => {
    const forged = signedRequest(
      appMentionBody({ eventId: 'Ev0FORGED1', ts: '1763890900.000100' }),
      {
        signingSecret: 'not-the-signing-secret',
      },
    );
    const response = await handleSlack(forged);
    expect(response.statusCode).toBe(401);
    expect(queue.messages).toHaveLength(2);
  });
});
