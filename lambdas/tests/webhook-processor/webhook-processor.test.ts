import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AgentRuntimeError } from '@revbot/agents';
import { RetryableError } from '@revbot/core';
import { type ConversationSink, localConversationSink } from '@revbot/monitoring';
import {
  chunk,
  recordedStream,
  type ScriptedAgentRuntime,
  scriptedAgentRuntime,
} from '@revbot/testing/scripted-agent-runtime';
import { sqsRecord } from '@revbot/testing/sqs-events';
import { startWebhookReceiver, type WebhookReceiver } from '@revbot/testing/webhook-receiver';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createWebhookSigner,
  parseDestinationAllowlist,
  type Resolver,
} from '../../shared/outbound';
import {
  type DeliveryJobInput,
  type DeliveryJobQueue,
  MemoryRequestStatusStore,
  type RequestStatusRecord,
  type WebhookJob,
  type WebhookRequest,
} from '../../shared/webhook-requests';
import type { WebhookDeliveryDeps } from '../../webhook-delivery/deliver-webhook-job';
import { createWebhookDeliveryHandler } from '../../webhook-delivery/webhook-delivery';
import type { WebhookProcessorDeps } from '../../webhook-processor/answer-webhook-job';
import { createWebhookProcessorHandler } from '../../webhook-processor/webhook-processor';
import { budgetTable } from '../support/budget-table';

const SECRET = `whsec_${Buffer.from('revbot-processor-test-key-32-bytes!').toString('base64')}`;
const T0 = new Date('2026-11-23T10:00:00.000Z');

let receiver: WebhookReceiver;
let conversationsDir: string;
let store: MemoryRequestStatusStore;
let runtime: ScriptedAgentRuntime;
let metrics: { name: string; value: number }[];
let handedOver: DeliveryJobInput[];
let counter = 0;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.close());
beforeEach(() => {
  conversationsDir = mkdtempSync(path.join(tmpdir(), 'revbot-webhook-conversations-'));
  store = new MemoryRequestStatusStore();
  runtime = scriptedAgentRuntime({ text: 'fallback answer' });
  metrics = [];
  handedOver = [];
  receiver.requests.length = 0;
  receiver.script();
});
afterEach(() => rmSync(conversationsDir, { recursive: true, force: true }));

/** The outbound queue as the processor sees it: jobs are kept for the delivery stage. */
const deliveries: DeliveryJobQueue = {
  async enqueue(job) {
    handedOver.push(job);
  },
};
const recordMetrics = {
  addMetric: (name: string, _unit: string, value: number) => metrics.push({ name, value }),
};

function processor(overrides: Partial<WebhookProcessorDeps> = {}) {
  return createWebhookProcessorHandler({
    store,
    runtime,
    deliveries,
    conversations: localConversationSink(conversationsDir),
    metrics: recordMetrics,
    ...overrides,
  });
}

/**
 * The delivery stage behind the processor: runs every job handed over, next attempts included
 * (at once: their delays are the delivery stage's tests' concern). Three attempts in all.
 */
async function deliverHandedOver(overrides: Partial<WebhookDeliveryDeps> = {}) {
  const handler = createWebhookDeliveryHandler({
    store,
    queue: deliveries,
    deadLetters: { enqueue: async () => undefined },
    allowlist: parseDestinationAllowlist(`http://127.0.0.1:${receiver.port}/`),
    signer: async () => createWebhookSigner(SECRET),
    schedule: [1_000, 1_000],
    metrics: recordMetrics,
    ...overrides,
  });
  for (let i = 0; i < handedOver.length; i++) {
    const response = await handler(batch(jobRecord(handedOver[i])));
    expect(response.batchItemFailures).toEqual([]);
  }
}

/** A queued request as the gateway leaves it: the status record and the job. */
async function queued(request: Partial<WebhookRequest> = {}): Promise<WebhookJob> {
  counter += 1;
  const trackingId = `9b7e6c5d-1a2b-4c3d-8e9f-${String(counter).padStart(12, '0')}`;
  const full: WebhookRequest = {
    query: 'What is task decomposition?',
    source_system: 'crm',
    callback_url: `${receiver.url}/hooks/revbot`,
    ...request,
  };
  const sessionId = full.session_id ?? `webhook_${trackingId}`;
  const record: RequestStatusRecord = {
    tracking_id: trackingId,
    status: 'queued',
    request: full,
    session_id: sessionId,
    queued_at: T0.toISOString(),
    updated_at: T0.toISOString(),
    processing_attempts: 0,
    expires_at: Math.floor(Date.now() / 1000) + 3600,
  };
  await store.create(record);
  return {
    version: 1,
    tracking_id: trackingId,
    session_id: sessionId,
    queued_at: T0.toISOString(),
    request: full,
  };
}

function jobRecord(body: unknown, receiveCount = 1, messageId = `msg-${++counter}`): SQSRecord {
  return sqsRecord({
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    receiveCount,
    sentAt: T0.getTime(),
    queueArn: 'arn:aws:sqs:us-east-1:123456789012:revops-test-webhook-queue',
  });
}
const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

// biome-ignore lint/suspicious/noExplicitAny: exported records are asserted on field by field
type Json = any;

function exportedConversations(): { conversation: Json; dir: string }[] {
  const found: { conversation: Json; dir: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === 'conversation.json') {
        found.push({ conversation: JSON.parse(readFileSync(full, 'utf8')), dir });
      }
    }
  };
  walk(conversationsDir);
  return found;
}

describe('webhook processor', () => {
  it('answers, stores the result, exports the conversation and delivers a verifiable payload', async () => {
    runtime.script({ events: recordedStream('06-knowledge-base-lookup-with-citation-chunk.json') });
    const job = await queued({ source_process: 'deal-review', metadata: { deal_id: 'D-9' } });
    const response = await processor()(batch(jobRecord(job)));
    expect(response.batchItemFailures).toEqual([]);
    expect((await store.get(job.tracking_id))?.status).toBe('delivering');
    expect(receiver.requests).toHaveLength(0);
    await deliverHandedOver();

    const record = await store.get(job.tracking_id);
    expect(record?.status).toBe('completed');
    expect(record?.result?.response).toMatch(/^Task decomposition is a technique/);
    expect(record?.result?.response_plain).toBe(record?.result?.response);
    expect(record?.processing_attempts).toBe(1);
    expect(record?.delivery).toMatchObject({
      status: 'delivered',
      destination: `http://127.0.0.1:${receiver.port}`,
      webhook_id: `msg_${job.tracking_id}`,
      attempts: 1,
      http_status: 204,
    });

    const [delivery] = receiver.requests;
    expect(delivery?.path).toBe('/hooks/revbot');
    const payload = new Webhook(SECRET).verify(delivery?.body ?? '', delivery?.headers ?? {});
    expect(payload).toEqual({
      tracking_id: job.tracking_id,
      source_system: 'crm',
      source_process: 'deal-review',
      original_query: 'What is task decomposition?',
      ai_response: {
        response: record?.result?.response,
        response_plain: record?.result?.response_plain,
        session_id: `webhook_${job.tracking_id}`,
        timestamp: record?.result?.answered_at,
      },
      webhook_metadata: {
        delivered_at: expect.any(String),
        webhook_url: `${receiver.url}/hooks/revbot`,
      },
      metadata: { deal_id: 'D-9' },
    });

    const [exported] = exportedConversations();
    expect(exported?.conversation).toMatchObject({
      conversation_id: job.tracking_id,
      session_id: `webhook_${job.tracking_id}`,
      channel: {
        kind: 'webhook',
        tracking_id: job.tracking_id,
        source_system: 'crm',
        source_process: 'deal-review',
      },
      user_query: 'What is task decomposition?',
      status: 'completed',
    });
    expect(exported?.conversation.agent_flow[0].knowledge_base_lookups).toHaveLength(1);
    expect(record?.result?.conversation_location).toBe(`${exported?.dir}${path.sep}`);
    expect(metrics.map((m) => m.name)).toEqual(
      expect.arrayContaining(['WebhookDeliveries', 'AgentInvocations']),
    );
  });

  it('asks in the webhook session with the tracking id as a session attribute', async () => {
    const job = await queued();
    await processor()(batch(jobRecord(job)));
    expect(runtime.asked[0]).toMatchObject({
      question: 'What is task decomposition?',
      sessionId: `webhook_${job.tracking_id}`,
      sessionAttributes: { channel: 'webhook', tracking_id: job.tracking_id, source_system: 'crm' },
    });
    expect(runtime.asked[0]?.signal).toBeInstanceOf(AbortSignal);
  });

  it("continues the caller's session for a follow-up question", async () => {
    const job = await queued({ session_id: 'crm-thread-42' });
    await processor()(batch(jobRecord(job)));
    expect(runtime.asked[0]?.sessionId).toBe('crm-thread-42');
    expect((await store.get(job.tracking_id))?.result?.session_id).toBe('crm-thread-42');
  });

  it("asks in the caller's namespaced session and records the caller in the conversation", async () => {
    const job: WebhookJob = {
      ...(await queued({ session_id: 'thread-7' })),
      session_id: 'crm:thread-7',
      caller: 'crm',
    };
    await processor()(batch(jobRecord(job)));
    expect(runtime.asked[0]).toMatchObject({
      sessionId: 'crm:thread-7',
      sessionAttributes: { channel: 'webhook', caller: 'crm' },
    });
    const exported = exportedConversations().find(
      (found) => found.conversation.conversation_id === job.tracking_id,
    );
    expect(exported?.conversation.channel).toMatchObject({ kind: 'webhook', caller: 'crm' });
    expect(exported?.conversation.session_id).toBe('crm:thread-7');
  });

  it('turns the Markdown answer into plain text for response_plain', async () => {
    runtime.script({
      text: '## Acme\n\n**3 open deals** — see [the report](https://crm.example.com/r/1)',
    });
    const job = await queued();
    await processor()(batch(jobRecord(job)));
    expect((await store.get(job.tracking_id))?.result).toMatchObject({
      response: '## Acme\n\n**3 open deals** — see [the report](https://crm.example.com/r/1)',
      response_plain: 'Acme\n\n3 open deals — see the report (https://crm.example.com/r/1)',
    });
  });

  it('delivers to WEBHOOK_URL when the request has no callback_url', async () => {
    const job = await queued({ callback_url: undefined });
    await processor({ defaultWebhookUrl: `${receiver.url}/default` })(batch(jobRecord(job)));
    await deliverHandedOver({ defaultWebhookUrl: `${receiver.url}/default` });
    expect(receiver.requests.map((r) => r.path)).toEqual(['/default']);
    expect((await store.get(job.tracking_id))?.status).toBe('completed');
  });

  it('completes without delivering when no webhook is configured: the caller polls', async () => {
    const job = await queued({ callback_url: undefined });
    await processor()(batch(jobRecord(job)));
    expect(receiver.requests).toHaveLength(0);
    expect(await store.get(job.tracking_id)).toMatchObject({
      status: 'completed',
      delivery: { status: 'not_configured', attempts: 0 },
      result: { response: 'fallback answer' },
    });
  });

  it('records delivery_failed after the bounded retries and keeps the answer', async () => {
    receiver.script({ status: 503 }, { status: 503 }, { status: 503 });
    const job = await queued();
    const response = await processor()(batch(jobRecord(job)));
    expect(response.batchItemFailures).toEqual([]);
    await deliverHandedOver();
    expect(receiver.requests).toHaveLength(3);
    const record = await store.get(job.tracking_id);
    expect(record).toMatchObject({
      status: 'delivery_failed',
      result: { response: 'fallback answer' },
      delivery: {
        status: 'failed',
        attempts: 3,
        http_status: 503,
        error: {
          code: 'DELIVERY_FAILED',
          message: `Delivery to http://127.0.0.1:${receiver.port} failed after 3 attempts (last: HTTP 503)`,
        },
      },
    });
    expect(metrics.some((m) => m.name === 'WebhookDeliveryFailures')).toBe(true);
  });

  it('does not retry a delivery the receiver refused with 400', async () => {
    receiver.script({ status: 400 });
    const job = await queued();
    await processor()(batch(jobRecord(job)));
    await deliverHandedOver();
    expect(receiver.requests).toHaveLength(1);
    expect((await store.get(job.tracking_id))?.delivery?.error?.code).toBe('DELIVERY_REJECTED');
  });

  it('refuses to deliver to an allowlisted name that resolves to a private address', async () => {
    const resolve: Resolver = async () => [{ address: '10.0.0.8', family: 4 }];
    const job = await queued({ callback_url: 'https://hooks.example.com/revbot' });
    await processor()(batch(jobRecord(job)));
    await deliverHandedOver({ allowlist: parseDestinationAllowlist('hooks.example.com'), resolve });
    expect(await store.get(job.tracking_id)).toMatchObject({
      status: 'delivery_failed',
      delivery: { error: { code: 'DESTINATION_NOT_ALLOWED' } },
    });
  });

  it('hands a retryable agent failure back to SQS, and records it as failed on the last receive', async () => {
    const throttled = new AgentRuntimeError('Bedrock is throttling requests', 'THROTTLED', true);
    runtime.script({ events: [chunk('partial ')], error: throttled });
    const job = await queued();
    const handler = processor({ maxReceiveCount: 3 });

    const first = await handler(batch(jobRecord(job, 1, 'm-1')));
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(await store.get(job.tracking_id)).toMatchObject({
      status: 'processing',
      processing_attempts: 1,
    });

    const last = await handler(batch(jobRecord(job, 3, 'm-1')));
    expect(last.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(await store.get(job.tracking_id)).toMatchObject({
      status: 'failed',
      processing_attempts: 2,
      error: {
        code: 'THROTTLED',
        message: 'The agents could not answer: Bedrock is throttling requests',
        retryable: true,
      },
    });
    expect(receiver.requests).toHaveLength(0);
    // Each attempt's partial conversation is still exported, marked failed.
    const exported = exportedConversations();
    expect(exported).toHaveLength(2);
    expect(exported.every((e) => e.conversation.status === 'failed')).toBe(true);
  });

  it('a message redriven from the DLQ after a retryable failure is answered', async () => {
    runtime.script(
      { error: new AgentRuntimeError('throttled', 'THROTTLED', true) },
      { text: 'now it works' },
    );
    const job = await queued();
    const handler = processor({ maxReceiveCount: 1 });
    await handler(batch(jobRecord(job, 1)));
    expect((await store.get(job.tracking_id))?.status).toBe('failed');
    await handler(batch(jobRecord(job, 1)));
    handedOver = handedOver.filter((delivery) => delivery.kind === 'answer');
    await deliverHandedOver();
    expect(await store.get(job.tracking_id)).toMatchObject({
      status: 'completed',
      result: { response: 'now it works' },
    });
  });

  it('records a non-retryable agent failure as failed with a clear message and acknowledges it', async () => {
    runtime.script({
      error: new AgentRuntimeError('The agent alias does not exist', 'AGENT_NOT_FOUND', false),
    });
    const job = await queued();
    const response = await processor()(batch(jobRecord(job)));
    expect(response.batchItemFailures).toEqual([]);
    expect(await store.get(job.tracking_id)).toMatchObject({
      status: 'failed',
      error: {
        code: 'AGENT_NOT_FOUND',
        message: 'The agents could not answer: The agent alias does not exist',
        retryable: false,
      },
    });
    expect(receiver.requests).toHaveLength(0);
  });

  it('sends a signed failed event to the callback of a request the agents failed', async () => {
    runtime.script({
      error: new AgentRuntimeError('The agent alias does not exist', 'AGENT_NOT_FOUND', false),
    });
    const job = await queued({ metadata: { deal_id: 'D-1' } });
    await processor()(batch(jobRecord(job)));
    expect(handedOver).toEqual([
      {
        version: 1,
        tracking_id: job.tracking_id,
        kind: 'failed',
        attempt: 1,
        error: {
          code: 'AGENT_NOT_FOUND',
          message: 'The agents could not answer: The agent alias does not exist',
        },
      },
    ]);
    await deliverHandedOver();
    const [event] = receiver.requests;
    expect(event?.id).toBe(`msg_${job.tracking_id}_failed`);
    const payload = new Webhook(SECRET).verify(event?.body ?? '', event?.headers ?? {});
    expect(payload).toEqual({
      event: 'request.failed',
      tracking_id: job.tracking_id,
      source_system: 'crm',
      source_process: null,
      original_query: 'What is task decomposition?',
      error: {
        code: 'AGENT_NOT_FOUND',
        message: 'The agents could not answer: The agent alias does not exist',
      },
      webhook_metadata: {
        delivered_at: expect.any(String),
        webhook_url: `${receiver.url}/hooks/revbot`,
      },
      metadata: { deal_id: 'D-1' },
    });
    const record = await store.get(job.tracking_id);
    expect(record).toMatchObject({
      status: 'failed',
      delivery: { status: 'delivered', event: 'failed', attempts: 1, http_status: 204 },
    });
    expect(record?.delivery_attempts).toEqual([
      expect.objectContaining({ attempt: 1, event: 'failed', http_status: 204 }),
    ]);
  });

  it('records a run that produced no answer as failed', async () => {
    runtime.script({ events: [] });
    const job = await queued();
    await processor()(batch(jobRecord(job)));
    expect((await store.get(job.tracking_id))?.error).toMatchObject({
      code: 'NO_ANSWER',
      retryable: false,
    });
  });

  it('acknowledges a redelivered message whose request is finished, without asking or delivering again', async () => {
    const job = await queued();
    const handler = processor();
    await handler(batch(jobRecord(job)));
    await deliverHandedOver();
    const response = await handler(batch(jobRecord(job, 2)));
    expect(response.batchItemFailures).toEqual([]);
    expect(handedOver).toHaveLength(1);
    expect(runtime.asked).toHaveLength(1);
    expect(receiver.requests).toHaveLength(1);
  });

  it('delivers an answer stored by an earlier attempt without asking the agents again', async () => {
    const job = await queued();
    let sends = 0;
    const handler = processor({
      deliveries: {
        async enqueue(delivery) {
          sends += 1;
          if (sends === 1) throw new RetryableError('Could not queue', 'QUEUE_UNAVAILABLE');
          handedOver.push(delivery);
        },
      },
    });
    const first = await handler(batch(jobRecord(job, 1, 'm-s')));
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm-s' }]);
    expect(await store.get(job.tracking_id)).toMatchObject({
      status: 'processing',
      result: { response: 'fallback answer' },
    });

    const second = await handler(batch(jobRecord(job, 2, 'm-s')));
    expect(second.batchItemFailures).toEqual([]);
    await deliverHandedOver();
    expect(runtime.asked).toHaveLength(1);
    expect(await store.get(job.tracking_id)).toMatchObject({
      status: 'completed',
      processing_attempts: 2,
    });
    const payload = new Webhook(SECRET).verify(
      receiver.requests[0]?.body ?? '',
      receiver.requests[0]?.headers ?? {},
    );
    expect(payload).toMatchObject({ ai_response: { response: 'fallback answer' } });
  });

  it('fails only the malformed record of a batch (partial batch response)', async () => {
    const good = await queued();
    const response = await processor()(
      batch(
        jobRecord('{not json', 1, 'bad-1'),
        jobRecord(good, 1, 'good-1'),
        jobRecord({ version: 2 }, 1, 'bad-2'),
      ),
    );
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'bad-1' },
      { itemIdentifier: 'bad-2' },
    ]);
    await deliverHandedOver();
    expect((await store.get(good.tracking_id))?.status).toBe('completed');
  });

  it('still answers when the conversation export fails, and counts the failure', async () => {
    const failing: ConversationSink = {
      async put() {
        throw new Error('disk full');
      },
      locate: (key) => key,
    };
    const job = await queued();
    await processor({ conversations: failing })(batch(jobRecord(job)));
    await deliverHandedOver();
    expect((await store.get(job.tracking_id))?.status).toBe('completed');
    expect(metrics).toContainEqual({ name: 'ConversationExportFailures', value: 1 });
  });

  it('stores a shortened copy of a huge answer but delivers it whole', async () => {
    const huge = `# Report\n\n${'Pipeline line. '.repeat(20_000)}`;
    runtime.script({ text: huge });
    const job = await queued();
    await processor()(batch(jobRecord(job)));
    await deliverHandedOver();
    const record = await store.get(job.tracking_id);
    expect(record?.result?.truncated).toBe(true);
    expect(Buffer.byteLength(record?.result?.response ?? '')).toBeLessThan(160 * 1024);
    const payload = JSON.parse(receiver.requests[0]?.body ?? '{}');
    expect(payload.ai_response.response).toBe(huge.trim());
  });
});

describe('daily budgets', () => {
  const table = budgetTable();

  it('replaces the reservation the gateway took by what the question used, and adds a retry’s usage', async () => {
    const budgets = table.budgets(
      { webhookKey: { tokens: 100_000 }, reservation: { tokens: 20_000 } },
      () => T0,
    );
    const admission = await budgets.admit([{ kind: 'webhookKey', id: 'key-1' }]);
    if (!admission.admitted) throw new Error('refused');
    const key = admission.holds[0]!.key;
    expect(await table.committed(key)).toBe('20000');
    // The recorded stream's usage: 4,344 input + 642 output tokens.
    runtime = scriptedAgentRuntime({
      events: recordedStream('05-function-action-groups-with-guardrail-pre-post.json'),
    });
    const job = { ...(await queued()), budget_holds: admission.holds };
    await processor({ budgets })(batch(jobRecord(job)));
    expect(await table.committed(key)).toBe('4986');

    // A redelivered job that asks again adds its usage; its reservation was settled already.
    const again = { ...(await queued()), budget_holds: admission.holds };
    await processor({ budgets })(batch(jobRecord(again, 2)));
    expect(await table.committed(key)).toBe(String(2 * 4986));
  });
});
