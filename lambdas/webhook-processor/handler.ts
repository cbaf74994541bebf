/**
 * webhook-processor Lambda: SQS batches of webhook jobs → agents → stored answer → conversation
 * export to S3 → signed delivery. Configuration is read and clients are created once per
 * container; the signing key is read from Secrets Manager (cached) when a delivery needs it.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { createAgentRuntime } from '@revbot/agents/runtime';
import { logger, metrics, parseEnv, secretsManagerReader } from '@revbot/core';
import { modelPricesFromEnv, otlpTraceExportFromEnv, s3ConversationSink } from '@revbot/monitoring';
import type { Context, SQSEvent } from 'aws-lambda';
import { z } from 'zod';
import { dailyBudgetsFromEnv } from '../shared/budgets';
import { signingSecretSource } from '../shared/outbound';
import {
  requestStatusEnvSchema,
  requestStatusStoreFromEnv,
  webhookDestinationAllowlist,
} from '../shared/webhook-requests';
import { createWebhookProcessorHandler } from './webhook-processor';

const env = parseEnv(
  requestStatusEnvSchema.extend({
    WEBHOOK_SIGNING_SECRET_ARN: z.string().min(1).optional(),
    WEBHOOK_SIGNING_SECRET: z.string().min(1).optional(),
    CONVERSATION_BUCKET: z.string().min(3),
    WEBHOOK_MAX_RECEIVE_COUNT: z.coerce.number().int().min(1).max(1000).default(3),
    /** How long an action may wait for the caller's approval (the runtime keeps it as long). */
    APPROVAL_TIMEOUT_SECONDS: z.coerce.number().int().min(60).max(604_800).default(86_400),
  }),
);

const processWebhookJobs = createWebhookProcessorHandler({
  store: requestStatusStoreFromEnv(env),
  runtime: createAgentRuntime(),
  allowlist: webhookDestinationAllowlist(env),
  signer: signingSecretSource(env, secretsManagerReader()),
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
