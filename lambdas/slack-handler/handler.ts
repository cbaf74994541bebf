/**
 * slack-handler Lambda (`POST /slack/events`, `POST /slack/interactions`): the API Gateway
 * adapter around `createSlackHandler`. Clients are created once per container and sized for
 * Slack's three-second deadline: short timeouts, one retry, a failure answered with a 5xx so
 * Slack retries the delivery instead.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { logger, parseEnv, secretsManagerReader } from '@revbot/core';
import * as z from 'zod/mini';
import { secretSlackCredentials } from '../shared/slack/slack-credentials';
import { slackThreadPosters } from '../shared/slack/slack-thread-poster';
import { DEFAULT_SLACK_API_URL, slackWebClients } from '../shared/slack/slack-web-client';
import { dynamoDbStopRequests } from '../shared/slack/stop-requests';
import { dynamoDbEventClaims } from './event-claims';
import { sqsQueuePublisher } from './queue-publisher';
import { slackAccessEnvSchema, slackAccessPolicyFromEnv } from './slack-access';
import { createSlackHandler } from './slack-handler';

const required = z.string().check(z.minLength(1));

const env = parseEnv(
  z.extend(slackAccessEnvSchema, {
    /** `{"bot_token"}` */
    SLACK_SECRET_ARN: required,
    /** `{"signing_secret"}` */
    SLACK_SIGNING_SECRET_ARN: required,
    SLACK_QUEUE_URL: z.url(),
    SLACK_EVENTS_TABLE: required,
    SLACK_API_URL: z._default(z.url(), DEFAULT_SLACK_API_URL),
    SLACK_APP_ID: z.optional(z.string().check(z.regex(/^A[A-Z0-9]+$/, 'must be a Slack app id'))),
    SLACK_APPROVERS_GROUP: z.optional(
      z.string().check(z.regex(/^S[A-Z0-9]+$/, 'must be a Slack user group id')),
    ),
  }),
);

// Tight budgets: a slow dependency is better answered with a 5xx (Slack retries) than a timeout.
const awsClientConfig = {
  maxAttempts: 2,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 1_500 },
};

const dynamoDb = new DynamoDBClient(awsClientConfig);

const gateway = createSlackHandler({
  credentials: secretSlackCredentials(secretsManagerReader(), {
    botToken: env.SLACK_SECRET_ARN,
    signingSecret: env.SLACK_SIGNING_SECRET_ARN,
  }),
  signingSecretName: env.SLACK_SIGNING_SECRET_ARN,
  slackClient: slackWebClients({
    apiUrl: env.SLACK_API_URL,
    timeoutMs: 1_500,
    retries: 1,
    rejectRateLimitedCalls: true,
    logger,
  }),
  // The placeholder without the Web API client: a cold question does not wait for it to load.
  threadPoster: slackThreadPosters({ apiUrl: env.SLACK_API_URL, timeoutMs: 1_500, retries: 1 }),
  claims: dynamoDbEventClaims({ client: dynamoDb, tableName: env.SLACK_EVENTS_TABLE }),
  stopRequests: dynamoDbStopRequests({ client: dynamoDb, tableName: env.SLACK_EVENTS_TABLE }),
  queue: sqsQueuePublisher({
    client: new SQSClient(awsClientConfig),
    queueUrl: env.SLACK_QUEUE_URL,
  }),
  logger,
  appId: env.SLACK_APP_ID,
  access: slackAccessPolicyFromEnv(env),
  approversGroup: env.SLACK_APPROVERS_GROUP,
});

export const handler = gateway;
