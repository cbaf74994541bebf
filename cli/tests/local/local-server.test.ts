import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import type { Route } from '../../src/local/api-gateway';
import {
  type LocalApp,
  type LocalQueueSpec,
  type RunningLocalServer,
  startLocalServer,
} from '../../src/local/local-server';

/** A gateway route that enqueues its body with the real SQS client, as the handlers do. */
function enqueueRoute(
  target: () => { sqs?: SQSClient; server?: RunningLocalServer },
  before: () => Promise<void> = async () => undefined,
): Route {
  return {
    method: 'POST',
    resource: '/ask',
    functionName: 'gateway',
    handler: async (event) => {
      await before();
      const { sqs, server } = target();
      await sqs?.send(
        new SendMessageCommand({
          QueueUrl: server?.queueUrl('work'),
          MessageBody: event.body ?? '',
        }),
      );
      return { statusCode: 202, body: '{}' };
    },
  };
}

const sqsClientFor = (url: string) =>
  new SQSClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

describe('the local server', () => {
  let running: RunningLocalServer | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('feeds what a handler enqueues with the real SQS client to the processor', async () => {
    const processed: string[] = [];
    let sqs: SQSClient | undefined;
    running = await startLocalServer({
      port: 0,
      stage: 'local',
      app: {
        queues: [
          {
            name: 'work',
            dlqName: 'work-dlq',
            visibilityTimeoutSeconds: 1,
            maxReceiveCount: 3,
            handler: async (event: SQSEvent) => {
              processed.push(...event.Records.map((record) => record.body));
              return { batchItemFailures: [] };
            },
          },
        ],
        routes: [enqueueRoute(() => ({ sqs, server: running }))],
      },
    });
    sqs = sqsClientFor(running.url);
    const response = await fetch(`${running.url}/ask`, { method: 'POST', body: 'question' });
    expect(response.status).toBe(202);
    await running.drained(5_000);
    expect(processed).toEqual(['question']);

    const health = (await (await fetch(`${running.url}/healthz`)).json()) as Record<
      string,
      unknown
    >;
    expect(health).toMatchObject({ status: 'ok', queues: { work: { visible: 0, inFlight: 0 } } });
    expect((await fetch(`${running.url}/nowhere`)).status).toBe(404);
  });

  it('finishes queued work before close() resolves', async () => {
    let finished = 0;
    running = await startLocalServer({
      port: 0,
      stage: 'local',
      app: {
        routes: [],
        queues: [
          {
            name: 'slow',
            dlqName: 'slow-dlq',
            visibilityTimeoutSeconds: 30,
            maxReceiveCount: 3,
            handler: async () => {
              await new Promise((resolve) => setTimeout(resolve, 100));
              finished += 1;
              return { batchItemFailures: [] };
            },
          },
        ],
      },
    });
    running.queues.get('slow')?.send('a');
    running.queues.get('slow')?.send('b');
    const server = running;
    running = undefined;
    await server.close();
    expect(finished).toBe(2);
  });

  /** A GET with a chosen Host header (fetch will not send a forged one). */
  const getWithHost = (url: string, host: string) =>
    new Promise<number>((resolve, reject) => {
      const req = request(`${url}/healthz`, { headers: { host } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once('error', reject).end();
    });

  it('answers only loopback Host names (no DNS rebinding)', async () => {
    running = await startLocalServer({ port: 0, stage: 'local', app: { routes: [], queues: [] } });
    const port = new URL(running.url).port;
    expect(await getWithHost(running.url, `127.0.0.1:${port}`)).toBe(200);
    expect(await getWithHost(running.url, `localhost:${port}`)).toBe(200);
    expect(await getWithHost(running.url, `[::1]:${port}`)).toBe(200);
    expect(await getWithHost(running.url, `attacker.example:${port}`)).toBe(421);
    expect(await getWithHost(running.url, 'localhost:1')).toBe(421);
  });

  it('answers 503 with Retry-After once closing, and leaves journalled work queued', async () => {
    const queueDir = mkdtempSync(path.join(tmpdir(), 'local-server-'));
    let release: () => void = () => undefined;
    const started: string[] = [];
    const app: LocalApp = {
      routes: [],
      queues: [
        {
          name: 'work',
          dlqName: 'work-dlq',
          visibilityTimeoutSeconds: 30,
          maxReceiveCount: 3,
          concurrency: 1,
          handler: async (event: SQSEvent) => {
            started.push(event.Records[0]?.body ?? '');
            await new Promise<void>((resolve) => {
              release = resolve;
            });
            return { batchItemFailures: [] };
          },
        },
      ],
    };
    try {
      const server = await startLocalServer({ port: 0, stage: 'local', app, queueDir });
      for (const body of ['a', 'b', 'c']) server.queues.get('work')?.send(body);
      while (started.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      const closed = server.close();
      const refused = await fetch(`${server.url}/healthz`);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      release();
      // The one in flight finished; the two never started wait for the next start.
      expect(await closed).toEqual({ queued: 2, handedBack: 0 });
      expect(started).toEqual(['a']);

      const seen: string[] = [];
      running = await startLocalServer({
        port: 0,
        stage: 'local',
        queueDir,
        app: {
          routes: [],
          queues: [
            {
              ...(app.queues[0] as LocalQueueSpec),
              handler: async (event: SQSEvent) => {
                seen.push(event.Records[0]?.body ?? '');
                return { batchItemFailures: [] };
              },
            },
          ],
        },
      });
      await running.drained(5_000);
      expect(seen.sort()).toEqual(['b', 'c']);
    } finally {
      rmSync(queueDir, { recursive: true, force: true });
    }
  });

  it('lets a request in flight at close() enqueue and answer 202', async () => {
    const queueDir = mkdtempSync(path.join(tmpdir(), 'local-server-'));
    let sqs: SQSClient | undefined;
    let server: RunningLocalServer | undefined;
    let entered: () => void = () => undefined;
    let processed = 0;
    const inHandler = new Promise<void>((resolve) => {
      entered = resolve;
    });
    try {
      server = await startLocalServer({
        port: 0,
        stage: 'local',
        queueDir,
        app: {
          queues: [
            {
              name: 'work',
              dlqName: 'work-dlq',
              visibilityTimeoutSeconds: 30,
              maxReceiveCount: 3,
              handler: async () => {
                processed += 1;
                return { batchItemFailures: [] };
              },
            },
          ],
          routes: [
            enqueueRoute(
              () => ({ sqs, server }),
              async () => {
                entered();
                await new Promise((resolve) => setTimeout(resolve, 100));
              },
            ),
          ],
        },
      });
      sqs = sqsClientFor(server.url);
      const answered = fetch(`${server.url}/ask`, { method: 'POST', body: 'late question' });
      await inHandler;
      const closed = server.close();
      expect((await answered).status).toBe(202);
      const report = await closed;
      // Enqueued during shutdown: processed at once, or left queued for the next start.
      expect(processed + report.queued).toBe(1);
    } finally {
      sqs?.destroy();
      rmSync(queueDir, { recursive: true, force: true });
    }
  });
});
