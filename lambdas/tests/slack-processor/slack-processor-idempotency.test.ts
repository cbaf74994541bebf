import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { localConversationSink } from '@revbot/monitoring';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '@revbot/testing/embedded-dynamodb';
import { type LocalSlackApi, startLocalSlackApi } from '@revbot/testing/local-slack-api';
import { recordingLogger } from '@revbot/testing/recording-logger';
import { answerStream, scriptedAgentRuntime } from '@revbot/testing/scripted-agent-runtime';
import { sqsRecord } from '@revbot/testing/sqs-events';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbIdempotencyStore } from '../../shared/idempotency';
import type {
  SlackFeedbackMessage,
  SlackQuestionMessage,
} from '../../shared/slack/slack-queue-message';
import { slackWebClients } from '../../shared/slack/slack-web-client';
import { recordingProcessorMetrics } from '../../slack-processor/processor-metrics';
import { createSlackProcessor } from '../../slack-processor/slack-processor';

const TOKEN = 'xoxb-idempotency-test';
const CHANNEL = 'C0IDEMP01';
const THREAD = '1763890000.000100';
const TABLE = 'revops-test-idempotency';
const lambdaContext = { getRemainingTimeInMillis: () => 60_000 };

let slack: LocalSlackApi;
let dynamodb: EmbeddedDynamoDb;
let dir: string;

beforeAll(async () => {
  slack = await startLocalSlackApi({ botToken: TOKEN });
  dynamodb = await startEmbeddedDynamoDb();
  await dynamodb.createTable(TABLE, 'id');
  dir = mkdtempSync(path.join(tmpdir(), 'revbot-slack-idempotency-'));
});
afterAll(async () => {
  await slack.close();
  await dynamodb.close();
  rmSync(dir, { recursive: true, force: true });
});

const slackClient = () =>
  slackWebClients({ apiUrl: slack.url, timeoutMs: 2_000, retries: 0 })(TOKEN);

function setup() {
  const runtime = scriptedAgentRuntime(
    { events: answerStream('55') },
    { events: answerStream('56') },
  );
  const metrics = recordingProcessorMetrics();
  const processor = createSlackProcessor({
    runtime,
    slack: slackClient,
    sink: localConversationSink(dir),
    metrics,
    logger: recordingLogger(),
    maxReceiveCount: 3,
    sessionKey: async () => 'idempotency-session-key-0123456789abcdef',
    idempotency: { persistenceStore: dynamoDbIdempotencyStore(TABLE, dynamodb.client) },
  });
  return { processor, runtime, metrics };
}

const event = (body: unknown, messageId: string, receiveCount = 1): SQSEvent => ({
  Records: [
    sqsRecord({
      messageId,
      receiptHandle: `rh-${messageId}`,
      body,
      receiveCount,
      queueArn: 'arn:aws:sqs:us-east-1:123456789012:revops-dev-slack-queue',
    }),
  ],
});

async function question(eventId: string): Promise<SlackQuestionMessage> {
  const placeholder = await (await slackClient()).chat.postMessage({
    channel: CHANNEL,
    thread_ts: THREAD,
    text: 'Looking into it…',
  });
  return {
    kind: 'question',
    version: 1,
    conversation_id: `conv-${eventId}`,
    event_id: eventId,
    team: 'T0REVTEAM',
    channel: CHANNEL,
    thread_ts: THREAD,
    message_ts: THREAD,
    user: 'U0ASKER01',
    question: 'What is the sum of 1 to 10?',
    placeholder_ts: placeholder.ts as string,
    received_at: '2026-12-07T09:00:00.000Z',
  };
}

describe('the Slack processor, handling each message once', () => {
  it('answers a question SQS delivered twice once (the second copy a fresh message id)', async () => {
    const { processor, runtime } = setup();
    const q = await question('Ev0ONCE0001');
    expect((await processor(event(q, 'copy-1'), lambdaContext)).batchItemFailures).toEqual([]);
    const callsAfterFirst = slack.calls.length;
    expect(slack.calls.some((call) => call.args.ts === q.placeholder_ts)).toBe(true);
    expect((await processor(event(q, 'copy-2', 2), lambdaContext)).batchItemFailures).toEqual([]);
    expect(runtime.asked).toHaveLength(1);
    // The second copy touched Slack not at all: no second answer, no second progress.
    expect(slack.calls.length).toBe(callsAfterFirst);
    const keys = await dynamodb.items(TABLE);
    expect(keys.map((item) => item.status?.S)).toEqual(['COMPLETED']);
  });

  it('asks again for a different event in the same thread', async () => {
    const { processor, runtime } = setup();
    await processor(event(await question('Ev0ONCE0002'), 'a'), lambdaContext);
    await processor(event(await question('Ev0ONCE0003'), 'b'), lambdaContext);
    expect(runtime.asked).toHaveLength(2);
  });

  it('records a feedback click delivered twice once', async () => {
    const { processor, metrics } = setup();
    const feedback: SlackFeedbackMessage = {
      kind: 'feedback',
      version: 1,
      conversation_id: 'conv-feedback-1',
      started_at: '2026-12-07T09:00:00.000Z',
      rating: 'positive',
      team: 'T0REVTEAM',
      channel: CHANNEL,
      user: 'U0ASKER01',
      message_ts: THREAD,
      action_ts: '1763890100.123456',
    };
    await processor(event(feedback, 'click-1'), lambdaContext);
    await processor(event(feedback, 'click-2'), lambdaContext);
    expect(metrics.recorded.filter((metric) => metric.name === 'FeedbackPositive')).toHaveLength(1);
  });
});
