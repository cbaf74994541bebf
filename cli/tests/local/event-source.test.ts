import { LocalQueue } from '@revbot/testing/local-queue';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { EventSource } from '../../src/local/event-source';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the local event source', () => {
  const sources: EventSource[] = [];
  afterEach(async () => {
    await Promise.all(sources.splice(0).map((source) => source.stop(1_000)));
  });

  it('lets other messages through while one job hangs', async () => {
    const queue = new LocalQueue({ name: 'work', visibilityTimeoutSeconds: 30 });
    const done: string[] = [];
    let release: () => void = () => undefined;
    const hanging = new Promise<void>((resolve) => {
      release = resolve;
    });
    const source = new EventSource({
      queue,
      idlePollMs: 5,
      handler: async (event: SQSEvent) => {
        const body = event.Records[0]?.body ?? '';
        if (body === 'slow') await hanging;
        done.push(body);
        return undefined;
      },
    });
    sources.push(source);
    queue.send('slow');
    for (let i = 0; i < 8; i++) queue.send(`fast-${i}`);
    source.start();
    const deadline = Date.now() + 2_000;
    while (done.length < 8 && Date.now() < deadline) await sleep(5);
    expect(done.sort()).toEqual(Array.from({ length: 8 }, (_, i) => `fast-${i}`));
    release();
    await source.drained(1_000);
    expect(done).toContain('slow');
  });

  it('runs at most `concurrency` invocations at once', async () => {
    const queue = new LocalQueue({ name: 'work', visibilityTimeoutSeconds: 30 });
    let running = 0;
    let most = 0;
    const source = new EventSource({
      queue,
      concurrency: 3,
      idlePollMs: 5,
      handler: async () => {
        running += 1;
        most = Math.max(most, running);
        await sleep(20);
        running -= 1;
        return undefined;
      },
    });
    sources.push(source);
    for (let i = 0; i < 12; i++) queue.send(`m${i}`);
    source.start();
    await source.drained(5_000);
    expect(most).toBe(3);
  });

  it('hands work still running after the grace period back to the queue, visible at once', async () => {
    const queue = new LocalQueue({ name: 'work', visibilityTimeoutSeconds: 3_600 });
    const source = new EventSource({
      queue,
      idlePollMs: 5,
      handler: () => new Promise(() => undefined),
    });
    queue.send('stuck');
    queue.send('also stuck');
    source.start();
    await sleep(30);
    expect(queue.depth()).toEqual({ visible: 0, inFlight: 2 });
    expect(await source.stop(50)).toBe(2);
    expect(queue.depth()).toEqual({ visible: 2, inFlight: 0 });
  });
});
