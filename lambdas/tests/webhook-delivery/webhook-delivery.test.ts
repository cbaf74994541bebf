import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '@revbot/testing/embedded-dynamodb';
import { sqsRecord } from '@revbot/testing/sqs-events';
import { startWebhookReceiver, type WebhookReceiver } from '@revbot/testing/webhook-receiver';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookSigner, parseDestinationAllowlist } from '../../shared/outbound';
import {
  DESTINATION_GONE_TTL_SECONDS,
  type DeliveryJobInput,
  type DeliveryJobQueue,
  DynamoDbRequestStatusStore,
  type GoneDestinations,
  MemoryRequestStatusStore,
  type RequestStatusRecord,
  type RequestStatusStore,
} from '../../shared/webhook-requests';
import type { WebhookDeliveryDeps } from '../../webhook-delivery/deliver-webhook-job';
import { createWebhookDeliveryHandler } from '../../webhook-delivery/webhook-delivery';

const SECRET = `whsec_${Buffer.from('revbot-delivery-test-key-32-bytes!!').toString('base64')}`;
const T0 = new Date('2026-12-07T10:00:00.000Z');
const ANSWER = {
  response: '**3** deals close this quarter',
  response_plain: '3 deals close this quarter',
  session_id: 'webhook_s',
  answered_at: '2026-12-07T09:59:58.000Z',
};

let receiver: WebhookReceiver;
let store: RequestStatusStore & GoneDestinations;
let sent: { job: DeliveryJobInput; delaySeconds: number }[];
let deadLetters: DeliveryJobInput[];
let clock: number;
/** Moves the stores' own clock (which expiry reads) ahead of real time. */
let storeOffset = 0;
const storeNow = () => Date.now() + storeOffset;
let counter = 0;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.close());
beforeEach(() => {
  storeOffset = 0;
  store = new MemoryRequestStatusStore(storeNow);
  sent = [];
  deadLetters = [];
  clock = T0.getTime();
  receiver.requests.length = 0;
  receiver.script();
});

const queue: DeliveryJobQueue = {
  async enqueue(job, delaySeconds = 0) {
    sent.push({ job, delaySeconds });
  },
};

function stage(
  overrides: Partial<WebhookDeliveryDeps> = {},
  idempotency?: DynamoDBPersistenceLayer,
) {
  return createWebhookDeliveryHandler(
    {
      store,
      queue,
      deadLetters: { enqueue: async (job) => void deadLetters.push(job) },
      allowlist: parseDestinationAllowlist(`http://127.0.0.1:${receiver.port}/`),
      signer: async () => createWebhookSigner(SECRET),
      schedule: [5_000, 5 * 60_000, 2 * 3600_000],
      now: () => new Date(clock),
      random: () => 0.5,
      ...overrides,
    },
    idempotency ? { persistenceStore: idempotency } : undefined,
  );
}

/** A request the processor answered and handed over (status delivering). */
async function answered(fields: Partial<RequestStatusRecord> = {}): Promise<string> {
  counter += 1;
  const trackingId = `7a1b2c3d-4e5f-4a6b-8c7d-${String(counter).padStart(12, '0')}`;
  await store.create({
    tracking_id: trackingId,
    status: 'queued',
    request: {
      query: 'Which deals close?',
      source_system: 'crm',
      callback_url: `${receiver.url}/in`,
    },
    session_id: 'webhook_s',
    queued_at: T0.toISOString(),
    updated_at: T0.toISOString(),
    processing_attempts: 0,
    expires_at: Math.floor(Date.now() / 1000) + 3600,
    ...fields,
  });
  await store.startProcessing(trackingId, T0);
  await store.saveResult(trackingId, ANSWER, T0);
  await store.startDelivery(trackingId, { status: 'pending', event: 'answer', attempts: 0 }, T0);
  return trackingId;
}

/** A request paused for approval: processing, its answer not yet there, nothing delivered. */
async function awaitingApproval(): Promise<string> {
  counter += 1;
  const trackingId = `7a1b2c3d-4e5f-4a6b-8c7d-${String(counter).padStart(12, '0')}`;
  await store.create({
    tracking_id: trackingId,
    status: 'queued',
    request: { query: 'Close the deal?', source_system: 'crm', callback_url: `${receiver.url}/in` },
    session_id: 'webhook_s',
    queued_at: T0.toISOString(),
    updated_at: T0.toISOString(),
    processing_attempts: 0,
    expires_at: Math.floor(Date.now() / 1000) + 3600,
  });
  await store.startProcessing(trackingId, T0);
  return trackingId;
}

/** A notice as lambdas/webhook-processor/await-approval.ts hands it to the delivery stage. */
function notice(
  trackingId: string,
  type: 'revbot.approval_requested' | 'revbot.approval_decided',
  invocationId = 'inv-1',
  fields: Partial<DeliveryJobInput> = {},
): DeliveryJobInput {
  return {
    version: 1,
    tracking_id: trackingId,
    kind: 'notice',
    attempt: 1,
    notice: {
      id: invocationId,
      type,
      payload: { type, tracking_id: trackingId, session_id: 'webhook_s', invocation: invocationId },
    },
    ...fields,
  };
}

const job = (trackingId: string, fields: Partial<DeliveryJobInput> = {}): DeliveryJobInput => ({
  version: 1,
  tracking_id: trackingId,
  kind: 'answer',
  attempt: 1,
  answer: ANSWER,
  ...fields,
});

function record(body: unknown, messageId = `m-${++counter}`): SQSRecord {
  return sqsRecord({
    messageId,
    receiptHandle: `rh-${messageId}`,
    body,
    queueArn: 'arn:aws:sqs:us-east-1:123456789012:revops-test-webhook-delivery-queue',
  });
}
const batch = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/** Lambda's context, as far as the idempotency utility reads it. */
const lambdaContext = { getRemainingTimeInMillis: () => 60_000 };

/** Runs the job the stage queued last (its delay having passed), as SQS would deliver it. */
async function runNext(handler: ReturnType<typeof stage>) {
  const next = sent.shift();
  if (!next) throw new Error('no next attempt was queued');
  clock += next.delaySeconds * 1000;
  return handler(batch(record(next.job)), lambdaContext);
}

describe('webhook delivery stage', () => {
  it('makes one signed attempt and records it: status, time, duration', async () => {
    const id = await answered();
    const response = await stage()(batch(record(job(id))));
    expect(response.batchItemFailures).toEqual([]);
    expect(receiver.requests).toHaveLength(1);
    const delivered = receiver.requests[0];
    expect(delivered?.id).toBe(`msg_${id}`);
    expect(
      new Webhook(SECRET).verify(delivered?.body ?? '', delivered?.headers ?? {}),
    ).toMatchObject({
      tracking_id: id,
      ai_response: { response: ANSWER.response, response_plain: ANSWER.response_plain },
    });
    const stored = await store.get(id);
    expect(stored).toMatchObject({
      status: 'completed',
      delivery: { status: 'delivered', event: 'answer', attempts: 1, http_status: 204 },
    });
    expect(stored?.delivery_attempts).toEqual([
      { attempt: 1, event: 'answer', at: T0.toISOString(), duration_ms: 0, http_status: 204 },
    ]);
    expect(sent).toEqual([]);
  });

  it('receiver down, then back: each failure schedules the next step, delivered once it is up', async () => {
    const id = await answered();
    const handler = stage();
    receiver.script({ status: 503 }, { status: 502 });

    await handler(batch(record(job(id))));
    expect(sent).toEqual([
      { job: expect.objectContaining({ attempt: 2, hop: 0 }), delaySeconds: 5 },
    ]);
    expect(await store.get(id)).toMatchObject({
      status: 'delivering',
      delivery: {
        status: 'retrying',
        attempts: 1,
        http_status: 503,
        next_attempt_at: new Date(T0.getTime() + 5_000).toISOString(),
      },
    });

    await runNext(handler); // attempt 2: 502, next in 5 min (300 s, within SQS's delay)
    expect(sent).toEqual([{ job: expect.objectContaining({ attempt: 3 }), delaySeconds: 300 }]);

    await runNext(handler); // attempt 3: the receiver is back
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((r) => r.id))).toEqual(new Set([`msg_${id}`]));
    const stored = await store.get(id);
    expect(stored).toMatchObject({
      status: 'completed',
      delivery: { status: 'delivered', attempts: 3 },
    });
    expect(stored?.delivery_attempts?.map((a) => [a.attempt, a.http_status, a.at])).toEqual([
      [1, 503, T0.toISOString()],
      [2, 502, new Date(T0.getTime() + 5_000).toISOString()],
      [3, 204, new Date(T0.getTime() + 305_000).toISOString()],
    ]);
    expect(sent).toEqual([]);
  });

  it('records a refused connection as the attempt error', async () => {
    const down = await startWebhookReceiver();
    const url = `${down.url}/in`;
    await down.close();
    const id = await answered({
      request: { query: 'q?', source_system: 'crm', callback_url: url },
    });
    await stage({ allowlist: parseDestinationAllowlist(`${new URL(url).origin}/`) })(
      batch(record(job(id))),
    );
    const stored = await store.get(id);
    expect(stored?.delivery_attempts?.[0]).toMatchObject({
      attempt: 1,
      error: 'connection refused',
    });
    expect(stored?.delivery_attempts?.[0]?.http_status).toBeUndefined();
    expect(stored?.delivery?.status).toBe('retrying');
  });

  it('carries a wait beyond 15 minutes as due_at and sends the job on until it is due', async () => {
    const id = await answered();
    const handler = stage({ schedule: [3600_000] });
    receiver.script({ status: 500 });
    await handler(batch(record(job(id))));
    const due = new Date(T0.getTime() + 3600_000).toISOString();
    expect(sent).toEqual([
      { job: expect.objectContaining({ attempt: 2, due_at: due, hop: 0 }), delaySeconds: 900 },
    ]);
    // Received after 15 minutes: not yet due, sent on with hop 1, nothing attempted.
    await runNext(handler);
    expect(receiver.requests).toHaveLength(1);
    expect(sent).toEqual([
      { job: expect.objectContaining({ attempt: 2, due_at: due, hop: 1 }), delaySeconds: 900 },
    ]);
    await runNext(handler);
    await runNext(handler);
    expect(sent[0]).toEqual({ job: expect.objectContaining({ hop: 3 }), delaySeconds: 900 });
    await runNext(handler); // 60 minutes: due
    expect(receiver.requests).toHaveLength(2);
    expect(await store.get(id)).toMatchObject({ status: 'completed', delivery: { attempts: 2 } });
  });

  it('honours Retry-After when it asks for longer than the schedule', async () => {
    const id = await answered();
    receiver.script({ status: 429, headers: { 'retry-after': '120' } });
    await stage()(batch(record(job(id))));
    expect(sent).toEqual([{ job: expect.objectContaining({ attempt: 2 }), delaySeconds: 120 }]);
    expect((await store.get(id))?.delivery?.http_status).toBe(429);
  });

  it('stops at 410 Gone and says so in the status', async () => {
    const id = await answered();
    receiver.script({ status: 410 });
    await stage()(batch(record(job(id))));
    expect(sent).toEqual([]);
    expect(deadLetters).toEqual([]);
    expect(await store.get(id)).toMatchObject({
      status: 'delivery_failed',
      delivery: {
        status: 'stopped',
        http_status: 410,
        attempts: 1,
        error: {
          code: 'ENDPOINT_GONE',
          message: `http://127.0.0.1:${receiver.port} answered 410 Gone at ${T0.toISOString()}: no more attempts are made to this destination, for this request or any other, until "revbot webhook redeliver" re-enables it`,
        },
      },
    });
  });

  describe('a destination that answered 410 Gone', () => {
    goneDestinationTests();
  });

  it('after the last step records delivery_failed and puts the job in the dead-letter queue', async () => {
    const id = await answered();
    const handler = stage({ schedule: [1_000] });
    receiver.script({ status: 503 }, { status: 503 });
    await handler(batch(record(job(id))));
    await runNext(handler);
    expect(sent).toEqual([]);
    expect(deadLetters).toEqual([expect.objectContaining({ tracking_id: id, attempt: 2 })]);
    expect(await store.get(id)).toMatchObject({
      status: 'delivery_failed',
      result: ANSWER,
      delivery: {
        status: 'failed',
        attempts: 2,
        error: {
          code: 'DELIVERY_FAILED',
          message: `Delivery to http://127.0.0.1:${receiver.port} failed after 2 attempts (last: HTTP 503)`,
        },
      },
    });
  });

  it('a hanging receiver costs one attempt per timeout and holds up no other delivery', async () => {
    const hanging = await startWebhookReceiver({ fallback: { status: 204, hang: true } });
    const slow = await answered({
      request: { query: 'q?', source_system: 'crm', callback_url: `${hanging.url}/in` },
    });
    const quick = await answered();
    const handler = stage({
      attemptTimeoutMs: 800,
      allowlist: parseDestinationAllowlist(`${hanging.url}/,${receiver.url}/`),
      now: () => new Date(),
    });
    try {
      const started = Date.now();
      const slowRun = handler(batch(record(job(slow))));
      await handler(batch(record(job(quick))));
      const quickDone = Date.now() - started;
      await slowRun;
      const slowDone = Date.now() - started;
      expect(quickDone).toBeLessThan(700);
      expect(slowDone).toBeGreaterThanOrEqual(790);
      expect(hanging.requests).toHaveLength(1);
      expect((await store.get(quick))?.delivery?.status).toBe('delivered');
      const stored = await store.get(slow);
      expect(stored?.delivery_attempts?.[0]).toMatchObject({ error: 'no answer within 800 ms' });
      expect(stored?.delivery_attempts?.[0]?.duration_ms).toBeGreaterThanOrEqual(790);
      expect(sent).toEqual([
        { job: expect.objectContaining({ tracking_id: slow, attempt: 2 }), delaySeconds: 5 },
      ]);
    } finally {
      await hanging.close();
    }
  });

  it('redelivers a stored answer as a new series, recorded beside the first', async () => {
    const id = await answered();
    const handler = stage();
    await handler(batch(record(job(id))));
    await handler(
      batch(
        record({
          version: 1,
          tracking_id: id,
          kind: 'redeliver',
          attempt: 1,
          redelivery_id: 'r-1',
        }),
      ),
    );
    expect(receiver.requests.map((r) => r.id)).toEqual([`msg_${id}`, `msg_${id}`]);
    expect(JSON.parse(receiver.requests[1]?.body ?? '{}').ai_response.response).toBe(
      ANSWER.response,
    );
    const stored = await store.get(id);
    expect(stored?.status).toBe('completed');
    expect(stored?.delivery_attempts?.map((a) => a.redelivery_id ?? null)).toEqual([null, 'r-1']);
  });

  it("redelivers a failed request's failed event, leaving it failed", async () => {
    counter += 1;
    const id = `7a1b2c3d-4e5f-4a6b-8c7d-${String(counter).padStart(12, '0')}`;
    await store.create({
      tracking_id: id,
      status: 'queued',
      request: { query: 'q?', source_system: 'crm', callback_url: `${receiver.url}/in` },
      session_id: 's',
      queued_at: T0.toISOString(),
      updated_at: T0.toISOString(),
      processing_attempts: 0,
      expires_at: Math.floor(Date.now() / 1000) + 3600,
    });
    await store.fail(id, { code: 'AGENT_TIMEOUT', message: 'too slow', retryable: false }, T0);
    await stage()(
      batch(
        record({ version: 1, tracking_id: id, kind: 'redeliver', attempt: 1, redelivery_id: 'r' }),
      ),
    );
    expect(receiver.requests.map((r) => r.id)).toEqual([`msg_${id}_failed`]);
    expect(JSON.parse(receiver.requests[0]?.body ?? '{}')).toMatchObject({
      event: 'request.failed',
      error: { code: 'AGENT_TIMEOUT', message: 'too slow' },
    });
    expect(await store.get(id)).toMatchObject({
      status: 'failed',
      delivery: { status: 'delivered', event: 'failed' },
    });
  });

  it('acknowledges a job for a delivery already finished without sending again', async () => {
    const id = await answered();
    const handler = stage();
    await handler(batch(record(job(id))));
    const again = await handler(batch(record(job(id, { attempt: 2 }))));
    expect(again.batchItemFailures).toEqual([]);
    expect(receiver.requests).toHaveLength(1);
  });

  it('fails only a malformed record, leaving it for the DLQ', async () => {
    const id = await answered();
    const response = await stage()(
      batch(record('{nope', 'bad'), record(job(id), 'good'), record({ version: 1 }, 'bad-2')),
    );
    expect(response.batchItemFailures).toEqual([
      { itemIdentifier: 'bad' },
      { itemIdentifier: 'bad-2' },
    ]);
    expect(receiver.requests).toHaveLength(1);
  });
});

describe('approval notices through the delivery stage', () => {
  it('delivers a notice signed, with its own message id, leaving status and delivery summary alone', async () => {
    const id = await awaitingApproval();
    const before = await store.get(id);
    const response = await stage()(batch(record(notice(id, 'revbot.approval_requested', 'inv-7'))));
    expect(response.batchItemFailures).toEqual([]);
    expect(receiver.requests).toHaveLength(1);
    const delivered = receiver.requests[0];
    expect(delivered?.id).toBe(`msg_${id}_approval_requested_inv-7`);
    expect(new Webhook(SECRET).verify(delivered?.body ?? '', delivered?.headers ?? {})).toEqual({
      type: 'revbot.approval_requested',
      tracking_id: id,
      session_id: 'webhook_s',
      invocation: 'inv-7',
    });
    const after = await store.get(id);
    expect(after?.status).toBe('processing');
    expect(after?.delivery).toBeUndefined();
    expect(after?.delivery_attempts).toBeUndefined();
    expect(after).toEqual(before);
    expect(sent).toEqual([]);
  });

  it("a decision notice on a delivered request leaves its status and the answer's delivery summary alone", async () => {
    const id = await answered();
    await stage()(batch(record(job(id))));
    const before = await store.get(id);
    expect(before?.delivery?.status).toBe('delivered');
    await stage()(batch(record(notice(id, 'revbot.approval_decided'))));
    expect(receiver.requests.map((r) => r.id)).toEqual([
      `msg_${id}`,
      `msg_${id}_approval_decided_inv-1`,
    ]);
    expect(await store.get(id)).toEqual(before);
  });

  it('a failed notice schedules its next attempt by the schedule, the status untouched', async () => {
    const id = await awaitingApproval();
    const before = await store.get(id);
    const handler = stage();
    receiver.script({ status: 503 });
    await handler(batch(record(notice(id, 'revbot.approval_requested'))));
    expect(sent).toEqual([
      {
        job: expect.objectContaining({
          kind: 'notice',
          attempt: 2,
          hop: 0,
          notice: expect.objectContaining({ id: 'inv-1', type: 'revbot.approval_requested' }),
        }),
        delaySeconds: 5,
      },
    ]);
    expect(await store.get(id)).toEqual(before);
    await runNext(handler); // attempt 2, five seconds later: delivered
    expect(receiver.requests.map((r) => r.id)).toEqual([
      `msg_${id}_approval_requested_inv-1`,
      `msg_${id}_approval_requested_inv-1`,
    ]);
    expect(sent).toEqual([]);
    expect(deadLetters).toEqual([]);
    expect(await store.get(id)).toEqual(before);
  });

  it('carries a notice wait beyond 15 minutes as due_at, not attempting it early', async () => {
    const id = await awaitingApproval();
    const handler = stage({ schedule: [3600_000] });
    receiver.script({ status: 500 });
    await handler(batch(record(notice(id, 'revbot.approval_requested'))));
    const due = new Date(T0.getTime() + 3600_000).toISOString();
    expect(sent).toEqual([
      { job: expect.objectContaining({ attempt: 2, due_at: due, hop: 0 }), delaySeconds: 900 },
    ]);
    await runNext(handler); // 15 minutes: not due, sent on
    expect(receiver.requests).toHaveLength(1);
    expect(sent).toEqual([
      { job: expect.objectContaining({ attempt: 2, due_at: due, hop: 1 }), delaySeconds: 900 },
    ]);
  });

  it('puts the notice in the dead-letter queue once the schedule has run out', async () => {
    const id = await awaitingApproval();
    const before = await store.get(id);
    const handler = stage({ schedule: [1_000] });
    receiver.script({ status: 503 }, { status: 503 });
    await handler(batch(record(notice(id, 'revbot.approval_decided', 'inv-2'))));
    await runNext(handler);
    expect(receiver.requests).toHaveLength(2);
    expect(sent).toEqual([]);
    expect(deadLetters).toEqual([
      expect.objectContaining({
        tracking_id: id,
        kind: 'notice',
        attempt: 2,
        notice: expect.objectContaining({ id: 'inv-2', type: 'revbot.approval_decided' }),
      }),
    ]);
    expect(await store.get(id)).toEqual(before);
  });
});

describe('webhook delivery stage on DynamoDB, idempotent', () => {
  let dynamodb: EmbeddedDynamoDb;
  const IDEMPOTENCY = 'revops-test-idempotency';
  const REQUESTS = 'revops-test-webhook-requests';

  beforeAll(async () => {
    dynamodb = await startEmbeddedDynamoDb();
    await dynamodb.createTable(IDEMPOTENCY, 'id');
    await dynamodb.createTable(REQUESTS, 'tracking_id');
  });
  afterAll(() => dynamodb.close());
  beforeEach(() => {
    store = new DynamoDbRequestStatusStore(dynamodb.documents, REQUESTS, storeNow);
  });

  describe('a destination that answered 410 Gone, marked in the requests table', () => {
    goneDestinationTests();

    it('keeps the mark as an item keyed destination# with a TTL', async () => {
      const id = await answered();
      receiver.script({ status: 410 });
      await stage()(batch(record(job(id))));
      const marks = (await dynamodb.items(REQUESTS)).filter((item) =>
        item.tracking_id?.S?.startsWith('destination#'),
      );
      expect(marks).toEqual([
        {
          tracking_id: { S: `destination#${receiver.url}/in` },
          destination: { S: `${receiver.url}/in` },
          gone_at: { S: T0.toISOString() },
          expires_at: { N: String(T0.getTime() / 1000 + 30 * 24 * 3600) },
        },
      ]);
    });
  });

  const persistence = () =>
    new DynamoDBPersistenceLayer({ tableName: IDEMPOTENCY, awsSdkV3Client: dynamodb.client });

  it('the same SQS record delivered twice is sent once; the attempt log has one entry', async () => {
    const id = await answered();
    const handler = stage({}, persistence());
    const message = record(job(id), 'dup-1');
    expect((await handler(batch(message), lambdaContext)).batchItemFailures).toEqual([]);
    expect((await handler(batch(message), lambdaContext)).batchItemFailures).toEqual([]);
    expect(receiver.requests).toHaveLength(1);
    const stored = await store.get(id);
    expect(stored?.delivery_attempts).toHaveLength(1);
    expect(stored).toMatchObject({ status: 'completed', delivery: { status: 'delivered' } });
    const keys = await dynamodb.items(IDEMPOTENCY);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({
      status: { S: 'COMPLETED' },
      expiration: { N: expect.stringMatching(/^\d+$/) },
    });
  });

  it('a copy of a failed attempt schedules the next attempt once, and a copy sent on its own key runs', async () => {
    const id = await answered();
    const handler = stage({}, persistence());
    receiver.script({ status: 503 });
    const first = record(job(id), 'dup-2');
    await handler(batch(first), lambdaContext);
    await handler(batch(first), lambdaContext);
    expect(receiver.requests).toHaveLength(1);
    expect(sent).toHaveLength(1);
    await runNext(handler);
    expect(receiver.requests).toHaveLength(2);
    const stored = await store.get(id);
    expect(stored?.delivery_attempts?.map((a) => [a.attempt, a.http_status])).toEqual([
      [1, 503],
      [2, 204],
    ]);
  });

  it('two notices of one request are both sent; an SQS copy of one is sent once', async () => {
    const id = await awaitingApproval();
    const handler = stage({}, persistence());
    const keysBefore = (await dynamodb.items(IDEMPOTENCY)).length;
    // The request and the decision of one approval share the paused action's invocation id.
    const requested = record(notice(id, 'revbot.approval_requested', 'inv-9'), 'n-1');
    const decided = record(notice(id, 'revbot.approval_decided', 'inv-9'), 'n-2');
    const copy = record(notice(id, 'revbot.approval_requested', 'inv-9'), 'n-1-copy');
    await handler(batch(requested), lambdaContext);
    await handler(batch(decided), lambdaContext);
    await handler(batch(copy), lambdaContext);
    await handler(batch(requested), lambdaContext);
    expect(receiver.requests.map((r) => r.id)).toEqual([
      `msg_${id}_approval_requested_inv-9`,
      `msg_${id}_approval_decided_inv-9`,
    ]);
    // One key per notice: the type is part of it, the SQS message id is not.
    expect(await dynamodb.items(IDEMPOTENCY)).toHaveLength(keysBefore + 2);
    expect((await store.get(id))?.status).toBe('processing');
  });

  it('a run that threw leaves no key behind, so SQS retries it', async () => {
    const id = await answered();
    let reads = 0;
    const handler = stage(
      {
        signer: async () => {
          reads += 1;
          if (reads === 1) throw new Error('secret unavailable');
          return createWebhookSigner(SECRET);
        },
      },
      persistence(),
    );
    const message = record(job(id), 'dup-3');
    expect((await handler(batch(message), lambdaContext)).batchItemFailures).toEqual([
      { itemIdentifier: 'dup-3' },
    ]);
    expect((await handler(batch(message), lambdaContext)).batchItemFailures).toEqual([]);
    expect(receiver.requests).toHaveLength(1);
  });
});

/**
 * 410 Gone switches the destination off for later deliveries: run on each store (memory, and
 * DynamoDB, where the mark is an item of the requests table with a TTL).
 */
function goneDestinationTests() {
  const goneAt = T0.toISOString();
  // Marks outlive a test in the DynamoDB table: each test starts with the destinations enabled.
  afterEach(async () => {
    storeOffset = 0;
    await store.clearDestinationGone(`${receiver.url}/in`);
    await store.clearDestinationGone(`${receiver.url}/other`);
  });
  const offMessage = () =>
    `http://127.0.0.1:${receiver.port} answered 410 Gone at ${goneAt}: deliveries to it stay switched off until "revbot webhook redeliver" re-enables it`;

  it('later deliveries to that exact destination are not attempted, and their status says why', async () => {
    const first = await answered();
    const handler = stage();
    receiver.script({ status: 410 });
    await handler(batch(record(job(first))));
    expect(await store.destinationGone(`${receiver.url}/in`)).toEqual({
      destination: `${receiver.url}/in`,
      gone_at: goneAt,
    });

    clock += 60_000;
    const second = await answered();
    await handler(batch(record(job(second))));
    expect(receiver.requests).toHaveLength(1);
    expect(sent).toEqual([]);
    expect(deadLetters).toEqual([]);
    const stored = await store.get(second);
    expect(stored).toMatchObject({
      status: 'delivery_failed',
      result: ANSWER,
      delivery: {
        status: 'stopped',
        attempts: 0,
        error: { code: 'ENDPOINT_GONE', message: offMessage() },
      },
    });
    expect(stored?.delivery_attempts ?? []).toEqual([]);
  });

  it('a notice to a gone destination is not attempted either, and a 410 to a notice switches it off', async () => {
    const id = await awaitingApproval();
    const handler = stage();
    receiver.script({ status: 410 });
    await handler(batch(record(notice(id, 'revbot.approval_requested'))));
    expect(sent).toEqual([]);
    expect(deadLetters).toEqual([]);
    expect((await store.destinationGone(`${receiver.url}/in`))?.gone_at).toBe(goneAt);
    await handler(batch(record(notice(id, 'revbot.approval_decided'))));
    expect(receiver.requests).toHaveLength(1);
    expect((await store.get(id))?.status).toBe('processing');
  });

  it('another path or origin is still delivered to', async () => {
    const first = await answered();
    receiver.script({ status: 410 });
    await stage()(batch(record(job(first))));
    const otherPath = await answered({
      request: { query: 'q?', source_system: 'crm', callback_url: `${receiver.url}/other` },
    });
    await stage()(batch(record(job(otherPath))));
    expect(receiver.requests.map((r) => r.path)).toEqual(['/in', '/other']);
    expect((await store.get(otherPath))?.delivery?.status).toBe('delivered');
    expect(await store.destinationGone(`${receiver.url}/other`)).toBeUndefined();
  });

  it('revbot webhook redeliver re-enables it: the redelivery and later deliveries are attempted', async () => {
    const first = await answered();
    const handler = stage();
    receiver.script({ status: 410 });
    await handler(batch(record(job(first))));
    clock += 3600_000;
    await handler(
      batch(
        record({
          version: 1,
          tracking_id: first,
          kind: 'redeliver',
          attempt: 1,
          redelivery_id: 'r-1',
        }),
      ),
    );
    expect(receiver.requests).toHaveLength(2);
    expect(await store.destinationGone(`${receiver.url}/in`)).toBeUndefined();
    expect((await store.get(first))?.delivery).toMatchObject({ status: 'delivered' });
    const later = await answered();
    await handler(batch(record(job(later))));
    expect(receiver.requests).toHaveLength(3);
    expect((await store.get(later))?.status).toBe('completed');
  });

  it('the mark lapses after its TTL', async () => {
    const first = await answered();
    receiver.script({ status: 410 });
    await stage()(batch(record(job(first))));
    expect(await store.destinationGone(`${receiver.url}/in`)).toBeDefined();
    const expiresAt = T0.getTime() + DESTINATION_GONE_TTL_SECONDS * 1000;
    storeOffset = expiresAt - 1000 - Date.now();
    expect(await store.destinationGone(`${receiver.url}/in`)).toBeDefined();
    storeOffset = expiresAt - Date.now();
    expect(await store.destinationGone(`${receiver.url}/in`)).toBeUndefined();
  });
}
