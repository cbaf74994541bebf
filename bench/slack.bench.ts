/**
 * The Slack handler's acknowledgement, compared with a minimal Bolt app doing the same job:
 *
 * - in-process acknowledgement latency of the real Lambda entry point (`slack-handler/handler.ts`)
 *   over 1,000 distinct signed `app_mention` events, then 1,000 Slack retries of them: signature
 *   check, claim in DynamoDB, placeholder via `@slack/web-api`, SendMessage to SQS — every client
 *   the real one, talking to local HTTP servers that speak SQS and DynamoDB (AWS JSON 1.0),
 *   Secrets Manager and Slack's Web API, in this process;
 * - the size of the handler bundled exactly as `RevbotFunction` bundles it (esbuild, ESM,
 *   minified, Node 24 target, AWS SDK included), and of the reference Bolt app
 *   (`bench/reference/bolt-slack-app.ts`: `@slack/bolt` 5.x AwsLambdaReceiver + SQS client) bundled
 *   the same way;
 * - their cold start in fresh Node processes (interleaved, medians): the module load, and the
 *   first acknowledgement of a signed `app_mention` right after it (placeholder posted and question
 *   queued against the same local servers), since the handler loads the Slack Web API on first use
 *   and a cold question pays for it there.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { appMentionBody, BOT_USER, signedRequest, TEAM } from '@revbot/testing/slack-requests';
import { build } from 'esbuild';
import {
  bundleLazyModule,
  LAMBDA_ESBUILD_OPTIONS,
  type LazyModule,
} from '../infra/lib/lazy-module';
import { BOT_TOKEN, SIGNING_SECRET, startSlackBenchServices } from './slack-bench-services';
import { type BenchResult, percentile, round } from './types';

const EVENTS = 1_000;
const WARMUP = 50;
const LOAD_RUNS = 21;
const P99_TARGET_MS = 20;
const RATIO_TARGET = 0.5;
/** Load plus the first acknowledged question, against the same for the Bolt app. */
const COLD_QUESTION_RATIO_TARGET = 0.6;

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

const QUEUE = 'revops-bench-slack-queue';
const TABLE = 'revops-bench-slack-events';

type Handler = (event: unknown) => Promise<{ statusCode: number }>;

/** The bundling options of `infra/constructs/revbot-function.ts`, for a like-for-like size. */
async function bundle(
  entry: string,
  outfile: string,
  lazyModules: LazyModule[] = [],
): Promise<number> {
  await build({
    entryPoints: [entry],
    outfile,
    ...LAMBDA_ESBUILD_OPTIONS,
    external: ['@duckdb/node-api', ...lazyModules],
    absWorkingDir: root,
  });
  // Lazy packages ship beside the handler as in the Lambda asset; they count in its size.
  let lazyBytes = 0;
  for (const name of lazyModules) lazyBytes += await bundleLazyModule(name, path.dirname(outfile));
  return statSync(outfile).size + lazyBytes;
}

const execFileAsync = promisify(execFile);

/**
 * A fresh Node process imports `file`, then acknowledges one signed app_mention: milliseconds for
 * the import and for that first acknowledgement. Asynchronous, so this process's local servers
 * keep answering while the child runs.
 */
async function coldStart(
  probe: string,
  file: string,
  eventId: string,
  env: Record<string, string>,
): Promise<{ load: number; firstAck: number }> {
  const { stdout } = await execFileAsync(
    process.execPath,
    ['--no-warnings', probe, file, eventId],
    {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  const [load, firstAck] = stdout.trim().split('\n').at(-1)?.split(' ').map(Number) ?? [];
  if (!Number.isFinite(load) || !Number.isFinite(firstAck)) {
    throw new Error(`cold start of ${path.basename(file)} failed: ${stdout}`);
  }
  return { load: load as number, firstAck: firstAck as number };
}

/** The child: plain JavaScript, signing the event the way Slack does. */
const PROBE = `
import { createHmac } from 'node:crypto';
const [file, eventId] = process.argv.slice(2);
const started = performance.now();
const { handler } = await import(file);
const loaded = performance.now();
const ts = '1763899999.000100';
const body = JSON.stringify({
  type: 'event_callback', team_id: '${TEAM}', api_app_id: 'A0REVBOT01', event_id: eventId,
  event_time: 1763899999,
  event: { type: 'app_mention', user: 'U0ASKER01', text: '<@${BOT_USER}> How is the Acme deal?',
    ts, channel: 'C0' + eventId.slice(-8), event_ts: ts },
  authorizations: [{ team_id: '${TEAM}', user_id: '${BOT_USER}', is_bot: true }],
});
const now = String(Math.floor(Date.now() / 1000));
const signature = 'v0=' + createHmac('sha256', process.env.SLACK_SIGNING_SECRET_FOR_PROBE)
  .update('v0:' + now + ':' + body).digest('hex');
const headers = { 'Content-Type': 'application/json', 'X-Slack-Request-Timestamp': now,
  'X-Slack-Signature': signature };
const event = { resource: '/slack/events', path: '/slack/events', httpMethod: 'POST', headers,
  multiValueHeaders: {}, body, isBase64Encoded: false, requestContext: {} };
const context = { functionName: 'probe', awsRequestId: eventId, getRemainingTimeInMillis: () => 10000 };
const response = await handler(event, context, () => {});
const acked = performance.now();
if (response?.statusCode !== 200) throw new Error('acknowledged with ' + JSON.stringify(response));
process.stdout.write((loaded - started) + ' ' + (acked - loaded) + '\\n');
// Nothing may outlive the measurement (Bolt keeps timers).
process.exit(0);
`;

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

async function acknowledgementLatency(): Promise<BenchResult[]> {
  const local = await startSlackBenchServices(QUEUE, TABLE);
  const { slack, queue } = local;
  const saved = { ...process.env };
  Object.assign(process.env, {
    ...local.commonEnv,
    ...local.handlerEnv,
    // One JSON line per event would drown the table; WARN keeps the logger in the path.
    POWERTOOLS_LOG_LEVEL: 'WARN',
  });
  try {
    const { handler } = (await import('@revbot/lambdas/slack-handler/handler')) as unknown as {
      handler: Handler;
    };
    const requests = Array.from({ length: WARMUP + EVENTS }, (_, i) => {
      const ts = `${1_763_890_000 + i}.000100`;
      return appMentionBody({ eventId: `Ev0BENCH${String(i).padStart(6, '0')}`, ts });
    });
    const timeAll = async (bodies: string[], retryNum?: number) => {
      const timings: number[] = [];
      for (const body of bodies) {
        const event = signedRequest(body, { signingSecret: SIGNING_SECRET, retryNum });
        const started = performance.now();
        const response = await handler(event);
        timings.push(performance.now() - started);
        if (response.statusCode !== 200)
          throw new Error(`acknowledged with ${response.statusCode}`);
      }
      return timings.sort((a, b) => a - b);
    };
    await timeAll(requests.slice(0, WARMUP));
    const fresh = await timeAll(requests.slice(WARMUP));
    const retries = await timeAll(requests.slice(WARMUP), 1);

    // Every fresh event queued once and got one placeholder; no retry did either.
    const posted = slack.calls.filter((c) => c.method === 'chat.postMessage').length;
    if (queue.messages.length !== WARMUP + EVENTS || posted !== WARMUP + EVENTS) {
      throw new Error(
        `expected ${WARMUP + EVENTS} queued and posted, got ${queue.messages.length} and ${posted}`,
      );
    }
    const p99 = percentile(fresh, 99);
    return [
      {
        name: 'slack handler ack p50 (new event)',
        value: round(percentile(fresh, 50)),
        unit: 'ms',
        target: '',
        ok: true,
      },
      {
        name: 'slack handler ack p99 (new event)',
        value: round(p99),
        unit: 'ms',
        target: `< ${P99_TARGET_MS}`,
        ok: p99 < P99_TARGET_MS,
      },
      {
        name: 'slack handler ack p50 (Slack retry)',
        value: round(percentile(retries, 50)),
        unit: 'ms',
        target: '',
        ok: true,
      },
      {
        name: 'slack handler ack p99 (Slack retry)',
        value: round(percentile(retries, 99)),
        unit: 'ms',
        target: `< ${P99_TARGET_MS}`,
        ok: percentile(retries, 99) < P99_TARGET_MS,
      },
    ];
  } finally {
    process.env = saved;
    await local.close();
  }
}

async function bundleAndColdStart(): Promise<BenchResult[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'revbot-slack-bench-'));
  const local = await startSlackBenchServices(QUEUE, TABLE);
  const { slack, queue } = local;
  try {
    const ours = path.join(dir, 'slack-handler.mjs');
    const bolt = path.join(dir, 'bolt-app.mjs');
    const oursSize = await bundle(path.join(root, 'lambdas/slack-handler/handler.ts'), ours, [
      '@slack/web-api',
    ]);
    const boltSize = await bundle(path.join(here, 'reference/bolt-slack-app.ts'), bolt);

    const probe = path.join(dir, 'probe.mjs');
    writeFileSync(probe, PROBE);
    const common = { ...local.commonEnv, SLACK_SIGNING_SECRET_FOR_PROBE: SIGNING_SECRET };
    const oursEnv = { ...common, ...local.handlerEnv, POWERTOOLS_LOG_LEVEL: 'WARN' };
    const boltEnv = { ...common, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: BOT_TOKEN };

    // Interleaved, so a busy moment on the machine weighs on both alike; the first pair warms the
    // file system cache.
    const samples = {
      ours: [] as { load: number; firstAck: number }[],
      bolt: [] as { load: number; firstAck: number }[],
    };
    for (let i = 0; i <= LOAD_RUNS; i++) {
      const a = await coldStart(probe, ours, `Ev0COLDOURS${String(i).padStart(4, '0')}`, oursEnv);
      const b = await coldStart(probe, bolt, `Ev0COLDBOLT${String(i).padStart(4, '0')}`, boltEnv);
      if (i > 0) {
        samples.ours.push(a);
        samples.bolt.push(b);
      }
    }
    // Every first acknowledgement really posted a placeholder and queued its question.
    const runs = 2 * (LOAD_RUNS + 1);
    const posted = slack.calls.filter((c) => c.method === 'chat.postMessage').length;
    if (queue.messages.length !== runs || posted !== runs) {
      throw new Error(
        `expected ${runs} placeholders and queued questions, got ${posted} and ${queue.messages.length}`,
      );
    }
    const oursLoad = median(samples.ours.map((s) => s.load));
    const boltLoad = median(samples.bolt.map((s) => s.load));
    const oursCold = median(samples.ours.map((s) => s.load + s.firstAck));
    const boltCold = median(samples.bolt.map((s) => s.load + s.firstAck));
    const sizeRatio = oursSize / boltSize;
    const loadRatio = oursLoad / boltLoad;
    return [
      {
        name: 'slack handler bundle',
        value: round(oursSize / 1024, 1),
        unit: 'KiB',
        target: '',
        ok: true,
      },
      {
        name: 'bolt AwsLambdaReceiver app bundle',
        value: round(boltSize / 1024, 1),
        unit: 'KiB',
        target: '',
        ok: true,
      },
      {
        name: 'slack handler bundle / bolt',
        value: round(sizeRatio, 3),
        unit: 'ratio',
        target: `<= ${RATIO_TARGET}`,
        ok: sizeRatio <= RATIO_TARGET,
      },
      {
        name: 'slack handler module load (median)',
        value: round(oursLoad, 1),
        unit: 'ms',
        target: '',
        ok: true,
      },
      {
        name: 'bolt app module load (median)',
        value: round(boltLoad, 1),
        unit: 'ms',
        target: '',
        ok: true,
      },
      {
        name: 'slack handler load / bolt',
        value: round(loadRatio, 3),
        unit: 'ratio',
        target: `<= ${RATIO_TARGET}`,
        ok: loadRatio <= RATIO_TARGET,
      },
      {
        name: 'slack handler load + first ack (median)',
        value: round(oursCold, 1),
        unit: 'ms',
        target: '',
        ok: true,
      },
      {
        name: 'bolt app load + first ack (median)',
        value: round(boltCold, 1),
        unit: 'ms',
        target: '',
        ok: true,
      },
      {
        name: 'slack handler cold question / bolt',
        value: round(oursCold / boltCold, 3),
        unit: 'ratio',
        target: `<= ${COLD_QUESTION_RATIO_TARGET}`,
        ok: oursCold / boltCold <= COLD_QUESTION_RATIO_TARGET,
      },
    ];
  } finally {
    await local.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<BenchResult[]> {
  return [...(await acknowledgementLatency()), ...(await bundleAndColdStart())];
}
