/**
 * slack-processor Lambda (SQS): the adapter around `createSlackProcessor`, with the agent
 * runtime, the Slack Web API client (bot token from Secrets Manager), the S3 conversation sink
 * and Powertools metrics created once per container.
 */
import { BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { createAgentRuntime } from '@revbot/agents/runtime';
import { logger, metrics, parseEnv, secretsManagerReader } from '@revbot/core';
import { modelPricesFromEnv, otlpTraceExportFromEnv, s3ConversationSink } from '@revbot/monitoring';
import type { Context, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { dailyBudgetsFromEnv } from '../shared/budgets';
import { dynamoDbIdempotencyStore } from '../shared/idempotency';
import { deployedSelfTestChecks, runSelfTest } from '../shared/self-test';
import { secretSlackBotToken } from '../shared/slack/slack-credentials';
import { DEFAULT_SLACK_API_URL, slackWebClients } from '../shared/slack/slack-web-client';
import { dynamoDbStopRequests } from '../shared/slack/stop-requests';
import { parseAgentGroups, slackAgentAccess } from './agent-access';
import { powertoolsProcessorMetrics } from './processor-metrics';
import { createSlackProcessor } from './slack-processor';

const env = parseEnv(
  z.object({
    SLACK_SECRET_ARN: z.string().min(1),
    /** The generated key Slack thread session ids are an HMAC under. */
    SLACK_SESSION_KEY_SECRET_ARN: z.string().min(1),
    CONVERSATION_BUCKET: z.string().min(3),
    SLACK_API_URL: z.url().default(DEFAULT_SLACK_API_URL),
    /** The queue's redrive maxReceiveCount, set by the stack. */
    SLACK_MAX_RECEIVE_COUNT: z.coerce.number().int().min(1).max(1000).default(3),
    PROGRESS_INTERVAL_MS: z.coerce.number().int().min(250).max(60_000).default(1_000),
    /** Stream answers in the thread (falls back by itself where the workspace cannot). */
    SLACK_STREAMING: z.enum(['on', 'off']).default('on'),
    /** The Slack app is declared as an agent: session title and Stop button. */
    SLACK_AGENT_SESSIONS: z.enum(['on', 'off']).default('off'),
    REVBOT_STAGE: z.string().default('dev'),
    /** `{"<agent>": ["S…"]}`: the Slack user groups that may use each listed agent. */
    SLACK_AGENT_GROUPS: z.string().optional(),
    /** How long an approval request stays open; the runtime keeps the paused run as long. */
    APPROVAL_TIMEOUT_SECONDS: z.coerce.number().int().min(60).max(604_800).default(86_400),
    /** Handle-once keys of the messages processed (Powertools idempotency). */
    IDEMPOTENCY_TABLE: z.string().min(1),
    /** The Slack handler's events table, where it records Stop presses (stop-requests.ts). */
    SLACK_EVENTS_TABLE: z.string().min(1).optional(),
  }),
);

// The bot token alone: this role cannot read the signing secret.
const secrets = secretsManagerReader();
const botToken = secretSlackBotToken(secrets, env.SLACK_SECRET_ARN);
const slackClients = slackWebClients({
  apiUrl: env.SLACK_API_URL,
  timeoutMs: 10_000,
  retries: 3,
  logger,
});

const agentGroups = parseAgentGroups(env.SLACK_AGENT_GROUPS);
const slack = async () => slackClients(await botToken());

// `@RevBot test connectivity`: the clients connect only when a self-test runs.
const selfTestChecks = deployedSelfTestChecks(process.env, {
  bedrockAgent: new BedrockAgentClient({}),
  lambda: new LambdaClient({}),
});

const processor = createSlackProcessor({
  runtime: createAgentRuntime(),
  slack,
  sink: s3ConversationSink({ client: new S3Client({}), bucket: env.CONVERSATION_BUCKET }),
  sessionKey: () => secrets.read(env.SLACK_SESSION_KEY_SECRET_ARN),
  agentAccess: agentGroups && slackAgentAccess({ groups: agentGroups, slack, logger }),
  traces: otlpTraceExportFromEnv(),
  metrics: powertoolsProcessorMetrics(metrics),
  // MODEL_PRICES (JSON) over the default price table of the cost estimates.
  recorderOptions: { modelPrices: modelPricesFromEnv() },
  // BUDGETS and BUDGET_TABLE: daily budgets per Slack user and channel.
  budgets: dailyBudgetsFromEnv(),
  stopRequests: env.SLACK_EVENTS_TABLE
    ? dynamoDbStopRequests({ client: new DynamoDBClient({}), tableName: env.SLACK_EVENTS_TABLE })
    : undefined,
  logger,
  maxReceiveCount: env.SLACK_MAX_RECEIVE_COUNT,
  approvalTimeoutSeconds: env.APPROVAL_TIMEOUT_SECONDS,
  progressIntervalMs: env.PROGRESS_INTERVAL_MS,
  streaming:
    env.SLACK_STREAMING === 'on' ? { agentSession: env.SLACK_AGENT_SESSIONS === 'on' } : undefined,
  selfTest: () => runSelfTest(env.REVBOT_STAGE, selfTestChecks),
  idempotency: {
    persistenceStore: dynamoDbIdempotencyStore(env.IDEMPOTENCY_TABLE, new DynamoDBClient({})),
  },
});

export const handler = async (event: SQSEvent, context: Context) => {
  try {
    return await processor(event, context);
  } finally {
    metrics.publishStoredMetrics();
  }
};
