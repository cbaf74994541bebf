/**
 * The local form of Lambda's SQS event source mapping: polls a LocalQueue, invokes the processor
 * handler with `SQSEvent` batches, deletes what succeeded, and leaves the items the handler
 * reported in `batchItemFailures` (or the whole batch when it threw) to reappear after the
 * visibility timeout, so retries and the dead-letter queue behave as in AWS. Like Lambda's
 * pollers it runs several invocations at once (`concurrency`), so one slow job holds up no other.
 */

import type { LocalQueue, QueueMessage } from '@revbot/testing/local-queue';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse | undefined>;

export interface EventSourceOptions {
  queue: LocalQueue;
  handler: SqsHandler;
  batchSize?: number;
  /** Invocations running at once, as a small Lambda pool; 5 by default. */
  concurrency?: number;
  /**
   * True while requests are being answered: a poller then waits (up to 250 ms at a time) before
   * taking a message, so the gateway's 202s do not queue behind the processors in this one
   * process, as in AWS, where they run in separate functions.
   */
  yieldTo?: () => boolean;
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

export const DEFAULT_CONCURRENCY = 5;
const MAX_YIELD_MS = 250;

export class EventSource {
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();
  private inFlight = 0;
  /** Messages being processed, by receipt handle, so a shutdown can hand them back. */
  private readonly processing = new Set<string>();
  private readonly unsubscribe: () => void;

  constructor(private readonly options: EventSourceOptions) {
    this.unsubscribe = options.queue.onSend(() => this.wakeAll());
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const workers = Math.max(1, this.options.concurrency ?? DEFAULT_CONCURRENCY);
    this.loops = Array.from({ length: workers }, () => this.run());
  }

  /**
   * Stops taking messages and waits up to `graceMs` for the batches being processed. Those still
   * running then are handed back to the queue (visible at once, their receive counted), so the
   * next start picks them up; resolves with how many were handed back.
   */
  async stop(graceMs = Number.POSITIVE_INFINITY): Promise<number> {
    this.running = false;
    this.wakeAll();
    const finished = Promise.all(this.loops).then(() => true);
    const timedOut =
      graceMs === Number.POSITIVE_INFINITY
        ? finished
        : new Promise<boolean>((resolve) => setTimeout(() => resolve(false), graceMs).unref());
    const done = await Promise.race([finished, timedOut]);
    this.unsubscribe();
    if (done) return 0;
    let handedBack = 0;
    for (const receiptHandle of this.processing) {
      if (this.options.queue.changeVisibility(receiptHandle, 0)) handedBack += 1;
    }
    this.processing.clear();
    return handedBack;
  }

  private wakeAll(): void {
    for (const wake of this.wakers) wake();
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
    const { queue, batchSize = 1, idlePollMs = 250, yieldTo } = this.options;
    while (this.running) {
      const yieldUntil = Date.now() + MAX_YIELD_MS;
      while (this.running && yieldTo?.() && Date.now() < yieldUntil) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      if (!this.running) break;
      const messages = queue.receive(batchSize);
      if (messages.length === 0) {
        const next = queue.nextVisibleAt();
        const wait =
          next === undefined ? idlePollMs : Math.min(idlePollMs, Math.max(1, next - Date.now()));
        await new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            this.wakers.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, wait);
          this.wakers.add(wake);
        });
        continue;
      }
      await this.invoke(messages);
    }
  }

  private async invoke(messages: QueueMessage[]): Promise<void> {
    const { queue, handler, region = 'us-east-1', onBatch } = this.options;
    const records = messages.map((message) => toSqsRecord(message, queue.name, region));
    this.inFlight += 1;
    for (const record of records) this.processing.add(record.receiptHandle);
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
      for (const record of records) this.processing.delete(record.receiptHandle);
    }
  }
}
