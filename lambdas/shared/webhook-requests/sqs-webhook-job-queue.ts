/**
 * The job queue on Amazon SQS (SendMessage with the real client: in AWS, or pointed at the local
 * stack's SQS endpoint). The client is created once per container by the caller; its standard
 * retry strategy has retried throttling and 5xx before an error reaches us.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { RetryableError } from '@revbot/core';
import type { WebhookJobQueue } from './webhook-job';

export function sqsWebhookJobQueue(client: SQSClient, queueUrl: string): WebhookJobQueue {
  return {
    async enqueue(job) {
      try {
        const output = await client.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: JSON.stringify(job),
            MessageAttributes: {
              tracking_id: { DataType: 'String', StringValue: job.tracking_id },
            },
          }),
        );
        return { messageId: output.MessageId ?? '' };
      } catch (error) {
        throw new RetryableError('The request could not be queued', 'QUEUE_UNAVAILABLE', {
          cause: error,
        });
      }
    },
  };
}
