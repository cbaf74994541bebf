/**
 * webhook-gateway Lambda: `POST /webhook` and `GET /webhook/{trackingId}` behind API Gateway
 * (which enforces the API key and usage plan). Configuration is read and clients are created
 * once per container.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { logger, parseEnv } from '@revbot/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { z } from 'zod';
import { dailyBudgetsFromEnv } from '../shared/budgets';
import {
  requestStatusEnvSchema,
  requestStatusStoreFromEnv,
  sqsWebhookJobQueue,
  webhookDestinationAllowlist,
} from '../shared/webhook-requests';
import { parseApiKeys } from './api-key';
import { createWebhookGatewayHandler } from './webhook-gateway';

const env = parseEnv(
  requestStatusEnvSchema.extend({
    WEBHOOK_QUEUE_URL: z.url(),
    REVBOT_API_KEYS: z.string().optional(),
    WEBHOOK_STATUS_TTL_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  }),
);

const handleWebhookApi = createWebhookGatewayHandler({
  store: requestStatusStoreFromEnv(env),
  queue: sqsWebhookJobQueue(new SQSClient({}), env.WEBHOOK_QUEUE_URL),
  allowlist: webhookDestinationAllowlist(env),
  apiKeys: parseApiKeys(env.REVBOT_API_KEYS),
  statusTtlSeconds: env.WEBHOOK_STATUS_TTL_DAYS * 24 * 3600,
  logger,
  // BUDGETS and BUDGET_TABLE: daily budgets per API key, 429 once spent.
  budgets: dailyBudgetsFromEnv(),
});

export const handler = async (event: APIGatewayProxyEvent, context?: Context) => {
  if (context) logger.addContext(context);
  return handleWebhookApi(event);
};
