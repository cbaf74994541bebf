import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { EventSource } from '@revbot/cli';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalQueue } from '../src/local-queue';
import { type LocalSqs, queueUrl, startLocalSqs } from '../src/sqs-endpoint';

const queues = (now: () => number) => {
  const dlq = new LocalQueue({ name: 'q-dlq', visibilityTimeoutSeconds: 30, now });
  const queue = new LocalQueue({
    name: 'q',
    visibilityTimeoutSeconds: 30,
    maxReceiveCount: 3,
    deadLetterQueue: dlq,
    now,
  });
  return { queue, dlq };
};

describe('LocalQueue', () => {
  it('hides a received message for the visibility timeout, then delivers it again', () => {
    let now = 1_000;
    const { queue } = queues(() => now);
    queue.send('hello');
    const [first] = queue.receive(10);
    expect(first?.receiveCount).toBe(1);
    expect(queue.receive(10)).toEqual([]);
    now += 30_001;
    const [second] = queue.receive(10);
    expect(second?.messageId).toBe(first?.messageId);
    expect(second?.receiveCount).toBe(2);
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', () => {
    let now = 0;
    const { queue, dlq } = queues(() => now);
    queue.send('poison');
    for (let i = 0; i < 3; i++) {
      expect(queue.receive(1)).toHaveLength(1);
      now += 31_000;
    }
    expect(queue.receive(1)).toEqual([]);
    expect(queue.size).toBe(0);
    expect(dlq.receive(1)[0]?.body).toBe('poison');
  });

  it('deletes only with the receipt handle of the latest receive', () => {
    let now = 0;
    const { queue } = queues(() => now);
    queue.send('x');
    const [first] = queue.receive(1);
    now += 31_000;
    const [second] = queue.receive(1);
    expect(queue.delete(first?.receiptHandle ?? '')).toBe(false);
    expect(queue.delete(second?.receiptHandle ?? '')).toBe(true);
    expect(queue.size).toBe(0);
  });
});

describe('EventSource', () => {
  const sources: EventSource[] = [];
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((source) => source.stop()));
  });

  it('deletes processed messages and redelivers only the reported batch item failures', async () => {
    const dlq = new LocalQueue({ name: 'dlq', visibilityTimeoutSeconds: 0 });
    const queue = new LocalQueue({
      name: 'work',
      visibilityTimeoutSeconds: 0,
      maxReceiveCount: 3,
      deadLetterQueue: dlq,
    });
    const seen: string[] = [];
    // With a zero visibility timeout a second poller would take a message still being handled.
    const source = new EventSource({
      queue,
      batchSize: 10,
      concurrency: 1,
      idlePollMs: 5,
      handler: async (event: SQSEvent) => {
        seen.push(...event.Records.map((r) => `${r.body}#${r.attributes.ApproximateReceiveCount}`));
        return {
          batchItemFailures: event.Records.filter((r) => r.body === 'bad').map((r) => ({
            itemIdentifier: r.messageId,
          })),
        };
      },
    });
    sources.push(source);
    queue.send('good');
    queue.send('bad');
    source.start();
    await source.drained();
    expect(seen.filter((s) => s.startsWith('good'))).toEqual(['good#1']);
    expect(seen.filter((s) => s.startsWith('bad'))).toEqual(['bad#1', 'bad#2', 'bad#3']);
    expect(dlq.receive(10).map((m) => m.body)).toEqual(['bad']);
  });

  it('retries the whole batch when the handler throws', async () => {
    const queue = new LocalQueue({ name: 'work', visibilityTimeoutSeconds: 0, maxReceiveCount: 5 });
    let calls = 0;
    const source = new EventSource({
      queue,
      concurrency: 1,
      idlePollMs: 5,
      handler: async () => {
        calls += 1;
        if (calls < 2) throw new Error('transient');
        return undefined;
      },
    });
    sources.push(source);
    queue.send('once');
    source.start();
    await source.drained();
    expect(calls).toBe(2);
  });

  it('finishes the batch in flight when stopped', async () => {
    const queue = new LocalQueue({ name: 'work', visibilityTimeoutSeconds: 30 });
    let finished = false;
    const source = new EventSource({
      queue,
      idlePollMs: 5,
      handler: async () => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        finished = true;
        return undefined;
      },
    });
    queue.send('slow');
    source.start();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await source.stop();
    expect(finished).toBe(true);
    expect(queue.size).toBe(0);
  });
});

describe('the SQS JSON endpoint', () => {
  let sqs: LocalSqs | undefined;
  afterEach(() => sqs?.close());

  it('lets the real SQS client send messages and read queue depth', async () => {
    const queue = new LocalQueue({
      name: 'revops-local-webhook-queue',
      visibilityTimeoutSeconds: 30,
    });
    sqs = await startLocalSqs([queue]);
    const base = sqs.url;
    const client = new SQSClient({
      endpoint: base,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const url = queueUrl(base, 'revops-local-webhook-queue');
    const sent = await client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: '{"q":"hi"}' }),
    );
    expect(sent.MessageId).toBeTruthy();
    const attributes = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
    );
    expect(attributes.Attributes?.ApproximateNumberOfMessages).toBe('1');
    await expect(
      client.send(
        new SendMessageCommand({ QueueUrl: `${base}/000000000000/nope`, MessageBody: 'x' }),
      ),
    ).rejects.toThrow(/does not exist/);
  });
});
