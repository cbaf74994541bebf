/**
 * The local form of Lambda's SQS event source mapping: polls a LocalQueue, invokes the processor
 * handler with `SQSEvent` batches, deletes what succeeded, and leaves the items the handler
 * reported in `batchItemFailures` (or the whole batch when it threw) to reappear after the
 * visibility timeout, so retries and the dead-letter queue behave as in AWS.
 */

import type { LocalQueue, QueueMessage } from '@revbot/testing/local-queue';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

export interface EventSourceOptions {
  queue: LocalQueue;
  handler: SqsHandler;
  batchSize?: number;
  /** Longest sleep between polls when nothing is visible. */
  idlePollMs?: number;
  region?: string;
  /** Told about each invocation's outcome (logs in the dev server). */
  onBatch?: (outcome: { received: number; failed: number; error?: unknown }) => void;
}

export function toSqsRecord(message: QueueMessage, queueName: string, region: string): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle ?? '',
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: 'revbot-local',
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.messageAttributes).map(([key, value]) => [
        key,
        {
          dataType: value.DataType,
          stringValue: value.StringValue,
          stringListValues: [],
          binaryListValues: [],
        },
      ]),
    ),
    md5OfBody: message.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${region}:000000000000:${queueName}`,
    awsRegion: region,
  };
}

export class EventSource {
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  private inFlight = 0;
  private readonly unsubscribe: () => void;

  constructor(private readonly options: EventSourceOptions) {
    this.unsubscribe = options.queue.onSend(() => this.wake?.());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops polling and waits for the batch being processed, so no work is cut off. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.unsubscribe();
  }

  /** Resolves once the queue holds nothing and no batch is being processed. */
  async drained(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.options.queue.size > 0 || this.inFlight > 0) {
      if (Date.now() > deadline) throw new Error(`queue ${this.options.queue.name} not drained`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private async run(): Promise<void> {
    const { queue, batchSize = 1, idlePollMs = 250 } = this.options;
    while (this.running) {
      const messages = queue.receive(batchSize);
      if (messages.length === 0) {
        const next = queue.nextVisibleAt();
        const wait =
          next === undefined ? idlePollMs : Math.min(idlePollMs, Math.max(1, next - Date.now()));
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, wait);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
        continue;
      }
      await this.invoke(messages);
    }
  }

  private async invoke(messages: QueueMessage[]): Promise<void> {
    const { queue, handler, region = 'us-east-1', onBatch } = this.options;
    const records = messages.map((message) => toSqsRecord(message, queue.name, region));
    this.inFlight += 1;
    try {
      const response = await handler({ Records: records });
      const failed = new Set(
        (response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier),
      );
      for (const record of records) {
        if (!failed.has(record.messageId)) queue.delete(record.receiptHandle);
      }
      onBatch?.({ received: records.length, failed: failed.size });
    } catch (error) {
      // A thrown error fails the whole batch: every message returns after its visibility timeout.
      onBatch?.({ received: records.length, failed: records.length, error });
    } finally {
      this.inFlight -= 1;
    }
  }
}
