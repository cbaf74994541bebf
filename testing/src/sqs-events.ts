/**
 * SQS records as Lambda's event source mapping delivers them (attributes, source ARN, region),
 * for driving the real queue processors in tests.
 */
import type { SQSRecord } from 'aws-lambda';

export interface SqsRecordInput {
  messageId: string;
  receiptHandle: string;
  /** A string is delivered as is, anything else as its JSON. */
  body: unknown;
  queueArn: string;
  receiveCount?: number;
  /** Epoch milliseconds; default now. */
  sentAt?: number;
  /** Epoch milliseconds; default `sentAt`. */
  firstReceivedAt?: number;
  senderId?: string;
}

export function sqsRecord(input: SqsRecordInput): SQSRecord {
  const sentAt = input.sentAt ?? Date.now();
  return {
    messageId: input.messageId,
    receiptHandle: input.receiptHandle,
    body: typeof input.body === 'string' ? input.body : JSON.stringify(input.body),
    attributes: {
      ApproximateReceiveCount: String(input.receiveCount ?? 1),
      SentTimestamp: String(sentAt),
      SenderId: input.senderId ?? 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(input.firstReceivedAt ?? sentAt),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: input.queueArn,
    awsRegion: input.queueArn.split(':')[3] ?? '',
  };
}
