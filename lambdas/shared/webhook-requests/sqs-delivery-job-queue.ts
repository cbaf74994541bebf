/**
 * The outbound delivery queue on Amazon SQS: one SendMessage per job, held back by DelaySeconds
 * for the short steps of the retry schedule. The client is created once per container by the
 * caller.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { RetryableError } from '@revbot/core';
import { type DeliveryJobQueue, MAX_DELAY_SECONDS } from './delivery-job';

export function sqsDeliveryJobQueue(client: SQSClient, queueUrl: string): DeliveryJobQueue {
  return {
    async enqueue(job, delaySeconds = 0) {
      try {
        await client.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: JSON.stringify(job),
            DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds))),
            MessageAttributes: {
              tracking_id: { DataType: 'String', StringValue: job.tracking_id },
            },
          }),
        );
      } catch (error) {
        throw new RetryableError('The delivery could not be queued', 'QUEUE_UNAVAILABLE', {
          cause: error,
        });
      }
    },
  };
}
