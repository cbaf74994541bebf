/**
 * webhook-delivery Lambda: SQS batches of delivery jobs → one signed attempt each → the attempt
 * recorded on the request → done, next attempt queued, or DLQ. Configuration is read and clients
 * are created once per container; the signing key is read from Secrets Manager (cached).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { logger, metrics, parseEnv, secretsManagerReader } from '@revbot/core';
import type { Context, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { dynamoDbIdempotencyStore } from '../shared/idempotency';
import { parseRetrySchedule, signingSecretSource } from '../shared/outbound';
import {
  requestStatusEnvSchema,
  requestStatusStoreFromEnv,
  sqsDeliveryJobQueue,
  webhookDestinationAllowlist,
} from '../shared/webhook-requests';
import { createWebhookDeliveryHandler } from './webhook-delivery';

const env = parseEnv(
  requestStatusEnvSchema.extend({
    WEBHOOK_SIGNING_SECRET_ARN: z.string().min(1).optional(),
    WEBHOOK_SIGNING_SECRET: z.string().min(1).optional(),
    WEBHOOK_DELIVERY_QUEUE_URL: z.url(),
    WEBHOOK_DELIVERY_DLQ_URL: z.url(),
    WEBHOOK_RETRY_SCHEDULE: z.string().default(''),
    IDEMPOTENCY_TABLE: z.string().min(1),
  }),
);

const sqs = new SQSClient({});
const processDeliveryJobs = createWebhookDeliveryHandler(
  {
    store: requestStatusStoreFromEnv(env),
    queue: sqsDeliveryJobQueue(sqs, env.WEBHOOK_DELIVERY_QUEUE_URL),
    deadLetters: sqsDeliveryJobQueue(sqs, env.WEBHOOK_DELIVERY_DLQ_URL),
    allowlist: webhookDestinationAllowlist(env),
    signer: signingSecretSource(env, secretsManagerReader()),
    defaultWebhookUrl: env.WEBHOOK_URL || undefined,
    schedule: parseRetrySchedule(env.WEBHOOK_RETRY_SCHEDULE),
    logger,
    metrics,
  },
  { persistenceStore: dynamoDbIdempotencyStore(env.IDEMPOTENCY_TABLE, new DynamoDBClient({})) },
);

export const handler = async (event: SQSEvent, context: Context) => {
  logger.addContext(context);
  try {
    return await processDeliveryJobs(event, context);
  } finally {
    metrics.publishStoredMetrics();
  }
};
