import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '@revbot/testing/embedded-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canTransition,
  DynamoDbRequestStatusStore,
  InvalidStatusTransitionError,
  MemoryRequestStatusStore,
  type RequestStatus,
  type RequestStatusRecord,
  type RequestStatusStore,
  type StoredAnswer,
} from '../../../shared/webhook-requests';
import { rejectionOf } from '../../support/rejection-of';

const T0 = new Date('2026-11-23T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
let counter = 0;

function queuedRecord(overrides: Partial<RequestStatusRecord> = {}): RequestStatusRecord {
  counter += 1;
  const trackingId = `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
  return {
    tracking_id: trackingId,
    status: 'queued',
    request: { query: 'What is the pipeline for Acme Corp?', source_system: 'crm' },
    session_id: `webhook_${trackingId}`,
    queued_at: T0.toISOString(),
    updated_at: T0.toISOString(),
    processing_attempts: 0,
    expires_at: Math.floor(T0.getTime() / 1000) + 7 * 86_400,
    ...overrides,
  };
}

const answer: StoredAnswer = {
  response: '**Acme Corp**: 3 open deals',
  response_plain: 'Acme Corp: 3 open deals',
  session_id: 'webhook_x',
  answered_at: at(20).toISOString(),
};

const transitionError = (promise: Promise<unknown>) =>
  rejectionOf(promise, InvalidStatusTransitionError);

describe('canTransition', () => {
  const cases: [RequestStatus, RequestStatus | 'result', boolean, Partial<RequestStatusRecord>?][] =
    [
      ['queued', 'processing', true],
      ['processing', 'processing', true],
      ['failed', 'processing', true, { error: { code: 'X', message: 'm', retryable: true } }],
      ['failed', 'processing', false, { error: { code: 'X', message: 'm', retryable: false } }],
      ['completed', 'processing', false],
      ['delivery_failed', 'processing', false],
      ['processing', 'result', true],
      ['queued', 'result', false],
      ['processing', 'completed', true, { result: answer }],
      ['processing', 'completed', false],
      ['queued', 'completed', false, { result: answer }],
      ['processing', 'delivery_failed', true, { result: answer }],
      ['processing', 'delivery_failed', false],
      ['queued', 'failed', true],
      ['processing', 'failed', true],
      ['completed', 'failed', false],
      ['failed', 'failed', false],
      ['processing', 'queued', false],
    ];
  it.each(cases)('%s → %s is %s', (from, to, allowed, extra = {}) => {
    expect(canTransition({ status: from, ...extra }, to)).toBe(allowed);
  });

  it('allows nothing for a missing record', () => {
    expect(canTransition(undefined, 'processing')).toBe(false);
  });
});

let dynamo: EmbeddedDynamoDb;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamoDb();
  await dynamo.createTable('revops-test-webhook-requests', 'tracking_id');
});
afterAll(() => dynamo.close());

describe.each([
  ['in memory', () => new MemoryRequestStatusStore(() => T0.getTime())],
  [
    'on DynamoDB',
    () => new DynamoDbRequestStatusStore(dynamo.documents, 'revops-test-webhook-requests'),
  ],
])('RequestStatusStore %s', (_name, makeStore: () => RequestStatusStore) => {
  /** A queued request, stored and started at at(1). */
  const startedRecord = async (store: RequestStatusStore) => {
    const record = queuedRecord();
    await store.create(record);
    await store.startProcessing(record.tracking_id, at(1));
    return record;
  };

  it('walks queued → processing → completed, keeping timestamps, result and delivery', async () => {
    const store = makeStore();
    const record = queuedRecord({
      request: { query: 'q', source_system: 'crm', metadata: { a: 1 } },
    });
    await store.create(record);
    expect(await store.get(record.tracking_id)).toEqual(record);

    const started = await store.startProcessing(record.tracking_id, at(1));
    expect(started).toMatchObject({
      status: 'processing',
      started_at: at(1).toISOString(),
      updated_at: at(1).toISOString(),
      processing_attempts: 1,
    });
    await store.saveResult(record.tracking_id, answer, at(20));
    await store.complete(
      record.tracking_id,
      {
        status: 'delivered',
        destination: 'https://hooks.example.com',
        attempts: 1,
        http_status: 204,
      },
      at(21),
    );
    expect(await store.get(record.tracking_id)).toEqual({
      ...record,
      status: 'completed',
      started_at: at(1).toISOString(),
      updated_at: at(21).toISOString(),
      finished_at: at(21).toISOString(),
      processing_attempts: 1,
      result: answer,
      delivery: {
        status: 'delivered',
        destination: 'https://hooks.example.com',
        attempts: 1,
        http_status: 204,
      },
    });
  });

  it('records delivery_failed with the answer still stored', async () => {
    const store = makeStore();
    const record = await startedRecord(store);
    await store.saveResult(record.tracking_id, answer, at(2));
    await store.failDelivery(
      record.tracking_id,
      {
        status: 'failed',
        attempts: 5,
        error: { code: 'DELIVERY_FAILED', message: 'after 5 attempts' },
      },
      at(3),
    );
    const stored = await store.get(record.tracking_id);
    expect(stored?.status).toBe('delivery_failed');
    expect(stored?.result).toEqual(answer);
    expect(stored?.delivery?.error?.code).toBe('DELIVERY_FAILED');
  });

  it('refuses to complete a request whose answer was never stored', async () => {
    const store = makeStore();
    const record = await startedRecord(store);
    const error = await transitionError(
      store.complete(record.tracking_id, { status: 'not_configured', attempts: 0 }, at(2)),
    );
    expect(error).toMatchObject({ from: 'processing', to: 'completed' });
  });

  it('counts each processing attempt and keeps the first start time', async () => {
    const store = makeStore();
    const record = await startedRecord(store);
    const again = await store.startProcessing(record.tracking_id, at(90));
    expect(again).toMatchObject({ processing_attempts: 2, started_at: at(1).toISOString() });
  });

  it('never rewinds a finished request (a redelivered message)', async () => {
    const store = makeStore();
    const record = await startedRecord(store);
    await store.saveResult(record.tracking_id, answer, at(2));
    await store.complete(record.tracking_id, { status: 'not_configured', attempts: 0 }, at(3));
    const error = await transitionError(store.startProcessing(record.tracking_id, at(4)));
    expect(error).toMatchObject({
      from: 'completed',
      to: 'processing',
      code: 'INVALID_STATUS_TRANSITION',
    });
    await transitionError(store.saveResult(record.tracking_id, answer, at(5)));
    await transitionError(
      store.fail(record.tracking_id, { code: 'X', message: 'late', retryable: false }, at(6)),
    );
    expect((await store.get(record.tracking_id))?.status).toBe('completed');
  });

  it('lets a retryable failure start again (dead-letter redrive) but not a final one', async () => {
    const store = makeStore();
    const retryable = await startedRecord(store);
    await store.fail(
      retryable.tracking_id,
      { code: 'AGENT_UNAVAILABLE', message: 'throttled', retryable: true },
      at(2),
    );
    const restarted = await store.startProcessing(retryable.tracking_id, at(3));
    expect(restarted.status).toBe('processing');
    expect(restarted.error).toBeUndefined();

    const final = await startedRecord(store);
    await store.fail(
      final.tracking_id,
      { code: 'AGENT_FAILED', message: 'no', retryable: false },
      at(2),
    );
    const error = await transitionError(store.startProcessing(final.tracking_id, at(3)));
    expect(error.from).toBe('failed');
  });

  it('keeps any JSON metadata, even what DynamoDB types cannot hold', async () => {
    const store = makeStore();
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 40; i++) deep = { nested: deep };
    const metadata = {
      huge: 1e200,
      empty: '',
      list: [],
      deep,
    };
    const record = queuedRecord({ request: { query: 'q', source_system: 'crm', metadata } });
    await store.create(record);
    expect((await store.get(record.tracking_id))?.request.metadata).toEqual(metadata);
    expect((await store.startProcessing(record.tracking_id, at(1))).request.metadata).toEqual(
      metadata,
    );
  });

  it('refuses a second record with the same tracking id', async () => {
    const store = makeStore();
    const record = queuedRecord();
    await store.create(record);
    await transitionError(store.create(record));
  });

  it('reports a missing record as a transition from nothing', async () => {
    const store = makeStore();
    const error = await transitionError(store.startProcessing('no-such-id', at(1)));
    expect(error.from).toBeUndefined();
    expect(error.message).toBe('Webhook request no-such-id does not exist');
    expect(await store.get('no-such-id')).toBeUndefined();
  });

  it('hands over to delivery, appends each attempt in order and finishes the delivery', async () => {
    const store = makeStore();
    const record = await startedRecord(store);
    const id = record.tracking_id;
    await transitionError(store.startDelivery(id, { status: 'pending', attempts: 0 }, at(2)));
    await store.saveResult(id, answer, at(2));
    await store.startDelivery(id, { status: 'pending', event: 'answer', attempts: 0 }, at(3));
    expect((await store.get(id))?.status).toBe('delivering');
    await transitionError(store.startProcessing(id, at(4)));

    const attempt = (n: number, fields: object) => ({
      attempt: n,
      event: 'answer' as const,
      at: at(3 + n).toISOString(),
      duration_ms: 10 * n,
      ...fields,
    });
    await store.recordDelivery(
      id,
      { attempt: attempt(1, { http_status: 503 }), delivery: { status: 'retrying', attempts: 1 } },
      at(4),
    );
    await store.recordDelivery(
      id,
      {
        attempt: attempt(2, { http_status: 204 }),
        delivery: { status: 'delivered', attempts: 2, http_status: 204 },
        status: 'completed',
      },
      at(5),
    );
    const stored = await store.get(id);
    expect(stored).toMatchObject({
      status: 'completed',
      finished_at: at(5).toISOString(),
      result: answer,
      delivery: { status: 'delivered', attempts: 2 },
    });
    expect(stored?.delivery_attempts).toEqual([
      attempt(1, { http_status: 503 }),
      attempt(2, { http_status: 204 }),
    ]);
  });

  it('records a failed event on a failed request without moving its status', async () => {
    const store = makeStore();
    const record = await startedRecord(store);
    const id = record.tracking_id;
    await store.fail(id, { code: 'X', message: 'm', retryable: false }, at(2));
    await transitionError(
      store.recordDelivery(
        id,
        { delivery: { status: 'delivered', attempts: 1 }, status: 'completed' },
        at(3),
      ),
    );
    await store.recordDelivery(
      id,
      { delivery: { status: 'delivered', event: 'failed', attempts: 1 } },
      at(3),
    );
    expect(await store.get(id)).toMatchObject({
      status: 'failed',
      delivery: { status: 'delivered', event: 'failed' },
    });
  });
});

describe('MemoryRequestStatusStore', () => {
  it('forgets a record once its TTL has passed, as DynamoDB would', async () => {
    let now = T0.getTime();
    const store = new MemoryRequestStatusStore(() => now);
    const record = queuedRecord({ expires_at: Math.floor(T0.getTime() / 1000) + 60 });
    await store.create(record);
    expect(await store.get(record.tracking_id)).toBeDefined();
    now += 61_000;
    expect(await store.get(record.tracking_id)).toBeUndefined();
  });

  it('hands out copies: changing a returned record changes nothing stored', async () => {
    const store = new MemoryRequestStatusStore(() => T0.getTime());
    const record = queuedRecord();
    await store.create(record);
    const copy = await store.get(record.tracking_id);
    if (copy) copy.status = 'completed';
    record.status = 'failed';
    expect((await store.get(record.tracking_id))?.status).toBe('queued');
  });
});
