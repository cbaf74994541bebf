/**
 * webhook-processor Lambda: SQS batches of webhook jobs → agents → stored answer → conversation
 * export to S3 → a delivery job on the outbound queue. Configuration is read and clients are
 * created once per container.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createAgentRuntime } from '@revbot/agents/runtime';
import { logger, metrics, parseEnv } from '@revbot/core';
import { modelPricesFromEnv, otlpTraceExportFromEnv, s3ConversationSink } from '@revbot/monitoring';
import type { Context, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { dailyBudgetsFromEnv } from '../shared/budgets';
import {
  requestStatusEnvSchema,
  requestStatusStoreFromEnv,
  sqsDeliveryJobQueue,
} from '../shared/webhook-requests';
import { createWebhookProcessorHandler } from './webhook-processor';

const env = parseEnv(
  requestStatusEnvSchema.extend({
    WEBHOOK_DELIVERY_QUEUE_URL: z.url(),
    CONVERSATION_BUCKET: z.string().min(3),
    WEBHOOK_MAX_RECEIVE_COUNT: z.coerce.number().int().min(1).max(1000).default(3),
    /** How long an action may wait for the caller's approval (the runtime keeps it as long). */
    APPROVAL_TIMEOUT_SECONDS: z.coerce.number().int().min(60).max(604_800).default(86_400),
  }),
);

const processWebhookJobs = createWebhookProcessorHandler({
  store: requestStatusStoreFromEnv(env),
  runtime: createAgentRuntime(),
  deliveries: sqsDeliveryJobQueue(new SQSClient({}), env.WEBHOOK_DELIVERY_QUEUE_URL),
  defaultWebhookUrl: env.WEBHOOK_URL || undefined,
  conversations: s3ConversationSink({ client: new S3Client({}), bucket: env.CONVERSATION_BUCKET }),
  traces: otlpTraceExportFromEnv(),
  maxReceiveCount: env.WEBHOOK_MAX_RECEIVE_COUNT,
  approvalTimeoutSeconds: env.APPROVAL_TIMEOUT_SECONDS,
  logger,
  metrics,
  // MODEL_PRICES (JSON) over the default price table of the cost estimates.
  recorderOptions: { modelPrices: modelPricesFromEnv() },
  budgets: dailyBudgetsFromEnv(),
});

export const handler = async (event: SQSEvent, context: Context) => {
  logger.addContext(context);
  try {
    return await processWebhookJobs(event, context);
  } finally {
    metrics.publishStoredMetrics();
  }
};
