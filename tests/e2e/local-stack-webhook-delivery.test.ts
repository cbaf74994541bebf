/**
 * The delivery stage of the local stack under receiver faults, with a short retry schedule
 * (WEBHOOK_RETRY_SCHEDULE) and attempt timeout: a receiver down then back, one that hangs, one
 * that answers 410, `revbot webhook redeliver`, and a delivery job SQS hands over twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RevbotLocal, startRevbotLocal } from '@revbot/cli';
import { startWebhookReceiver, type WebhookReceiver } from '@revbot/testing/webhook-receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/tests/support/run-cli';

const secret = `whsec_${Buffer.from('e2e-delivery-key-0123456789abcde').toString('base64')}`;
const KEY = 'local-key';

interface Attempt {
  attempt: number;
  http_status: number | null;
  error: string | null;
  duration_ms: number;
  redelivery_id: string | null;
}
interface StatusView {
  status: string;
  response: string | null;
  delivery: {
    status: string;
    attempts: number;
    error: { code: string } | null;
    history: Attempt[];
  } | null;
}

describe('the local stack, delivery stage under faults', () => {
  let stack: RevbotLocal;
  let receiver: WebhookReceiver;
  let dataDir: string;
  /** A port reserved for the receiver that is down at first. */
  let downPort: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'revbot-e2e-delivery-'));
    receiver = await startWebhookReceiver({ port: 0, secret });
    const reserved = await startWebhookReceiver({ port: 0 });
    downPort = reserved.port;
    await reserved.close();
    stack = await startRevbotLocal({
      PORT: '0',
      REVBOT_DATA_DIR: dataDir,
      WEBHOOK_SIGNING_SECRET: secret,
      WEBHOOK_ALLOWED_URLS: `${receiver.url}/,http://127.0.0.1:${downPort}/`,
      REVBOT_API_KEYS: KEY,
      REVBOT_DATA_AS_OF: '2026-11-23',
      WEBHOOK_RETRY_SCHEDULE: '1s,1s,2s',
      WEBHOOK_DELIVERY_TIMEOUT_SECONDS: '1',
      // A copy that finds its twin still in progress comes back this soon (SQS: the queue's).
      LOCAL_VISIBILITY_TIMEOUT_SECONDS: '2',
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const ask = async (callbackUrl: string): Promise<string> => {
    const accepted = await fetch(`${stack.url}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify({
        query: "What's the status of the IXIS deal?",
        source_system: 'e2e',
        callback_url: callbackUrl,
      }),
    });
    expect(accepted.status).toBe(202);
    return ((await accepted.json()) as { tracking_id: string }).tracking_id;
  };
  const status = async (trackingId: string): Promise<StatusView> =>
    (await (
      await fetch(`${stack.url}/webhook/${trackingId}`, { headers: { 'x-api-key': KEY } })
    ).json()) as StatusView;
  const until = async (
    trackingId: string,
    ready: (view: StatusView) => boolean,
    timeoutMs = 30_000,
  ): Promise<StatusView> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await status(trackingId);
      if (ready(view)) return view;
      if (Date.now() > deadline) throw new Error(`not ready: ${JSON.stringify(view)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('a receiver down, then back: delivered after it returns, every attempt recorded', async () => {
    const id = await ask(`http://127.0.0.1:${downPort}/in`);
    const failed = await until(id, (view) => (view.delivery?.history.length ?? 0) >= 1);
    expect(failed.delivery?.status).toBe('retrying');
    expect(failed.delivery?.history[0]).toMatchObject({ attempt: 1, error: 'connection refused' });
    expect(failed.response).toMatch(/IXIS/);

    const back = await startWebhookReceiver({ port: downPort, secret });
    try {
      const delivery = await back.next(15_000);
      expect(delivery.verified).toBe(true);
      expect(delivery.id).toBe(`msg_${id}`);
      const done = await until(id, (view) => view.status === 'completed');
      const history = done.delivery?.history ?? [];
      expect(history.at(-1)).toMatchObject({ http_status: 204, error: null });
      expect(history.slice(0, -1).every((a) => a.error === 'connection refused')).toBe(true);
      expect(history.map((a) => a.attempt)).toEqual(history.map((_, i) => i + 1));
      expect(back.requests).toHaveLength(1);
    } finally {
      await back.close();
    }
  });

  it('a hanging receiver: one attempt per timeout, and another answer is not held up', async () => {
    const hanging = await startWebhookReceiver({
      port: downPort,
      fallback: { status: 204, hang: true },
    });
    try {
      receiver.requests.length = 0;
      const slow = await ask(`${hanging.url}/in`);
      const quick = await ask(`${receiver.url}/quick`);
      const started = Date.now();
      // The quick request's answer is stored and delivered while the other receiver hangs.
      await until(quick, (view) => view.status === 'completed', 15_000);
      const quickMs = Date.now() - started;
      expect(receiver.requests.map((r) => r.path)).toEqual(['/quick']);
      expect(quickMs).toBeLessThan(10_000);

      const view = await until(slow, (v) => (v.delivery?.history.length ?? 0) >= 2, 15_000);
      const [first, second] = view.delivery?.history ?? [];
      expect(first).toMatchObject({ attempt: 1, error: 'no answer within 1000 ms' });
      expect(first?.duration_ms).toBeGreaterThanOrEqual(990);
      expect(first?.duration_ms).toBeLessThan(3_000);
      expect(second?.attempt).toBe(2);
      // Each attempt is one request: no retries inside an attempt.
      expect(hanging.requests.length).toBeLessThanOrEqual(view.delivery?.history.length ?? 0);
    } finally {
      await hanging.close();
    }
  });

  it('410 Gone stops the retries and says so', async () => {
    receiver.requests.length = 0;
    receiver.script({ status: 410 });
    const id = await ask(`${receiver.url}/gone`);
    const view = await until(id, (v) => v.status === 'delivery_failed');
    expect(view.delivery).toMatchObject({ status: 'stopped', error: { code: 'ENDPOINT_GONE' } });
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // longer than the next step
    expect(receiver.requests.filter((r) => r.path === '/gone')).toHaveLength(1);

    // The destination is switched off: a later request's answer is not sent there, and says why.
    const later = await ask(`${receiver.url}/gone`);
    const off = await until(later, (v) => v.status === 'delivery_failed');
    expect(off.delivery).toMatchObject({
      status: 'stopped',
      attempts: 0,
      history: [],
      error: {
        code: 'ENDPOINT_GONE',
        message: expect.stringMatching(/answered 410 Gone at 20\d\d-/),
      },
    });
    expect(receiver.requests.filter((r) => r.path === '/gone')).toHaveLength(1);
  });

  it('revbot webhook redeliver sends the stored answer again, recorded as a redelivery', async () => {
    receiver.requests.length = 0;
    const id = await ask(`${receiver.url}/again`);
    await until(id, (v) => v.status === 'completed');
    const result = await runCli(['webhook', 'redeliver', id, '--url', stack.url], { env: {} });
    expect(result.code).toBe(0);
    expect(result.out).toMatch(new RegExp(`^redelivery redeliver-[0-9a-f]{8} of ${id} queued`));
    await receiver.waitFor(2, 10_000);
    expect(receiver.requests.map((r) => [r.path, r.id, r.verified])).toEqual([
      ['/again', `msg_${id}`, true],
      ['/again', `msg_${id}`, true],
    ]);
    const view = await until(id, (v) => (v.delivery?.history.length ?? 0) === 2);
    expect(view.delivery?.history[1]?.redelivery_id).toMatch(/^redeliver-/);
    expect(view.status).toBe('completed');
  });

  it('a delivery job SQS hands over twice is delivered once', async () => {
    receiver.requests.length = 0;
    const id = await ask(`${receiver.url}/twice`);
    await until(id, (v) => v.status === 'completed');
    const queue = stack.server.queues.get('revops-local-webhook-delivery-queue');
    const body = JSON.stringify({
      version: 1,
      tracking_id: id,
      kind: 'redeliver',
      attempt: 1,
      redelivery_id: 'dup-e2e',
    });
    queue?.send(body);
    queue?.send(body);
    await stack.server.drained(20_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.requests.map((r) => r.path)).toEqual(['/twice', '/twice']);
    expect((await status(id)).delivery?.history).toHaveLength(2);
  });
});
