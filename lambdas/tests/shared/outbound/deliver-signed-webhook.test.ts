import { staticSecretReader } from '@revbot/core';
import { selfSignedCertificateFor } from '@revbot/testing/test-certificate';
import { startWebhookReceiver, type WebhookReceiver } from '@revbot/testing/webhook-receiver';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type AttemptReport,
  type Clock,
  type DestinationAllowlist,
  DestinationNotAllowedError,
  deliverSignedWebhook,
  parseDestinationAllowlist,
  type Resolver,
  signingSecretSource,
  toSigningKey,
  WebhookDeliveryError,
  type WebhookSigner,
} from '../../../shared/outbound';
import { rejectionOf } from '../../support/rejection-of';

// 24 random bytes in base64: what the Secrets Manager secret holds (no whsec_ prefix).
const RAW_SECRET = 'c2VjcmV0LWtleS1mb3ItcmV2Ym90LXRlc3Rz';
const SECRET = `whsec_${RAW_SECRET}`;

/** A clock whose sleeps return at once and move time forward by what was asked. */
function fakeClock(start = Date.now()): Clock & { sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    async sleep(ms) {
      sleeps.push(ms);
      now += ms;
    },
  };
}

const failure = (promise: Promise<unknown>) => rejectionOf(promise, Error);

let receiver: WebhookReceiver;
let allowlist: DestinationAllowlist;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  allowlist = parseDestinationAllowlist(`http://127.0.0.1:${receiver.port}/`);
});
afterEach(() => {
  receiver.requests.length = 0;
  receiver.script();
});
afterAll(() => receiver.close());

describe('deliverSignedWebhook signing', () => {
  it('sends a body the standardwebhooks library verifies with the same key', async () => {
    const payload = { tracking_id: 't-1', ai_response: { response: '**Pipeline** is $1.2M' } };
    const receipt = await deliverSignedWebhook(
      { url: `${receiver.url}/hooks/revbot?source=crm`, payload, webhookId: 'msg_t-1' },
      { allowlist, signingSecret: SECRET },
    );
    expect(receipt).toMatchObject({ webhookId: 'msg_t-1', status: 204, attempts: 1 });
    const [request] = receiver.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/hooks/revbot?source=crm');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers['webhook-id']).toBe('msg_t-1');
    expect(request?.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+={0,2}$/);
    expect(new Webhook(SECRET).verify(request?.body ?? '', request?.headers ?? {})).toEqual(
      payload,
    );
  });

  it('signs with the bare base64 key from Secrets Manager exactly as with whsec_', async () => {
    await deliverSignedWebhook(
      { url: receiver.url, payload: { n: 1 } },
      { allowlist, signingSecret: RAW_SECRET },
    );
    const [request] = receiver.requests;
    expect(new Webhook(SECRET).verify(request?.body ?? '', request?.headers ?? {})).toEqual({
      n: 1,
    });
  });

  it('produces a signature that fails verification with another key or a changed body', async () => {
    await deliverSignedWebhook(
      { url: receiver.url, payload: { n: 2 } },
      { allowlist, signingSecret: SECRET },
    );
    const [request] = receiver.requests;
    const otherKey = `whsec_${Buffer.from('another-key-of-24-bytes!').toString('base64')}`;
    expect(() => new Webhook(otherKey).verify(request?.body ?? '', request?.headers ?? {})).toThrow(
      'No matching signature found',
    );
    expect(() => new Webhook(SECRET).verify('{"n":3}', request?.headers ?? {})).toThrow(
      'No matching signature found',
    );
  });

  it('keeps the webhook-id across retries and signs each attempt at its own time', async () => {
    receiver.script({ status: 503 });
    const clock = fakeClock(Date.now() - 60_000);
    await deliverSignedWebhook(
      { url: receiver.url, payload: { n: 4 }, webhookId: 'msg_stable' },
      {
        allowlist,
        signingSecret: SECRET,
        clock,
        random: () => 1,
        retry: { baseDelayMs: 40_000, maxDelayMs: 40_000 },
      },
    );
    const [first, second] = receiver.requests;
    expect(first?.headers['webhook-id']).toBe('msg_stable');
    expect(second?.headers['webhook-id']).toBe('msg_stable');
    expect(
      Number(second?.headers['webhook-timestamp']) - Number(first?.headers['webhook-timestamp']),
    ).toBe(40);
    expect(new Webhook(SECRET).verify(second?.body ?? '', second?.headers ?? {})).toEqual({ n: 4 });
  });

  it('lets callers add headers but not replace the signature or the host', async () => {
    await deliverSignedWebhook(
      {
        url: receiver.url,
        payload: {},
        webhookId: 'msg_h',
        headers: { 'X-Source': 'revbot', 'Webhook-Id': 'forged', Host: 'evil.example.com' },
      },
      { allowlist, signingSecret: SECRET },
    );
    const [request] = receiver.requests;
    expect(request?.headers['x-source']).toBe('revbot');
    expect(request?.headers['webhook-id']).toBe('msg_h');
    expect(request?.headers.host).toBe(`127.0.0.1:${receiver.port}`);
  });

  it('refuses a key that is not 24 to 64 bytes of base64, without echoing it', async () => {
    expect(() => toSigningKey('whsec_short')).toThrow(
      'Invalid configuration: webhook signing secret must be whsec_ followed by the base64 of 24 to 64 random bytes',
    );
    expect(() => toSigningKey('not base64 at all!!!!!!!!!!!!!!!!!!!!')).toThrow(
      /base64 of 24 to 64/,
    );
  });
});

describe('signingSecretSource', () => {
  const verifyWith = async (source: () => Promise<WebhookSigner>) => {
    const headers = (await source()).sign('msg_1', new Date(), '{"a":1}');
    return new Webhook(SECRET).verify('{"a":1}', { ...headers });
  };

  it('signs with WEBHOOK_SIGNING_SECRET when it is set (the local stack)', async () => {
    await expect(
      verifyWith(signingSecretSource({ WEBHOOK_SIGNING_SECRET: SECRET })),
    ).resolves.toEqual({
      a: 1,
    });
  });

  it('reads the key from the secret named by WEBHOOK_SIGNING_SECRET_ARN (AWS)', async () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:revops/dev/webhook-signing';
    const source = signingSecretSource(
      { WEBHOOK_SIGNING_SECRET_ARN: arn },
      staticSecretReader({ [arn]: RAW_SECRET }),
    );
    await expect(verifyWith(source)).resolves.toEqual({ a: 1 });
  });

  it('stops with one line when neither is configured', () => {
    expect(() => signingSecretSource({})).toThrow(
      'Invalid configuration: WEBHOOK_SIGNING_SECRET or WEBHOOK_SIGNING_SECRET_ARN: one is required to sign webhooks',
    );
  });
});

describe('deliverSignedWebhook retries', () => {
  it('retries 5xx with growing, jittered backoff until the receiver accepts', async () => {
    receiver.script({ status: 500 }, { status: 502 }, { status: 503 }, { status: 200 });
    const clock = fakeClock();
    const reports: AttemptReport[] = [];
    const receipt = await deliverSignedWebhook(
      { url: receiver.url, payload: { n: 5 } },
      {
        allowlist,
        signingSecret: SECRET,
        clock,
        random: () => 1,
        retry: { baseDelayMs: 100, maxDelayMs: 10_000 },
        onAttempt: (report) => reports.push(report),
      },
    );
    expect(receipt).toMatchObject({ status: 200, attempts: 4 });
    expect(receiver.requests).toHaveLength(4);
    expect(clock.sleeps).toEqual([100, 200, 400]);
    expect(reports.map((r) => r.status)).toEqual([500, 502, 503, 200]);
    expect(reports.map((r) => r.retryInMs)).toEqual([100, 200, 400, undefined]);
  });

  it('spreads each backoff over the upper half of its exponential delay', async () => {
    receiver.script({ status: 500 }, { status: 500 });
    const low = fakeClock();
    await deliverSignedWebhook(
      { url: receiver.url, payload: {} },
      {
        allowlist,
        signingSecret: SECRET,
        clock: low,
        random: () => 0,
        retry: { baseDelayMs: 1_000 },
      },
    );
    expect(low.sleeps).toEqual([500, 1_000]);
  });

  it('caps the backoff at maxDelayMs', async () => {
    receiver.script({ status: 500 }, { status: 500 }, { status: 500 });
    const clock = fakeClock();
    await deliverSignedWebhook(
      { url: receiver.url, payload: {} },
      {
        allowlist,
        signingSecret: SECRET,
        clock,
        random: () => 1,
        retry: { baseDelayMs: 1_000, maxDelayMs: 1_500 },
      },
    );
    expect(clock.sleeps).toEqual([1_000, 1_500, 1_500]);
  });

  it('waits as long as a 429 Retry-After asks, in seconds or as an HTTP date', async () => {
    const clock = fakeClock(Date.parse('2026-11-23T10:00:00Z'));
    receiver.script(
      { status: 429, headers: { 'retry-after': '3' } },
      { status: 429, headers: { 'retry-after': 'Mon, 23 Nov 2026 10:00:10 GMT' } },
      { status: 202 },
    );
    const receipt = await deliverSignedWebhook(
      { url: receiver.url, payload: {} },
      { allowlist, signingSecret: SECRET, clock, random: () => 0.5 },
    );
    expect(receipt.attempts).toBe(3);
    expect(clock.sleeps).toEqual([3_000, 7_000]);
  });

  it('gives up at once when Retry-After asks for more than the time budget', async () => {
    receiver.script({ status: 429, headers: { 'retry-after': '3600' } });
    const clock = fakeClock();
    const error = await failure(
      deliverSignedWebhook(
        { url: receiver.url, payload: {} },
        { allowlist, signingSecret: SECRET, clock, retry: { maxTotalMs: 60_000 } },
      ),
    );
    expect(error).toBeInstanceOf(WebhookDeliveryError);
    expect(error).toMatchObject({
      code: 'DELIVERY_FAILED',
      attempts: 1,
      lastStatus: 429,
      retryable: true,
    });
    expect(error.message).toContain('asking to retry after 3600 s');
    expect(clock.sleeps).toEqual([]);
  });

  it('does not retry a 400: the receiver refused the request itself', async () => {
    receiver.script({ status: 400, body: '{"error":"bad"}' });
    const error = await failure(
      deliverSignedWebhook(
        { url: receiver.url, payload: {} },
        { allowlist, signingSecret: SECRET, clock: fakeClock() },
      ),
    );
    expect(error).toMatchObject({
      code: 'DELIVERY_REJECTED',
      attempts: 1,
      lastStatus: 400,
      retryable: false,
    });
    expect(error.message).toBe(
      `http://127.0.0.1:${receiver.port} refused the delivery with HTTP 400`,
    );
    expect(receiver.requests).toHaveLength(1);
  });

  it('stops after maxAttempts and says what went wrong last', async () => {
    receiver.script({ status: 500 }, { status: 500 }, { status: 503 });
    const clock = fakeClock();
    const error = await failure(
      deliverSignedWebhook(
        { url: receiver.url, payload: {} },
        { allowlist, signingSecret: SECRET, clock, retry: { maxAttempts: 3 } },
      ),
    );
    expect(error).toMatchObject({ code: 'DELIVERY_FAILED', attempts: 3, lastStatus: 503 });
    expect(error.message).toBe(
      `Delivery to http://127.0.0.1:${receiver.port} failed after 3 attempts (last: HTTP 503)`,
    );
    expect(receiver.requests).toHaveLength(3);
    expect(clock.sleeps).toHaveLength(2);
  });

  it('stops when the total time budget is spent, waits included', async () => {
    receiver.script(...Array.from({ length: 20 }, () => ({ status: 500 })));
    const clock = fakeClock();
    const error = await failure(
      deliverSignedWebhook(
        { url: receiver.url, payload: {} },
        {
          allowlist,
          signingSecret: SECRET,
          clock,
          random: () => 1,
          retry: { maxAttempts: 50, baseDelayMs: 1_000, maxDelayMs: 8_000, maxTotalMs: 20_000 },
        },
      ),
    );
    // 1 + 2 + 4 + 8 s waited; a further 8 s would pass the 20 s budget.
    expect(clock.sleeps).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(error).toMatchObject({ code: 'DELIVERY_FAILED', attempts: 5, lastStatus: 500 });
    expect(receiver.requests).toHaveLength(5);
  });

  it('retries network errors: a receiver that is not listening', async () => {
    const closed = await startWebhookReceiver();
    const port = closed.port;
    await closed.close();
    const clock = fakeClock();
    const error = await failure(
      deliverSignedWebhook(
        { url: `http://127.0.0.1:${port}/`, payload: {} },
        {
          allowlist: parseDestinationAllowlist(`http://127.0.0.1:${port}`),
          signingSecret: SECRET,
          clock,
          retry: { maxAttempts: 3 },
        },
      ),
    );
    expect(error).toMatchObject({ code: 'DELIVERY_FAILED', attempts: 3, lastStatus: undefined });
    expect(error.message).toContain('(last: connection refused)');
    expect(clock.sleeps).toHaveLength(2);
  });

  it('abandons an attempt that gets no answer within the timeout, then retries', async () => {
    receiver.script({ status: 0, hang: true }, { status: 200 });
    const receipt = await deliverSignedWebhook(
      { url: receiver.url, payload: {} },
      { allowlist, signingSecret: SECRET, clock: fakeClock(), retry: { timeoutMs: 150 } },
    );
    expect(receipt.attempts).toBe(2);
    expect(receiver.requests).toHaveLength(2);
  });
});

describe('deliverSignedWebhook SSRF guard', () => {
  it('never follows a redirect', async () => {
    receiver.script({ status: 302, headers: { location: `${receiver.url}/elsewhere` } });
    const error = await failure(
      deliverSignedWebhook(
        { url: `${receiver.url}/in`, payload: {} },
        { allowlist, signingSecret: SECRET },
      ),
    );
    expect(error).toMatchObject({
      code: 'REDIRECT_REFUSED',
      attempts: 1,
      lastStatus: 302,
      retryable: false,
    });
    expect(receiver.requests.map((r) => r.path)).toEqual(['/in']);
  });

  it('sends nothing to a destination outside the allowlist', async () => {
    const error = await failure(
      deliverSignedWebhook(
        { url: receiver.url, payload: {} },
        {
          allowlist: parseDestinationAllowlist('https://hooks.example.com'),
          signingSecret: SECRET,
        },
      ),
    );
    expect(error).toBeInstanceOf(DestinationNotAllowedError);
    expect(receiver.requests).toHaveLength(0);
  });

  it('sends nothing to an allowlisted name that resolves to a private address', async () => {
    const resolve: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    const error = await failure(
      deliverSignedWebhook(
        { url: `http://hooks.example.test:${receiver.port}/`, payload: {} },
        {
          allowlist: parseDestinationAllowlist(`http://hooks.example.test:${receiver.port}`),
          signingSecret: SECRET,
          resolve,
        },
      ),
    );
    expect(error).toMatchObject({ code: 'DESTINATION_NOT_ALLOWED', retryable: false });
    expect(receiver.requests).toHaveLength(0);
  });

  /** A delivery to a name real DNS does not know, allowlisted with the loopback range it resolves to. */
  const deliverViaName = (
    resolve: Resolver,
    { path = '/', payload = {}, clock }: { path?: string; payload?: unknown; clock?: Clock } = {},
  ) =>
    deliverSignedWebhook(
      { url: `http://hooks.example.test:${receiver.port}${path}`, payload },
      {
        allowlist: parseDestinationAllowlist(
          `http://hooks.example.test:${receiver.port}, 127.0.0.1/32`,
        ),
        signingSecret: SECRET,
        resolve,
        ...(clock ? { clock } : {}),
      },
    );

  it('connects to the address it checked, not to a second DNS answer', async () => {
    // The name does not exist in real DNS: the request can only arrive if the checked address
    // is the one connected to. The Host header still names the URL's host.
    const resolve: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
    await deliverViaName(resolve, { path: '/in', payload: { n: 6 } });
    expect(receiver.requests[0]?.headers.host).toBe(`hooks.example.test:${receiver.port}`);
  });

  it('re-checks the name on every attempt, so a rebinding between attempts is refused', async () => {
    receiver.script({ status: 503 });
    const answers = ['127.0.0.1', '10.0.0.9'];
    const resolve: Resolver = async () => [{ address: answers.shift() ?? '10.0.0.9', family: 4 }];
    const error = await failure(deliverViaName(resolve, { clock: fakeClock() }));
    expect(error).toMatchObject({ code: 'DESTINATION_NOT_ALLOWED' });
    expect(receiver.requests).toHaveLength(1);
  });

  it('counts a failed DNS lookup as a network error and retries it', async () => {
    let calls = 0;
    const resolve: Resolver = async () => {
      calls += 1;
      if (calls === 1)
        throw Object.assign(new Error('getaddrinfo EAI_AGAIN'), { code: 'EAI_AGAIN' });
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const receipt = await deliverViaName(resolve, { clock: fakeClock() });
    expect(receipt.attempts).toBe(2);
  });
});

describe('deliverSignedWebhook over https', () => {
  const host = 'hooks.example.test';
  let tlsReceiver: WebhookReceiver;
  let certificate: { key: string; cert: string };
  const resolve: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];

  beforeAll(async () => {
    certificate = selfSignedCertificateFor(host);
    tlsReceiver = await startWebhookReceiver({ tls: certificate });
  });
  afterAll(() => tlsReceiver.close());

  it('sends SNI for the URL host and verifies the certificate against it while connecting to the checked address', async () => {
    const receipt = await deliverSignedWebhook(
      { url: `https://${host}:${tlsReceiver.port}/in`, payload: { secure: true } },
      {
        allowlist: parseDestinationAllowlist(`https://${host}:${tlsReceiver.port}, 127.0.0.1/32`),
        signingSecret: SECRET,
        resolve,
        ca: certificate.cert,
      },
    );
    expect(receipt.status).toBe(204);
    const [request] = tlsReceiver.requests;
    expect(request?.servername).toBe(host);
    expect(new Webhook(SECRET).verify(request?.body ?? '', request?.headers ?? {})).toEqual({
      secure: true,
    });
  });

  it('refuses a certificate that does not name the host, even at the checked address', async () => {
    const other = `other.${host}`;
    const error = await failure(
      deliverSignedWebhook(
        { url: `https://${other}:${tlsReceiver.port}/in`, payload: {} },
        {
          allowlist: parseDestinationAllowlist(
            `https://${other}:${tlsReceiver.port}, 127.0.0.1/32`,
          ),
          signingSecret: SECRET,
          resolve,
          ca: certificate.cert,
          clock: fakeClock(),
          retry: { maxAttempts: 2 },
        },
      ),
    );
    expect(error).toMatchObject({ code: 'DELIVERY_FAILED', attempts: 2 });
    expect(error.message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID/);
  });
});
