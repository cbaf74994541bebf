/**
 * The webhook processor's SQS batch handler: each record is one WebhookJob, answered by
 * `answerWebhookJob`; records that throw are reported in `batchItemFailures` (Powertools partial
 * batch responses), so only they return to the queue and, after maxReceiveCount, to its DLQ.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { parseQueueJob, type WebhookJob, webhookJobSchema } from '../shared/webhook-requests';
import { answerWebhookJob, type WebhookProcessorDeps } from './answer-webhook-job';

export type SqsBatchHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/** Reads a queue message; a malformed one is thrown, retried and kept in the DLQ for a look. */
export function parseWebhookJob(body: string): WebhookJob {
  return parseQueueJob(body, webhookJobSchema, 'a webhook job');
}

export function createWebhookProcessorHandler(deps: WebhookProcessorDeps): SqsBatchHandler {
  const answerRecord = async (record: SQSRecord, context?: Context) => {
    try {
      const job = parseWebhookJob(record.body);
      return await answerWebhookJob(
        job,
        {
          receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1) || 1,
          remainingTimeMs: context?.getRemainingTimeInMillis(),
        },
        deps,
      );
    } catch (error) {
      deps.logger?.error('webhook job not finished; SQS will deliver it again', {
        message_id: record.messageId,
        receive_count: record.attributes?.ApproximateReceiveCount,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      throw error;
    }
  };
  return (event, context) =>
    // A processor per invocation: its state must not be shared by overlapping invocations.
    processPartialResponse(
      event,
      (record: SQSRecord) => answerRecord(record, context),
      new BatchProcessor(EventType.SQS),
      { context, throwOnFullBatchFailure: false },
    );
}
