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
import { otlpTraceExportFromEnv, s3ConversationSink } from '@revbot/monitoring';
import type { Context, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { dynamoDbIdempotencyStore } from '../shared/idempotency';
import { deployedSelfTestChecks, runSelfTest } from '../shared/self-test';
import { secretSlackCredentials } from '../shared/slack/slack-credentials';
import { DEFAULT_SLACK_API_URL, slackWebClients } from '../shared/slack/slack-web-client';
import { powertoolsProcessorMetrics } from './processor-metrics';
import { createSlackProcessor } from './slack-processor';

const env = parseEnv(
  z.object({
    SLACK_SECRET_ARN: z.string().min(1),
    CONVERSATION_BUCKET: z.string().min(3),
    SLACK_API_URL: z.url().default(DEFAULT_SLACK_API_URL),
    /** The queue's redrive maxReceiveCount, set by the stack. */
    SLACK_MAX_RECEIVE_COUNT: z.coerce.number().int().min(1).max(1000).default(3),
    PROGRESS_INTERVAL_MS: z.coerce.number().int().min(250).max(60_000).default(1_000),
    REVBOT_STAGE: z.string().default('dev'),
    /** Handle-once keys of the messages processed (Powertools idempotency). */
    IDEMPOTENCY_TABLE: z.string().min(1),
  }),
);

const credentials = secretSlackCredentials(secretsManagerReader(), env.SLACK_SECRET_ARN);
const slackClients = slackWebClients({
  apiUrl: env.SLACK_API_URL,
  timeoutMs: 10_000,
  retries: 3,
  logger,
});

// `@RevBot test connectivity`: the clients connect only when a self-test runs.
const selfTestChecks = deployedSelfTestChecks(process.env, {
  bedrockAgent: new BedrockAgentClient({}),
  lambda: new LambdaClient({}),
});

const processor = createSlackProcessor({
  runtime: createAgentRuntime(),
  slack: async () => slackClients((await credentials()).botToken),
  sink: s3ConversationSink({ client: new S3Client({}), bucket: env.CONVERSATION_BUCKET }),
  traces: otlpTraceExportFromEnv(),
  metrics: powertoolsProcessorMetrics(metrics),
  logger,
  maxReceiveCount: env.SLACK_MAX_RECEIVE_COUNT,
  progressIntervalMs: env.PROGRESS_INTERVAL_MS,
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
