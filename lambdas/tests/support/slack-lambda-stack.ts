/**
 * The Slack Lambdas as deployed, on one machine: their real entry points (`slack-handler/handler.ts`,
 * `slack-processor/handler.ts`) configured from the environment, the real Slack client talking to
 * the local Slack API, the AWS SDK clients to local SQS, DynamoDB, Secrets Manager and S3, the
 * bedrock-agents runtime to a local InvokeAgent server. For the end-to-end tests of the Slack path.
 */
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '@revbot/testing/embedded-dynamodb';
import { type FakeAws, startFakeAws } from '@revbot/testing/fake-aws';
import {
  type InvokeAgentServer,
  startInvokeAgentServer,
} from '@revbot/testing/invoke-agent-server';
import type { LocalQueue } from '@revbot/testing/local-queue';
import { type LocalSlackApi, startLocalSlackApi } from '@revbot/testing/local-slack-api';
import { BOT_USER, TEAM } from '@revbot/testing/slack-requests';
import type { APIGatewayProxyEvent, Context, SQSEvent } from 'aws-lambda';

export type SlackHandlerEntry = (
  event: APIGatewayProxyEvent,
) => Promise<{ statusCode: number; body: string }>;
export type SlackProcessorEntry = (
  event: SQSEvent,
  context: Context,
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

export interface SlackLambdaNames {
  signingSecret: string;
  botToken: string;
  secretArn: string;
  table: string;
  bucket: string;
  /** The queue the handler sends to, under its name. */
  queue: LocalQueue;
  /** Settings over the defaults (e.g. `SLACK_STREAMING: 'on'`). */
  env?: Record<string, string>;
}

export interface SlackLambdaStack {
  slack: LocalSlackApi;
  aws: FakeAws;
  dynamo: EmbeddedDynamoDb;
  agents: InvokeAgentServer;
  handleSlack: SlackHandlerEntry;
  processQueue: SlackProcessorEntry;
  /** Stops the servers and gives process.env back as it was. */
  close(): Promise<void>;
}

/** The server key Slack session ids are derived under (an HMAC, see session-id.ts). */
export const SLACK_SESSION_KEY = 'e2e-session-key-0123456789abcdef0123456789abcdef';
const SESSION_KEY_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:revops/test/slack-session-key-MnOpQr';
/** Powertools idempotency keys of the processor: a message SQS delivers twice is handled once. */
export const IDEMPOTENCY_TABLE = 'revops-test-slack-idempotency';
const SIGNING_SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:revops/test/slack-signing-GhIjKl';

export async function startSlackLambdaStack(names: SlackLambdaNames): Promise<SlackLambdaStack> {
  const savedEnv = { ...process.env };
  const [slack, aws, dynamo, agents] = await Promise.all([
    startLocalSlackApi({ botToken: names.botToken, botUserId: BOT_USER, teamId: TEAM }),
    startFakeAws(),
    startEmbeddedDynamoDb(),
    startInvokeAgentServer(),
  ]);
  aws.state.secrets[names.secretArn] = {
    name: 'revops/test/slack',
    value: JSON.stringify({ bot_token: names.botToken }),
  };
  // The signing secret apart from the bot token, so the processor cannot read it.
  aws.state.secrets[SIGNING_SECRET_ARN] = {
    name: 'revops/test/slack-signing',
    value: JSON.stringify({ signing_secret: names.signingSecret }),
  };
  aws.state.secrets[SESSION_KEY_ARN] = {
    name: 'revops/test/slack-session-key',
    value: SLACK_SESSION_KEY,
  };
  aws.state.queues[names.queue.name] = names.queue;
  aws.state.buckets[names.bucket] = new Map();
  await dynamo.createTable(names.table, 'id');
  await dynamo.createTable(IDEMPOTENCY_TABLE, 'id');

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
    SLACK_SECRET_ARN: names.secretArn,
    SLACK_SIGNING_SECRET_ARN: SIGNING_SECRET_ARN,
    SLACK_SESSION_KEY_SECRET_ARN: SESSION_KEY_ARN,
    SLACK_QUEUE_URL: aws.queueUrl(names.queue.name),
    SLACK_EVENTS_TABLE: names.table,
    IDEMPOTENCY_TABLE,
    SLACK_API_URL: slack.url,
    CONVERSATION_BUCKET: names.bucket,
    SLACK_MAX_RECEIVE_COUNT: '3',
    // The placeholder path (a workspace without streaming); slack-streaming-end-to-end streams.
    SLACK_STREAMING: 'off',
    AGENT_RUNTIME: 'bedrock-agents',
    MANAGER_AGENT_ID: 'MGRAGENT01',
    MANAGER_AGENT_ALIAS_ID: 'LIVEALIAS1',
    ...names.env,
  });
  const handler = await import('../../slack-handler/handler');
  const processor = await import('../../slack-processor/handler');
  return {
    slack,
    aws,
    dynamo,
    agents,
    handleSlack: handler.handler as unknown as SlackHandlerEntry,
    processQueue: processor.handler as unknown as SlackProcessorEntry,
    async close() {
      process.env = savedEnv;
      await Promise.all([slack.close(), aws.close(), dynamo.close(), agents.close()]);
    },
  };
}
