/**
 * The durable local stack under load, as a user runs it: `pnpm dev` in a child process, 1,000
 * webhook requests at concurrency 100, answers delivered to a local receiver that verifies
 * each signature. Reports the time to 202 (p50, p99), the time until every accepted request was
 * delivered, how many were lost or delivered twice (both must be 0), and the stack's resident
 * memory before the load and after it (and after the stack has been idle a moment).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LOCAL_WEBHOOK_SIGNING_SECRET } from '@revbot/cli';
import { startFaultReceiver } from '../tests/faults/fault-receiver';
import {
  postWebhooks,
  question,
  residentBytes,
  startStackProcess,
} from '../tests/faults/local-stack-process';
import { type BenchResult, percentile, round } from './types';

const REQUESTS = 1_000;
const CONCURRENCY = 100;
const P99_TARGET_MS = 500;
const DELIVERED_TARGET_S = 120;
const MB = 1024 * 1024;

export async function run(): Promise<BenchResult[]> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'revbot-bench-stack-'));
  const receiver = await startFaultReceiver(LOCAL_WEBHOOK_SIGNING_SECRET);
  const stack = await startStackProcess(dataDir, {
    WEBHOOK_URL: `${receiver.url}/answers`,
    WEBHOOK_ALLOWED_URLS: `${receiver.url}/`,
    WEBHOOK_SIGNING_SECRET: LOCAL_WEBHOOK_SIGNING_SECRET,
  });
  try {
    // A few requests first, so the figures are of a warm stack, as the RSS "before" is.
    const warm = await postWebhooks(stack, [question(0), question(1)], 2);
    await receiver.waitForAll(
      warm.map((r) => r.trackingId as string),
      30_000,
    );
    const rssBefore = residentBytes(stack.pid);

    const started = performance.now();
    const bodies = Array.from({ length: REQUESTS }, (_, i) => question(i));
    const results = await postWebhooks(stack, bodies, CONCURRENCY);
    const timings = results.filter((r) => r.status === 202).map((r) => r.ms);
    const accepted = results.filter((r) => r.status === 202).map((r) => r.trackingId as string);
    await receiver.waitForAll(accepted, DELIVERED_TARGET_S * 1000 * 2).catch(() => undefined);
    const allDeliveredS = (performance.now() - started) / 1000;
    const rssAfter = residentBytes(stack.pid);
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const rssIdle = residentBytes(stack.pid);

    const { byTracking, duplicated } = receiver.tally();
    const lost = accepted.filter((id) => !byTracking.has(id)).length + (REQUESTS - accepted.length);
    timings.sort((a, b) => a - b);
    const p50 = percentile(timings, 50);
    const p99 = percentile(timings, 99);
    return [
      {
        name: 'local stack: 202 p50 (1,000 at concurrency 100)',
        value: round(p50),
        unit: 'ms',
        target: '',
        ok: true,
      },
      {
        name: 'local stack: 202 p99 (1,000 at concurrency 100)',
        value: round(p99),
        unit: 'ms',
        target: `< ${P99_TARGET_MS}`,
        ok: p99 < P99_TARGET_MS,
      },
      {
        name: 'local stack: time until all delivered',
        value: round(allDeliveredS, 1),
        unit: 's',
        target: `< ${DELIVERED_TARGET_S}`,
        ok: allDeliveredS < DELIVERED_TARGET_S,
      },
      {
        name: 'local stack: requests lost',
        value: lost,
        unit: 'requests',
        target: '0',
        ok: lost === 0,
      },
      {
        name: 'local stack: requests delivered twice',
        value: duplicated.length,
        unit: 'requests',
        target: '0',
        ok: duplicated.length === 0,
      },
      {
        name: 'local stack: RSS before the load',
        value: round(rssBefore / MB, 1),
        unit: 'MB',
        target: '',
        ok: true,
      },
      {
        name: 'local stack: RSS after the load',
        value: round(rssAfter / MB, 1),
        unit: 'MB',
        target: '',
        ok: true,
      },
      {
        name: 'local stack: RSS after 5 s idle',
        value: round(rssIdle / MB, 1),
        unit: 'MB',
        target: '',
        ok: true,
      },
    ];
  } finally {
    await stack.stop('SIGKILL');
    await receiver.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
