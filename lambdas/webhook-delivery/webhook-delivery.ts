/**
 * The delivery stage's SQS batch handler: each record is one DeliveryJob, run once per logical
 * key (tracking id, event, series, attempt, hop) however often SQS delivers it, by
 * `deliverWebhookJob`; records that throw are reported in `batchItemFailures`, so only they come
 * back and, after maxReceiveCount, wait in the DLQ.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { type IdempotencyOptions, idempotentByKey } from '../shared/idempotency';
import {
  type DeliveryJob,
  deliveryJobKey,
  deliveryJobSchema,
  parseQueueJob,
} from '../shared/webhook-requests';
import {
  type DeliveryResult,
  deliverWebhookJob,
  type WebhookDeliveryDeps,
} from './deliver-webhook-job';

export type DeliveryBatchHandler = (
  event: SQSEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
) => Promise<SQSBatchResponse>;

export function parseDeliveryJob(body: string): DeliveryJob {
  return parseQueueJob(body, deliveryJobSchema, 'a delivery job');
}

export function createWebhookDeliveryHandler(
  deps: WebhookDeliveryDeps,
  idempotency?: IdempotencyOptions,
): DeliveryBatchHandler {
  const deliver = (job: DeliveryJob) => deliverWebhookJob(job, deps);
  const once = idempotency
    ? idempotentByKey<DeliveryJob, DeliveryResult>(deliver, idempotency)
    : undefined;
  const deliverRecord = async (record: SQSRecord) => {
    try {
      const job = parseDeliveryJob(record.body);
      return await (once ? once.run(deliveryJobKey(job), job) : deliver(job));
    } catch (error) {
      deps.logger?.error('delivery job not finished; SQS will deliver it again', {
        message_id: record.messageId,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      throw error;
    }
  };
  return (event, context) => {
    once?.registerContext(context);
    return processPartialResponse(event, deliverRecord, new BatchProcessor(EventType.SQS), {
      throwOnFullBatchFailure: false,
    });
  };
}
