/**
 * webhook-gateway Lambda: `POST /webhook` and `GET /webhook/{trackingId}` behind API Gateway
 * (which enforces the API key and usage plan). Configuration is read and clients are created
 * once per container.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { logger, parseEnv } from '@revbot/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { z } from 'zod';
import {
  DynamoDbRequestStatusStore,
  sqsWebhookJobQueue,
  webhookDestinationAllowlist,
  webhookDestinationsEnvSchema,
} from '../shared/webhook-requests';
import { parseApiKeys } from './api-key';
import { createWebhookGatewayHandler } from './webhook-gateway';

const env = parseEnv(
  webhookDestinationsEnvSchema.extend({
    WEBHOOK_REQUESTS_TABLE: z.string().min(1),
    WEBHOOK_QUEUE_URL: z.url(),
    REVBOT_API_KEYS: z.string().optional(),
    WEBHOOK_STATUS_TTL_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  }),
);

const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

const handleWebhookApi = createWebhookGatewayHandler({
  store: new DynamoDbRequestStatusStore(documents, env.WEBHOOK_REQUESTS_TABLE),
  queue: sqsWebhookJobQueue(new SQSClient({}), env.WEBHOOK_QUEUE_URL),
  allowlist: webhookDestinationAllowlist(env),
  apiKeys: parseApiKeys(env.REVBOT_API_KEYS),
  statusTtlSeconds: env.WEBHOOK_STATUS_TTL_DAYS * 24 * 3600,
  logger,
});

export const handler = async (event: APIGatewayProxyEvent, context?: Context) => {
  if (context) logger.addContext(context);
  return handleWebhookApi(event);
};
