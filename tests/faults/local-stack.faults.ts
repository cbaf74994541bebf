/**
 * The local stack under faults, driven as a user runs it: `pnpm dev` in a child process, a webhook
 * receiver counting signed deliveries by tracking id. Killed mid-load, stopped with a backlog,
 * fed duplicate queue messages and malformed requests, answering to a receiver that hangs or is
 * down: nothing that got a 202 is lost, nothing is answered twice, nothing answers 5xx.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LOCAL_WEBHOOK_SIGNING_SECRET } from '@revbot/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/tests/support/run-cli';
import { type FaultReceiver, startFaultReceiver } from './fault-receiver';
import {
  journalBodies,
  type PostResult,
  postWebhooks,
  question,
  type StackProcess,
  sendToQueue,
  startStackProcess,
} from './local-stack-process';

const WEBHOOK_QUEUE = 'revops-local-webhook-queue';
const SLACK_QUEUE = 'revops-local-slack-queue';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const dirs: string[] = [];
const stacks: StackProcess[] = [];
let receiver: FaultReceiver;

const dataDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'revbot-faults-'));
  dirs.push(dir);
  return dir;
};
const start = async (dir: string, env: Record<string, string> = {}) => {
  const stack = await startStackProcess(dir, {
    WEBHOOK_URL: `${receiver.url}/answers`,
    WEBHOOK_ALLOWED_URLS: `${receiver.url}/`,
    WEBHOOK_SIGNING_SECRET: LOCAL_WEBHOOK_SIGNING_SECRET,
    ...env,
  });
  stacks.push(stack);
  return stack;
};
const accepted = (results: PostResult[]) =>
  results.filter((r) => r.status === 202).map((r) => r.trackingId as string);

beforeAll(async () => {
  receiver = await startFaultReceiver(LOCAL_WEBHOOK_SIGNING_SECRET);
});
afterAll(async () => {
  await Promise.all(stacks.map((stack) => stack.stop('SIGKILL')));
  await receiver.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the local stack killed with SIGKILL mid-load', () => {
  it('delivers every accepted request after restarts: 0 lost, 0 duplicated', async () => {
    const dir = dataDir();
    // Short visibility, so messages in flight at the kill come back within the test.
    const env = { LOCAL_VISIBILITY_TIMEOUT_SECONDS: '3' };
    const first = await start(dir, env);
    let seen = 0;
    let killed: Promise<number | null> | undefined;
    const results = await postWebhooks(
      first,
      Array.from({ length: 80 }, (_, i) => question(i)),
      10,
      (result) => {
        if (result.status === 202) seen += 1;
        if (seen === 30 && !killed) killed = first.stop('SIGKILL');
      },
    );
    await killed;
    const ids = accepted(results);
    expect(ids.length).toBeGreaterThanOrEqual(30);
    expect(ids.length).toBeLessThan(80);
    expect(results.filter((r) => r.status >= 500)).toEqual([]);

    // Killed again while it works through what came back, then started a third time.
    const before = receiver.deliveries.length;
    const second = await start(dir, env);
    const deadline = Date.now() + 30_000;
    while (receiver.deliveries.length < before + 5 && Date.now() < deadline) await sleep(10);
    await second.stop('SIGKILL');
    const third = await start(dir, env);
    await receiver.waitForAll(ids, 60_000);
    const { byTracking, duplicated } = receiver.tally();
    expect(ids.filter((id) => !byTracking.has(id))).toEqual([]);
    expect(duplicated).toEqual([]);
    // Every status survived too: GET answers it after the restart.
    for (const id of ids.slice(0, 10)) {
      const status = await fetch(`${third.url}/webhook/${id}`, {
        headers: { 'x-api-key': third.apiKey },
      });
      expect(status.status).toBe(200);
    }
    await third.stop('SIGKILL');
  });
});

describe('the local stack stopped with SIGTERM with a backlog', () => {
  it('refuses new work with 503 and Retry-After, leaves the backlog queued, and delivers it all after a restart', async () => {
    const dir = dataDir();
    // One consumer and a slow receiver: most of the requests are still queued at SIGTERM.
    const env = { LOCAL_CONCURRENCY: '1' };
    const first = await start(dir, env);
    receiver.delayMs = 700;
    const earlier = receiver.deliveries.length;
    try {
      const results = await postWebhooks(
        first,
        Array.from({ length: 12 }, (_, i) => question(i)),
        12,
      );
      const ids = accepted(results);
      expect(ids).toHaveLength(12);
      // SIGTERM while a delivery is in flight (the receiver holds each one 700 ms).
      const deadline = Date.now() + 10_000;
      while (receiver.deliveries.length === earlier && Date.now() < deadline) await sleep(10);
      const exited = first.stop('SIGTERM');
      await sleep(100);
      const [late] = await postWebhooks(first, [question(99)], 1);
      expect(late?.status).toBe(503);
      expect(late?.retryAfter).toMatch(/^\d+$/);
      expect(await exited).toBe(0);
      const left = Number(first.output().match(/stopped: (\d+) message\(s\) left queued/)?.[1]);
      expect(left).toBeGreaterThan(0);

      receiver.delayMs = 0;
      const second = await start(dir, env);
      await receiver.waitForAll(ids, 60_000);
      expect(receiver.tally().duplicated).toEqual([]);
      await second.stop('SIGTERM');
    } finally {
      receiver.delayMs = 0;
    }
  });
});

describe('the local stack under bad input, duplicates and a hanging receiver', () => {
  let stack: StackProcess;
  let dir: string;
  beforeAll(async () => {
    dir = dataDir();
    stack = await start(dir);
  });

  it('answers malformed requests mixed into load with 4xx, never 5xx, and delivers the valid ones', async () => {
    const headers = { 'content-type': 'application/json', 'x-api-key': stack.apiKey };
    // Written out: JSON.stringify itself would overflow the stack on it.
    const deep = `${'{"d":'.repeat(5_000)}"leaf"${'}'.repeat(5_000)}`;
    const bad: [string, RequestInit & { path?: string }][] = [
      ['not JSON', { method: 'POST', headers, body: '{"query":' }],
      ['no query', { method: 'POST', headers, body: '{"source_system":"x"}' }],
      [
        'metadata 5,000 levels deep',
        {
          method: 'POST',
          headers,
          body: `{"query":"q","source_system":"s","metadata":${deep}}`,
        },
      ],
      [
        'a callback outside the allowlist',
        { method: 'POST', headers, body: question(0, { callback_url: 'http://169.254.169.254/' }) },
      ],
      [
        'no API key',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: question(0) },
      ],
      ['an empty body', { method: 'POST', headers, body: '' }],
      ['a body over 10 MB', { method: 'POST', headers, body: 'x'.repeat(10 * 1024 * 1024 + 10) }],
      ['a malformed path', { method: 'GET', headers, path: '/webhook/%E0%A4%A' }],
      ['an unknown tracking id', { method: 'GET', headers, path: '/webhook/not-a-request' }],
      ['an unsigned Slack event', { method: 'POST', headers, path: '/slack/events', body: '{}' }],
    ];
    const valid = Array.from({ length: 20 }, (_, i) => question(i));
    const [goodResults, badResults] = await Promise.all([
      postWebhooks(stack, valid, 5),
      Promise.all(
        bad.map(async ([what, { path: route = '/webhook', ...init }]) => {
          const response = await fetch(`${stack.url}${route}`, init);
          await response.arrayBuffer();
          return [what, response.status] as const;
        }),
      ),
    ]);
    for (const [what, status] of badResults) {
      expect(status, what).toBeGreaterThanOrEqual(400);
      expect(status, what).toBeLessThan(500);
    }
    expect(goodResults.map((r) => r.status)).toEqual(valid.map(() => 202));
    await receiver.waitForAll(accepted(goodResults), 30_000);
  });

  it('does not let a receiver that never answers hold up other answers', async () => {
    const [hanging] = await postWebhooks(
      stack,
      [question(0, { callback_url: `${receiver.url}/hang/1` })],
      1,
    );
    expect(hanging?.status).toBe(202);
    await sleep(200);
    const started = Date.now();
    const others = accepted(
      await postWebhooks(
        stack,
        Array.from({ length: 10 }, (_, i) => question(i)),
        5,
      ),
    );
    expect(others).toHaveLength(10);
    await receiver.waitForAll(others, 15_000);
    const slowest = Math.max(
      ...others.map(
        (id) => receiver.tally().byTracking.get(id)?.[0]?.at ?? Number.POSITIVE_INFINITY,
      ),
    );
    expect(slowest - started).toBeLessThan(10_000);
  });

  it('answers a webhook job SQS delivers twice once', async () => {
    const [first] = await postWebhooks(stack, [question(1)], 1);
    const id = first?.trackingId as string;
    await receiver.waitForAll([id], 15_000);
    const body = journalBodies(dir, WEBHOOK_QUEUE).find((b) => b.includes(id)) as string;
    expect(body).toBeDefined();
    // The same message again, twice at once: as SQS may redeliver it.
    await Promise.all([
      sendToQueue(stack.url, WEBHOOK_QUEUE, body),
      sendToQueue(stack.url, WEBHOOK_QUEUE, body),
    ]);
    await sleep(3_000);
    expect(receiver.tally().byTracking.get(id)).toHaveLength(1);
  });

  it('answers a Slack question SQS delivers twice once', async () => {
    const answers = (thread: string) =>
      stack
        .output()
        .split('\n')
        .filter((line) => line.includes(`slack C0LOCAL01 ${thread}:`)).length;
    const sent = await runCli(
      ['slack', "What's the status of the IXIS deal?", '--url', stack.url],
      {
        env: {},
      },
    );
    expect(sent.code).toBe(0);
    const thread = sent.out.match(/thread (\S+)/)?.[1] as string;
    const deadline = Date.now() + 20_000;
    while (answers(thread) === 0 && Date.now() < deadline) await sleep(100);
    await sleep(1_500);
    const once = answers(thread);
    expect(once).toBeGreaterThan(0);
    const body = journalBodies(dir, SLACK_QUEUE).find((b) => b.includes(thread)) as string;
    expect(body).toBeDefined();
    await sendToQueue(stack.url, SLACK_QUEUE, body);
    await sleep(4_000);
    expect(answers(thread), 'a Slack job SQS delivers again is not answered again').toBe(once);
  });
});

describe('a receiver down for a while, then back', () => {
  it('gets every answer once it is back', async () => {
    const dir = dataDir();
    const stack = await start(dir, { WEBHOOK_RETRY_SCHEDULE: '1s,2s,3s,5s,5s,5s' });
    const health = (await (await fetch(`${stack.url}/healthz`)).json()) as {
      queues: Record<string, unknown>;
    };
    // Answers wait for their receiver in the delivery stage's queue, not in a processor.
    expect(Object.keys(health.queues)).toContain('revops-local-webhook-delivery-queue');
    await receiver.down();
    let ids: string[] = [];
    try {
      ids = accepted(
        await postWebhooks(
          stack,
          Array.from({ length: 5 }, (_, i) => question(i)),
          5,
        ),
      );
      expect(ids).toHaveLength(5);
      await sleep(12_000);
    } finally {
      await receiver.up();
    }
    await receiver.waitForAll(ids, 30_000);
    expect(receiver.tally().duplicated).toEqual([]);
    await stack.stop('SIGTERM');
  });
});
