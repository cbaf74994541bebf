import { RetryableError } from '@revbot/core';
import { getWebhookStatus, postWebhook, proxyEvent } from '@revbot/testing/api-gateway-events';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { parseDestinationAllowlist } from '../../shared/outbound';
import {
  MAX_METADATA_BYTES,
  MAX_METADATA_DEPTH,
  MemoryRequestStatusStore,
  type RequestStatusStore,
  type WebhookJob,
  type WebhookJobQueue,
} from '../../shared/webhook-requests';
import { MAX_REQUEST_BYTES } from '../../webhook-gateway/parse-webhook-request';
import {
  createWebhookGatewayHandler,
  type WebhookGatewayDeps,
} from '../../webhook-gateway/webhook-gateway';
import { budgetTable } from '../support/budget-table';

const NOW = new Date('2026-11-23T10:00:00.000Z');
const ID = '6f1c2a9e-4b7d-4e2a-9c1f-0123456789ab';

/** The queue seam as a list of the jobs sent. */
function recordingQueue(): WebhookJobQueue & { jobs: WebhookJob[] } {
  const jobs: WebhookJob[] = [];
  return {
    jobs,
    async enqueue(job) {
      jobs.push(structuredClone(job));
      return { messageId: `m-${jobs.length}` };
    },
  };
}

function gateway(overrides: Partial<WebhookGatewayDeps> = {}) {
  const store = new MemoryRequestStatusStore(() => NOW.getTime());
  const queue = recordingQueue();
  let ids = 0;
  const handler = createWebhookGatewayHandler({
    store,
    queue,
    allowlist: parseDestinationAllowlist(
      'https://hooks.example.com/revbot/, http://127.0.0.1:4000/',
    ),
    now: () => NOW,
    newTrackingId: () =>
      ids++ === 0 ? ID : `6f1c2a9e-4b7d-4e2a-9c1f-${String(ids).padStart(12, '0')}`,
    ...overrides,
  });
  return { handler, store: (overrides.store ?? store) as RequestStatusStore, queue };
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted on field by field
type Json = any;
const body = (response: APIGatewayProxyResult) => JSON.parse(response.body) as Json;
const valid = {
  query: 'Which deals at Acme Corp close this quarter?',
  source_system: 'salesforce',
};

async function expectInvalid(
  payload: unknown,
  fields: string[],
  headers: Record<string, string> = {},
): Promise<Json> {
  const { handler, queue } = gateway();
  const response = await handler(postWebhook(payload, { headers }));
  expect(response.statusCode).toBe(400);
  const parsed = body(response);
  expect(parsed.success).toBe(false);
  expect(parsed.error.code).toBe('VALIDATION_ERROR');
  expect(parsed.error.details.map((d: { field: string }) => d.field)).toEqual(fields);
  expect(queue.jobs).toHaveLength(0);
  return parsed;
}

describe('POST /webhook', () => {
  it('answers 202 with a tracking id, a status URL and an estimate, and queues one job', async () => {
    const { handler, store, queue } = gateway();
    const response = await handler(
      postWebhook(valid, { domainName: 'abc123defg.execute-api.us-east-1.amazonaws.com' }),
    );
    expect(response.statusCode).toBe(202);
    const statusUrl = `https://abc123defg.execute-api.us-east-1.amazonaws.com/dev/webhook/${ID}`;
    expect(body(response)).toEqual({
      success: true,
      tracking_id: ID,
      message: 'Request accepted; the answer will be delivered to your webhook when ready',
      queued_at: NOW.toISOString(),
      status: 'queued',
      status_url: statusUrl,
      estimated_processing_time: '30-90 seconds',
    });
    expect(response.headers?.location).toBe(statusUrl);
    expect(queue.jobs).toEqual([
      {
        version: 1,
        tracking_id: ID,
        session_id: `webhook_${ID}`,
        queued_at: NOW.toISOString(),
        request: valid,
        caller: 'default',
      },
    ]);
    expect(await store.get(ID)).toMatchObject({
      status: 'queued',
      request: valid,
      session_id: `webhook_${ID}`,
      processing_attempts: 0,
      expires_at: NOW.getTime() / 1000 + 7 * 24 * 3600,
    });
  });

  it('keeps every optional field, uses the caller session for follow-ups and trims the query', async () => {
    const { handler, queue } = gateway();
    const full = {
      query: '  And their renewal date?  ',
      source_system: 'hubspot',
      source_process: 'deal-review',
      timestamp: '2026-11-23T09:59:58+01:00',
      callback_url: 'https://hooks.example.com/revbot/answers?token=abc',
      session_id: 'crm-thread-42',
      metadata: { deal_id: 'D-1', tags: ['renewal'] },
    };
    const response = await handler(postWebhook(full));
    expect(response.statusCode).toBe(202);
    expect(queue.jobs[0]?.session_id).toBe('crm-thread-42');
    expect(queue.jobs[0]?.request).toEqual({ ...full, query: 'And their renewal date?' });
  });

  it('builds the status URL from the Host header when not behind API Gateway (local stack)', async () => {
    const { handler } = gateway();
    const response = await handler(postWebhook(valid, { headers: { Host: '127.0.0.1:3000' } }));
    expect(body(response).status_url).toBe(`http://127.0.0.1:3000/webhook/${ID}`);
  });

  it('accepts JSON content types with parameters and base64-encoded bodies', async () => {
    const { handler } = gateway();
    const event = postWebhook(Buffer.from(JSON.stringify(valid)).toString('base64'), {
      headers: { 'content-type': 'application/json; charset=utf-8' },
    });
    event.isBase64Encoded = true;
    expect((await handler(event)).statusCode).toBe(202);
  });

  describe('refuses each invalid field by name', () => {
    it.each([
      [{ source_system: 'crm' }, 'query', 'is required'],
      [{ ...valid, query: '' }, 'query', 'must not be empty'],
      [{ ...valid, query: '   ' }, 'query', 'must not be empty'],
      [{ ...valid, query: 'x'.repeat(4_001) }, 'query', 'must be at most 4000 characters'],
      [{ ...valid, query: 42 }, 'query', 'must be a string'],
      [{ query: 'q' }, 'source_system', 'is required'],
      [{ ...valid, source_system: ['crm'] }, 'source_system', 'must be a string'],
      [
        { ...valid, source_system: 'x'.repeat(101) },
        'source_system',
        'must be at most 100 characters',
      ],
      [{ ...valid, source_process: 7 }, 'source_process', 'must be a string'],
      [
        { ...valid, timestamp: 'yesterday' },
        'timestamp',
        'must be an ISO 8601 date-time, e.g. 2026-11-23T10:00:00Z',
      ],
      [
        { ...valid, timestamp: 1763892000 },
        'timestamp',
        'must be an ISO 8601 date-time, e.g. 2026-11-23T10:00:00Z',
      ],
      [{ ...valid, callback_url: 'not a url' }, 'callback_url', 'must be an http(s) URL'],
      [
        { ...valid, callback_url: 'ftp://hooks.example.com/revbot/' },
        'callback_url',
        'must be an http(s) URL',
      ],
      [
        { ...valid, callback_url: 'https://evil.example.net/hook' },
        'callback_url',
        "is not in RevBot's webhook allowlist",
      ],
      [
        { ...valid, callback_url: 'https://hooks.example.com/other' },
        'callback_url',
        "is not in RevBot's webhook allowlist",
      ],
      [
        { ...valid, callback_url: 'http://hooks.example.com/revbot/' },
        'callback_url',
        'must use https',
      ],
      [
        { ...valid, callback_url: 'https://u:p@hooks.example.com/revbot/' },
        'callback_url',
        'must not contain credentials',
      ],
      [
        { ...valid, session_id: 'has spaces' },
        'session_id',
        'may contain only letters, digits and . _ : -',
      ],
      [{ ...valid, session_id: 'x'.repeat(101) }, 'session_id', 'must be 2 to 100 characters'],
      [{ ...valid, metadata: ['a'] }, 'metadata', 'must be a JSON object'],
      [{ ...valid, metadata: 'tag' }, 'metadata', 'must be a JSON object'],
      [{ ...valid, metadata: null }, 'metadata', 'must be a JSON object'],
    ])('%j → %s', async (payload, field, message) => {
      const parsed = await expectInvalid(payload, [field]);
      expect(parsed.error.details).toEqual([{ field, message }]);
      expect(parsed.error.message).toBe(`Invalid request: ${field} ${message}`);
    });
  });

  it('names every problem at once, unknown fields included', async () => {
    const parsed = await expectInvalid({ query: 5, priority: 'high', user: 'u1' }, [
      'query',
      'source_system',
      'priority',
      'user',
    ]);
    expect(parsed.error.details.slice(2)).toEqual([
      { field: 'priority', message: 'is not a known field' },
      { field: 'user', message: 'is not a known field' },
    ]);
  });

  it('reports a disallowed callback_url alongside the other invalid fields', async () => {
    await expectInvalid(
      { query: '', source_system: 'crm', callback_url: 'https://evil.example.net/' },
      ['query', 'callback_url'],
    );
  });

  it.each([
    ['an array', '[1,2]'],
    ['a string', '"ask"'],
    ['a number', '42'],
    ['null', 'null'],
  ])('refuses a body that is %s as not an object', async (_label, raw) => {
    const { handler } = gateway();
    const response = await handler(postWebhook(raw));
    expect(response.statusCode).toBe(400);
    expect(body(response).error.details).toEqual([
      { field: '(body)', message: 'must be a JSON object' },
    ]);
  });

  /** `{"metadata": {"a": {"a": … 1 …}}}` with `levels` nested objects, as raw JSON text. */
  const nestedMetadata = (levels: number) =>
    `{"query":"q","source_system":"crm","metadata":${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}}`;

  it('refuses metadata nested 5,000 levels deep with 400 naming the path, and queues nothing', async () => {
    const { handler, queue } = gateway();
    const response = await handler(postWebhook(nestedMetadata(5_000)));
    expect(response.statusCode).toBe(400);
    const field = `metadata${'.a'.repeat(MAX_METADATA_DEPTH)}`;
    expect(body(response).error.details).toEqual([
      {
        field,
        message:
          'is nested more than 10 levels deep (metadata may nest at most 10 objects or arrays)',
      },
    ]);
    expect(queue.jobs).toHaveLength(0);
  });

  it('accepts metadata nested exactly 10 levels deep, arrays counting as levels', async () => {
    const { handler } = gateway();
    expect((await handler(postWebhook(nestedMetadata(10)))).statusCode).toBe(202);
    const tooDeep = await handler(postWebhook(nestedMetadata(11)));
    expect(tooDeep.statusCode).toBe(400);
    expect(body(tooDeep).error.details[0].field).toBe('metadata.a.a.a.a.a.a.a.a.a.a');
    const arrays = { ...valid, metadata: { list: [[[[[[[[[[1]]]]]]]]]] } };
    const refused = await handler(postWebhook(arrays));
    expect(body(refused).error.details[0].field).toBe('metadata.list.0.0.0.0.0.0.0.0.0');
  });

  it('refuses metadata larger than 16 KB with 400 even when the body fits', async () => {
    const { handler, queue } = gateway();
    const payload = { ...valid, metadata: { notes: 'x'.repeat(MAX_METADATA_BYTES) } };
    const response = await handler(postWebhook(payload));
    expect(response.statusCode).toBe(400);
    expect(body(response).error.details).toEqual([
      {
        field: 'metadata',
        message: `is ${MAX_METADATA_BYTES + '{"notes":""}'.length} bytes as JSON; the limit is 16384`,
      },
    ]);
    expect(queue.jobs).toHaveLength(0);
  });

  it('refuses a missing body and malformed JSON with 400', async () => {
    const { handler } = gateway();
    const empty = await handler(postWebhook(''));
    expect(empty.statusCode).toBe(400);
    expect(body(empty).error.code).toBe('INVALID_BODY');
    const broken = await handler(postWebhook('{"query": "q",'));
    expect(broken.statusCode).toBe(400);
    expect(body(broken)).toEqual({
      success: false,
      error: { code: 'INVALID_JSON', message: 'The request body is not valid JSON' },
    });
  });

  it('refuses an oversized body with 413', async () => {
    const { handler, queue } = gateway();
    const payload = { ...valid, metadata: { blob: 'x'.repeat(MAX_REQUEST_BYTES) } };
    const response = await handler(postWebhook(payload));
    expect(response.statusCode).toBe(413);
    expect(body(response).error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      details: { max_bytes: MAX_REQUEST_BYTES },
    });
    expect(queue.jobs).toHaveLength(0);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form data', 'application/x-www-form-urlencoded'],
  ])('refuses %s with 415', async (_label, contentType) => {
    const { handler } = gateway();
    const response = await handler(
      postWebhook(valid, { headers: { 'Content-Type': contentType } }),
    );
    expect(response.statusCode).toBe(415);
    expect(body(response).error).toEqual({
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: 'The request body must be JSON, sent with Content-Type: application/json',
      details: { content_type: contentType },
    });
  });

  it('refuses a body with no content type with 415', async () => {
    const { handler } = gateway();
    const event = postWebhook(valid);
    event.headers = {};
    expect((await handler(event)).statusCode).toBe(415);
  });

  it('answers 503 with a reference id when the queue is down, and marks the request failed', async () => {
    const store = new MemoryRequestStatusStore(() => NOW.getTime());
    const { handler } = gateway({
      store,
      queue: {
        async enqueue() {
          throw new RetryableError('The request could not be queued', 'QUEUE_UNAVAILABLE');
        },
      },
    });
    const event = postWebhook(valid);
    const response = await handler(event);
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('5');
    expect(body(response)).toEqual({
      success: false,
      error: {
        code: 'QUEUE_UNAVAILABLE',
        message: 'The request could not be processed. Try again later.',
        details: { reference_id: event.requestContext.requestId },
      },
    });
    expect((await store.get(ID))?.status).toBe('failed');
  });

  it('answers 500 without internals when something unexpected breaks', async () => {
    const broken: RequestStatusStore = {
      ...new MemoryRequestStatusStore(),
      create: async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      },
    } as unknown as RequestStatusStore;
    const { handler } = gateway({ store: broken });
    const response = await handler(postWebhook(valid));
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('Cannot read');
    expect(body(response).error.code).toBe('INTERNAL_ERROR');
  });
});

describe('API key check (local stack)', () => {
  const keyed = () => gateway({ apiKeys: ['key-one', 'key-two'] });

  it('accepts any configured key, whatever the header case', async () => {
    const { handler } = keyed();
    expect(
      (await handler(postWebhook(valid, { headers: { 'X-Api-Key': 'key-two' } }))).statusCode,
    ).toBe(202);
  });

  it('refuses a missing or wrong key with 401 before reading the body', async () => {
    const { handler, queue } = keyed();
    const missing = await handler(postWebhook('{not json'));
    expect(missing.statusCode).toBe(401);
    expect(body(missing).error.code).toBe('MISSING_API_KEY');
    const wrong = await handler(postWebhook(valid, { headers: { 'x-api-key': 'key-three' } }));
    expect(wrong.statusCode).toBe(401);
    expect(body(wrong).error).toEqual({ code: 'INVALID_API_KEY', message: 'Invalid API key' });
    const status = await handler(getWebhookStatus(ID));
    expect(status.statusCode).toBe(401);
    expect(queue.jobs).toHaveLength(0);
  });

  it('checks nothing when no keys are configured (API Gateway enforces them in AWS)', async () => {
    const { handler } = gateway({ apiKeys: [] });
    expect((await handler(postWebhook(valid))).statusCode).toBe(202);
  });
});

describe('GET /webhook/{trackingId}', () => {
  it('returns the queued status with its timestamps', async () => {
    const { handler } = gateway();
    await handler(postWebhook({ ...valid, metadata: { deal_id: 'D-1' } }));
    const response = await handler(getWebhookStatus(ID));
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['cache-control']).toBe('no-store');
    expect(body(response)).toEqual({
      success: true,
      tracking_id: ID,
      status: 'queued',
      source_system: 'salesforce',
      source_process: null,
      original_query: valid.query,
      session_id: `webhook_${ID}`,
      queued_at: NOW.toISOString(),
      started_at: null,
      finished_at: null,
      updated_at: NOW.toISOString(),
      response: null,
      response_plain: null,
      answered_at: null,
      response_truncated: false,
      error: null,
      delivery: null,
      metadata: { deal_id: 'D-1' },
    });
  });

  it('returns the answer once completed, and after a failed delivery too', async () => {
    const { handler, store } = gateway();
    await handler(postWebhook(valid));
    await store.startProcessing(ID, new Date(NOW.getTime() + 1_000));
    await store.saveResult(
      ID,
      {
        response: '## Acme\n**3** deals',
        response_plain: 'Acme\n3 deals',
        session_id: `webhook_${ID}`,
        answered_at: '2026-11-23T10:00:30.000Z',
      },
      new Date(NOW.getTime() + 30_000),
    );
    await store.failDelivery(
      ID,
      {
        status: 'failed',
        destination: 'https://hooks.example.com',
        attempts: 5,
        http_status: 503,
        error: { code: 'DELIVERY_FAILED', message: 'failed after 5 attempts (last: HTTP 503)' },
      },
      new Date(NOW.getTime() + 90_000),
    );
    const view = body(await handler(getWebhookStatus(ID)));
    expect(view).toMatchObject({
      status: 'delivery_failed',
      response: '## Acme\n**3** deals',
      response_plain: 'Acme\n3 deals',
      answered_at: '2026-11-23T10:00:30.000Z',
      started_at: '2026-11-23T10:00:01.000Z',
      finished_at: '2026-11-23T10:01:30.000Z',
      delivery: {
        status: 'failed',
        destination: 'https://hooks.example.com',
        attempts: 5,
        http_status: 503,
        delivered_at: null,
        error: { code: 'DELIVERY_FAILED', message: 'failed after 5 attempts (last: HTTP 503)' },
      },
    });
  });

  it('shows every delivery attempt, and the next one while retrying', async () => {
    const { handler, store } = gateway();
    await handler(postWebhook(valid));
    await store.startProcessing(ID, NOW);
    await store.saveResult(
      ID,
      {
        response: 'r',
        response_plain: 'r',
        session_id: `webhook_${ID}`,
        answered_at: NOW.toISOString(),
      },
      NOW,
    );
    await store.startDelivery(ID, { status: 'pending', event: 'answer', attempts: 0 }, NOW);
    await store.recordDelivery(
      ID,
      {
        attempt: {
          attempt: 1,
          event: 'answer',
          at: '2026-11-23T10:00:02.000Z',
          duration_ms: 15_000,
          error: 'no answer within 15000 ms',
        },
        delivery: {
          status: 'retrying',
          event: 'answer',
          attempts: 1,
          next_attempt_at: '2026-11-23T10:00:22.000Z',
          error: { code: 'DELIVERY_FAILED', message: 'no answer' },
        },
      },
      NOW,
    );
    const view = body(await handler(getWebhookStatus(ID)));
    expect(view).toMatchObject({
      status: 'delivering',
      response: 'r',
      delivery: {
        status: 'retrying',
        attempts: 1,
        next_attempt_at: '2026-11-23T10:00:22.000Z',
        history: [
          {
            attempt: 1,
            event: 'answer',
            at: '2026-11-23T10:00:02.000Z',
            http_status: null,
            error: 'no answer within 15000 ms',
            duration_ms: 15_000,
            redelivery_id: null,
          },
        ],
      },
    });
  });

  it('answers 404 for an unknown id', async () => {
    const { handler } = gateway();
    const response = await handler(getWebhookStatus('0d3c2b1a-0000-4000-8000-000000000000'));
    expect(response.statusCode).toBe(404);
    expect(body(response)).toEqual({
      success: false,
      error: {
        code: 'NOT_FOUND',
        message: 'No webhook request with tracking id 0d3c2b1a-0000-4000-8000-000000000000',
      },
    });
  });

  it('answers 404 for a malformed id without looking it up', async () => {
    let lookups = 0;
    const store = new MemoryRequestStatusStore();
    const counting = Object.assign(Object.create(store), {
      get: async (id: string) => {
        lookups += 1;
        return store.get(id);
      },
    }) as RequestStatusStore;
    const { handler } = gateway({ store: counting });
    expect((await handler(getWebhookStatus('x'.repeat(2_000)))).statusCode).toBe(404);
    expect(lookups).toBe(0);
  });

  it('answers 404 once the record has expired, even before DynamoDB removes it', async () => {
    let now = NOW;
    const store = new MemoryRequestStatusStore(() => 0);
    const { handler } = gateway({ store, now: () => now, statusTtlSeconds: 60 });
    await handler(postWebhook(valid));
    expect((await handler(getWebhookStatus(ID))).statusCode).toBe(200);
    now = new Date(NOW.getTime() + 61_000);
    expect((await handler(getWebhookStatus(ID))).statusCode).toBe(404);
  });

  it('answers 404 for a route it does not serve', async () => {
    const { handler } = gateway();
    const response = await handler(
      proxyEvent({ method: 'DELETE', resource: '/webhook', path: '/webhook' }),
    );
    expect(response.statusCode).toBe(404);
  });
});

describe('daily budget per API key', () => {
  const table = budgetTable();

  it('answers 429 with Retry-After until midnight in the configured zone, and queues nothing', async () => {
    // 10:00Z is 11:00 in Paris (CET): 13 hours to local midnight.
    const budgets = table.budgets(
      { timeZone: 'Europe/Paris', webhookKey: { tokens: 5_000 }, reservation: { tokens: 2_000 } },
      () => NOW,
    );
    const { handler, queue } = gateway({ apiKeys: ['key-one'], budgets });
    const post = () => handler(postWebhook(valid, { headers: { 'x-api-key': 'key-one' } }));

    expect((await post()).statusCode).toBe(202);
    expect(queue.jobs[0]?.budget_holds).toEqual([
      {
        key: 'budget#webhookKey#default#2026-11-23',
        unit: 'tokens',
        reserved: 2_000,
      },
    ]);
    expect(JSON.stringify(queue.jobs[0])).not.toContain('key-one');
    // Two more reservations while the first is still running: 2,000 and 4,000 are below 5,000.
    expect((await post()).statusCode).toBe(202);
    expect((await post()).statusCode).toBe(202);
    const refused = await post();
    expect(refused.statusCode).toBe(429);
    expect(refused.headers?.['retry-after']).toBe(String(13 * 3600));
    expect(body(refused).error).toMatchObject({
      code: 'BUDGET_EXCEEDED',
      details: { day: '2026-11-23', resets_at: '2026-11-23T23:00:00.000Z' },
    });
    expect(queue.jobs).toHaveLength(3);
  });

  it('gives the reservation back when the request cannot be queued', async () => {
    const budgets = table.budgets(
      { webhookKey: { tokens: 5_000 }, reservation: { tokens: 2_000 } },
      () => NOW,
    );
    const { handler } = gateway({
      budgets,
      queue: {
        async enqueue() {
          throw new RetryableError('The request could not be queued', 'QUEUE_UNAVAILABLE');
        },
      },
    });
    // A caller of its own (API Gateway's key id), whose day the tests above did not touch.
    const event = postWebhook(valid);
    event.requestContext.identity.apiKeyId = 'queue-down-caller';
    expect((await handler(event)).statusCode).toBe(503);
    expect(await table.committed('budget#webhookKey#queue-down-caller#2026-11-23')).toBe('0');
  });
});
