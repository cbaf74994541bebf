import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningLocalServer, startLocalServer } from '../../src/local/local-server';

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
        routes: [
          {
            method: 'POST',
            resource: '/ask',
            functionName: 'gateway',
            handler: async (event) => {
              await sqs?.send(
                new SendMessageCommand({
                  QueueUrl: running?.queueUrl('work'),
                  MessageBody: event.body ?? '',
                }),
              );
              return { statusCode: 202, body: '{}' };
            },
          },
        ],
      },
    });
    sqs = new SQSClient({
      endpoint: running.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
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
});
