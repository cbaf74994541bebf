/**
 * The webhook channel's speed, in process:
 * - the gateway's time to 202 (`POST /webhook`: body checks, zod schema, allowlist, status record,
 *   SQS SendMessage with the real SQS client to a local server speaking SQS's JSON protocol),
 *   p50 and p99 over 2,000 requests after a warm-up;
 * - POST to delivered webhook through the gateway, the queue (the local stack's SQS semantics
 *   and event source), the processor and a signed delivery to a local receiver that verifies it:
 *   once with a recorded Bedrock stream replayed at once (the channel's own overhead), and with
 *   the offline model when the runtime offers it.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { AgentRuntime, AgentStreamEvent } from '@revbot/agents';
import { EventSource } from '@revbot/cli';
import {
  createWebhookSigner,
  parseDestinationAllowlist,
  parseRetrySchedule,
} from '@revbot/lambdas/outbound';
import { createWebhookDeliveryHandler } from '@revbot/lambdas/webhook-delivery';
import { createWebhookGatewayHandler } from '@revbot/lambdas/webhook-gateway';
import { createWebhookProcessorHandler } from '@revbot/lambdas/webhook-processor';
import {
  MemoryRequestStatusStore,
  sqsDeliveryJobQueue,
  sqsWebhookJobQueue,
} from '@revbot/lambdas/webhook-requests';
import { localConversationSink } from '@revbot/monitoring';
import { postWebhook } from '@revbot/testing/api-gateway-events';
import { localClientConfig } from '@revbot/testing/local-client-config';
import { LocalQueue } from '@revbot/testing/local-queue';
import { startLocalSqs } from '@revbot/testing/sqs-endpoint';
import { startWebhookReceiver } from '@revbot/testing/webhook-receiver';
import { type BenchResult, percentile, round } from './types';

const GATEWAY_WARMUP = 200;
const GATEWAY_REQUESTS = 2_000;
const GATEWAY_P99_TARGET_MS = 15;
const E2E_WARMUP = 5;
const E2E_REQUESTS = 100;
const E2E_MEDIAN_TARGET_MS = 100;
const SECRET = `whsec_${Buffer.from('revbot benchmark signing key 32b').toString('base64')}`;

const encoder = new TextEncoder();

/** The local SQS serving one queue, and that queue's URL. */
async function startSqsServer(queue: LocalQueue) {
  const sqs = await startLocalSqs([queue]);
  return { url: sqs.queueUrl(queue.name), close: sqs.close };
}

const sqsClient = (queueUrlValue: string) =>
  new SQSClient(localClientConfig(new URL(queueUrlValue).origin, { maxAttempts: 3 }));

async function gatewayTimeTo202(): Promise<BenchResult[]> {
  const queue = new LocalQueue({ name: 'bench-webhook-queue', visibilityTimeoutSeconds: 5400 });
  const sqs = await startSqsServer(queue);
  const client = sqsClient(sqs.url);
  const handler = createWebhookGatewayHandler({
    store: new MemoryRequestStatusStore(),
    queue: sqsWebhookJobQueue(client, sqs.url),
    allowlist: parseDestinationAllowlist('https://hooks.example.com/revbot/'),
  });
  const body = {
    query: 'Which deals at Acme Corp are at risk this quarter, and why?',
    source_system: 'salesforce',
    source_process: 'pipeline-review',
    callback_url: 'https://hooks.example.com/revbot/answers',
    metadata: { opportunity_ids: ['006A', '006B'], requested_by: 'ops@example.com' },
  };
  const timings: number[] = [];
  try {
    for (let i = 0; i < GATEWAY_WARMUP + GATEWAY_REQUESTS; i++) {
      const event = postWebhook(body);
      const started = performance.now();
      const response = await handler(event);
      const elapsed = performance.now() - started;
      if (response.statusCode !== 202) throw new Error(`gateway answered ${response.statusCode}`);
      if (i >= GATEWAY_WARMUP) timings.push(elapsed);
    }
  } finally {
    client.destroy();
    await sqs.close();
  }
  if (queue.size !== GATEWAY_WARMUP + GATEWAY_REQUESTS) throw new Error('messages went missing');
  timings.sort((a, b) => a - b);
  const p50 = percentile(timings, 50);
  const p99 = percentile(timings, 99);
  return [
    {
      name: `webhook gateway time to 202 p50 (${GATEWAY_REQUESTS} requests, SQS over HTTP)`,
      value: round(p50),
      unit: 'ms',
      target: '',
      ok: true,
    },
    {
      name: `webhook gateway time to 202 p99 (${GATEWAY_REQUESTS} requests, SQS over HTTP)`,
      value: round(p99),
      unit: 'ms',
      target: `< ${GATEWAY_P99_TARGET_MS}`,
      ok: p99 < GATEWAY_P99_TARGET_MS,
    },
  ];
}

/** A runtime replaying a short recorded-shape answer at once: the channel's own overhead. */
const replayRuntime: AgentRuntime = {
  name: 'replay',
  async *ask(): AsyncIterable<AgentStreamEvent> {
    yield {
      chunk: {
        bytes: encoder.encode('**Acme Corp** has 3 open deals; the renewal is at risk.'),
      },
    };
  },
};

/**
 * The offline model with the tools in process (embedded warehouse, local Gong and search), as
 * the local stack runs it, when this build of the runtime factory offers it.
 */
async function offlineRuntime(): Promise<
  { runtime: AgentRuntime; close(): Promise<void> } | undefined
> {
  // Loaded here: the replay figures do not depend on the model runtime building.
  const agentRuntime = await import('@revbot/agents/runtime');
  const { startLocalToolStack } = await import('@revbot/testing/local-tool-stack');
  const kinds: readonly string[] = agentRuntime.AGENT_RUNTIME_KINDS;
  if (!kinds.includes('offline')) return undefined;
  const tools = await startLocalToolStack({ logger: { info() {}, warn() {}, error() {} } });
  try {
    const runtime = agentRuntime.createAgentRuntime(
      { AGENT_RUNTIME: 'offline', REVBOT_STAGE: 'local' },
      { tools: tools.tools },
    );
    return { runtime, close: () => tools.close() };
  } catch (error) {
    await tools.close();
    throw error;
  }
}

async function postToDelivered(runtime: AgentRuntime, label: string, target?: number) {
  const queue = new LocalQueue({
    name: 'bench-webhook-e2e',
    visibilityTimeoutSeconds: 5400,
    maxReceiveCount: 3,
    deadLetterQueue: new LocalQueue({ name: 'bench-webhook-dlq', visibilityTimeoutSeconds: 30 }),
  });
  const deliveryQueue = new LocalQueue({
    name: 'bench-webhook-delivery',
    visibilityTimeoutSeconds: 90,
    maxReceiveCount: 3,
    deadLetterQueue: new LocalQueue({ name: 'bench-delivery-dlq', visibilityTimeoutSeconds: 30 }),
  });
  const sqs = await startLocalSqs([queue, deliveryQueue]);
  const client = sqsClient(sqs.url);
  const deliveries = sqsDeliveryJobQueue(client, sqs.queueUrl(deliveryQueue.name));
  const receiver = await startWebhookReceiver({ port: 0, secret: SECRET });
  const conversations = mkdtempSync(path.join(tmpdir(), 'revbot-bench-webhook-'));
  const store = new MemoryRequestStatusStore();
  const allowlist = parseDestinationAllowlist(`${receiver.url}/`);
  const gateway = createWebhookGatewayHandler({
    store,
    queue: sqsWebhookJobQueue(client, sqs.queueUrl(queue.name)),
    allowlist,
  });
  const signer = createWebhookSigner(SECRET);
  const events = new EventSource({
    queue,
    idlePollMs: 50,
    handler: createWebhookProcessorHandler({
      store,
      runtime,
      deliveries,
      conversations: localConversationSink(conversations),
    }),
  });
  const deliveryEvents = new EventSource({
    queue: deliveryQueue,
    idlePollMs: 50,
    handler: createWebhookDeliveryHandler({
      store,
      queue: deliveries,
      deadLetters: deliveries,
      allowlist,
      signer: async () => signer,
      schedule: parseRetrySchedule('1s'),
    }),
  });
  events.start();
  deliveryEvents.start();
  const timings: number[] = [];
  try {
    for (let i = 0; i < E2E_WARMUP + E2E_REQUESTS; i++) {
      const started = performance.now();
      const accepted = await gateway(
        postWebhook({
          query: 'Which deals at Acme Corp close this quarter?',
          source_system: 'bench',
          callback_url: `${receiver.url}/answers`,
        }),
      );
      if (accepted.statusCode !== 202) throw new Error(`gateway answered ${accepted.statusCode}`);
      const delivery = await receiver.next(30_000);
      const elapsed = performance.now() - started;
      if (!delivery.verified) throw new Error(`delivery not verified: ${delivery.error}`);
      if (i >= E2E_WARMUP) timings.push(elapsed);
    }
  } finally {
    await events.stop();
    await deliveryEvents.stop();
    await receiver.close();
    client.destroy();
    await sqs.close();
    rmSync(conversations, { recursive: true, force: true });
  }
  timings.sort((a, b) => a - b);
  const median = percentile(timings, 50);
  return [
    {
      name: `webhook POST to delivered webhook median (${label})`,
      value: round(median),
      unit: 'ms',
      target: target === undefined ? '' : `< ${target}`,
      ok: target === undefined || median < target,
    },
    {
      name: `webhook POST to delivered webhook p99 (${label})`,
      value: round(percentile(timings, 99)),
      unit: 'ms',
      target: '',
      ok: true,
    },
  ];
}

export async function run(): Promise<BenchResult[]> {
  const results = await gatewayTimeTo202();
  results.push(...(await postToDelivered(replayRuntime, 'replayed answer, no model')));
  const offline = await offlineRuntime();
  if (offline) {
    try {
      results.push(
        ...(await postToDelivered(offline.runtime, 'offline model', E2E_MEDIAN_TARGET_MS)),
      );
    } finally {
      await offline.close();
    }
  } else {
    process.stderr.write(
      '  webhook end to end with the offline model: pending (the runtime factory has no "offline" runtime yet)\n',
    );
  }
  return results;
}
