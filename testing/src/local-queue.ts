/**
 * An in-process queue with the SQS semantics the processors rely on: at-least-once delivery,
 * a visibility timeout after each receive, a receive count, and a move to the dead-letter queue
 * once a message has been received `maxReceiveCount` times without being deleted. The state
 * behind the one local SQS (`sqs-endpoint`), in the local stack and in tests.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { QueueJournal } from './queue-journal';

export interface LocalQueueOptions {
  name: string;
  /** Seconds a received message stays invisible unless deleted. */
  visibilityTimeoutSeconds: number;
  /** Receives before the message moves to `deadLetterQueue` (SQS redrive policy). */
  maxReceiveCount?: number;
  deadLetterQueue?: LocalQueue;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
  /**
   * Where every change is written before it is acknowledged, and the messages are read back
   * from on start (the local stack's queues survive a restart or `kill -9`); in memory when absent.
   */
  journal?: QueueJournal;
}

export interface QueueMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  messageAttributes: Record<string, { DataType: string; StringValue?: string }>;
  /** System attributes SQS adds beyond the counters (e.g. `DeadLetterQueueSourceArn`). */
  systemAttributes?: Record<string, string>;
  sentAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** Set on each receive; deleting needs the latest one. */
  receiptHandle?: string;
  visibleAt: number;
}

export const md5Hex = (text: string): string =>
  createHash('md5').update(text, 'utf8').digest('hex');

/** A message as it would sit in a queue, for tests that start from a queue already holding it. */
export function queuedMessage(
  fields: Pick<QueueMessage, 'messageId' | 'body'> & Partial<QueueMessage>,
): QueueMessage {
  const sentAt = fields.sentAt ?? Date.now();
  return {
    md5OfBody: md5Hex(fields.body),
    messageAttributes: {},
    receiveCount: 0,
    visibleAt: sentAt,
    ...fields,
    sentAt,
  };
}

export class LocalQueue {
  readonly name: string;
  readonly deadLetterQueue?: LocalQueue;
  /** What the queue holds, oldest first; tests may seed it with `queuedMessage`. */
  readonly messages: QueueMessage[] = [];
  private readonly visibilityMs: number;
  private readonly maxReceiveCount?: number;
  private readonly now: () => number;
  private readonly listeners = new Set<() => void>();
  private readonly journal?: QueueJournal;

  constructor(options: LocalQueueOptions) {
    this.name = options.name;
    this.visibilityMs = options.visibilityTimeoutSeconds * 1000;
    this.maxReceiveCount = options.maxReceiveCount;
    this.deadLetterQueue = options.deadLetterQueue;
    this.now = options.now ?? Date.now;
    this.journal = options.journal;
    if (this.journal) this.messages.push(...this.journal.load());
  }

  send(
    body: string,
    options: { delaySeconds?: number; messageAttributes?: QueueMessage['messageAttributes'] } = {},
  ): QueueMessage {
    const now = this.now();
    const message: QueueMessage = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5Hex(body),
      messageAttributes: options.messageAttributes ?? {},
      sentAt: now,
      receiveCount: 0,
      visibleAt: now + (options.delaySeconds ?? 0) * 1000,
    };
    this.journal?.put(message);
    this.messages.push(message);
    for (const listener of this.listeners) listener();
    return message;
  }

  /** Receives up to `max` visible messages, moving over-received ones to the DLQ first. */
  receive(max: number, visibilityTimeoutSeconds?: number): QueueMessage[] {
    const now = this.now();
    const received: QueueMessage[] = [];
    for (const message of [...this.messages]) {
      if (received.length >= max) break;
      if (message.visibleAt > now) continue;
      if (this.maxReceiveCount !== undefined && message.receiveCount >= this.maxReceiveCount) {
        // Into the DLQ first: a crash between the two writes leaves a copy, never nothing.
        this.deadLetterQueue?.adopt(message, now);
        this.remove(message);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.receiptHandle = randomUUID();
      message.visibleAt = now + (visibilityTimeoutSeconds ?? this.visibilityMs / 1000) * 1000;
      this.journal?.put(message);
      received.push({ ...message });
    }
    return received;
  }

  /** Deletes by the receipt handle of the latest receive; false when it is stale or unknown. */
  delete(receiptHandle: string): boolean {
    const message = this.messages.find((m) => m.receiptHandle === receiptHandle);
    if (!message) return false;
    this.remove(message);
    return true;
  }

  changeVisibility(receiptHandle: string, seconds: number): boolean {
    const message = this.messages.find((m) => m.receiptHandle === receiptHandle);
    if (!message) return false;
    message.visibleAt = this.now() + seconds * 1000;
    this.journal?.put(message);
    return true;
  }

  purge(): void {
    this.messages.length = 0;
    this.journal?.purge();
  }

  /** Messages available now, and those received and not yet deleted (SQS's two counters). */
  depth(): { visible: number; inFlight: number } {
    const now = this.now();
    const visible = this.messages.filter((m) => m.visibleAt <= now).length;
    return { visible, inFlight: this.messages.length - visible };
  }

  get size(): number {
    return this.messages.length;
  }

  /** Earliest time a message becomes visible, for pollers that sleep until then. */
  nextVisibleAt(): number | undefined {
    let next: number | undefined;
    for (const message of this.messages) {
      if (next === undefined || message.visibleAt < next) next = message.visibleAt;
    }
    return next;
  }

  /** Called whenever a message is sent, so pollers wake at once. */
  onSend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Moves up to `max` messages to `destination` as a redrive does (counted afresh). */
  moveTo(destination: LocalQueue, max: number): number {
    const now = this.now();
    const moved = this.messages.slice(0, max);
    for (const message of moved) {
      destination.adopt({ ...message, receiveCount: 0, firstReceivedAt: undefined }, now);
      this.remove(message);
    }
    return moved.length;
  }

  private adopt(message: QueueMessage, now: number): void {
    const adopted = { ...message, receiptHandle: undefined, visibleAt: now };
    this.journal?.put(adopted);
    this.messages.push(adopted);
    for (const listener of this.listeners) listener();
  }

  private remove(message: QueueMessage): void {
    const index = this.messages.indexOf(message);
    if (index < 0) return;
    this.messages.splice(index, 1);
    if (this.journal) {
      this.journal.delete(message.messageId);
      this.journal.compactIfLarge(this.messages);
    }
  }

  /** Stops writing the journal (the local stack's shutdown); the queue is unusable after. */
  close(): void {
    this.journal?.close();
  }
}
