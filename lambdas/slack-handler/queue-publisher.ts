/**
 * Where the handler puts work for the processor: one SQS message per question or feedback click.
 * A seam, so the local stack feeds its in-process queue through the same handler code.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { RetryableError } from '@revbot/core';
import type { SlackQueueMessage } from '../shared/slack/slack-queue-message';

export interface QueuePublisher {
  publish(message: SlackQueueMessage): Promise<void>;
}

export function sqsQueuePublisher(options: {
  client: SQSClient;
  queueUrl: string;
}): QueuePublisher {
  return {
    async publish(message) {
      try {
        await options.client.send(
          new SendMessageCommand({
            QueueUrl: options.queueUrl,
            MessageBody: JSON.stringify(message),
            MessageAttributes: { kind: { DataType: 'String', StringValue: message.kind } },
          }),
        );
      } catch (error) {
        throw new RetryableError('The Slack queue could not be reached', 'QUEUE_UNAVAILABLE', {
          cause: error,
        });
      }
    },
  };
}

/** Keeps messages in an array: tests, and callers that drain it themselves. */
export function arrayQueuePublisher(): QueuePublisher & { messages: SlackQueueMessage[] } {
  const messages: SlackQueueMessage[] = [];
  return {
    messages,
    async publish(message) {
      messages.push(message);
    },
  };
}
