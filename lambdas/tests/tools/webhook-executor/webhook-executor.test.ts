import { randomBytes } from 'node:crypto';
import {
  type ActionGroupTool,
  buildFunctionEvent,
  readActionGroupResponse,
} from '@revbot/agents/action-group';
import { silentLogger } from '@revbot/core';
import {
  type ReceivedRequest,
  startWebhookReceiver,
  type WebhookReceiver,
} from '@revbot/testing/webhook-receiver';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookSigner, parseDestinationAllowlist } from '../../../shared/outbound';
import { createWebhookExecutorTool } from '../../../tools/webhook-executor/webhook-executor';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const agent = { name: 'execution_agent', id: 'EXECAGENT1', alias: 'LIVE000001', version: '1' };
const fastRetry = { baseDelayMs: 5, maxDelayMs: 20, maxTotalMs: 5_000, timeoutMs: 2_000 };

let receiver: WebhookReceiver;
let base: string;
let received: ReceivedRequest[];

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  received = receiver.requests;
  base = receiver.url;
});
afterAll(() => receiver.close());
beforeEach(() => {
  received.length = 0;
  receiver.script();
});

const toolWith = (
  options: {
    notificationUrl?: string;
    allow?: string;
    resolve?: Parameters<typeof createWebhookExecutorTool>[0]['resolve'];
  } = {},
) => {
  const signer = createWebhookSigner(secret);
  return createWebhookExecutorTool({
    allowlist: parseDestinationAllowlist(options.allow ?? `${base}/hooks/`),
    notificationUrl: options.notificationUrl,
    signer: async () => signer,
    retry: fastRetry,
    resolve: options.resolve,
    now: () => new Date('2026-11-23T12:00:00Z'),
    logger: silentLogger,
  });
};
const hookEvent = (fn: string, parameters: Record<string, string>) =>
  buildFunctionEvent({
    tool: 'webhook_executor',
    function: fn,
    parameters,
    agent,
    sessionId: 'sess-hook',
  });
const call = (tool: ActionGroupTool, fn: string, parameters: Record<string, string>) =>
  tool.handle(hookEvent(fn, parameters)).then(readActionGroupResponse);

describe('webhook_executor', () => {
  it('sends a notification signed per Standard Webhooks and reports the receiver status', async () => {
    const tool = toolWith({ notificationUrl: `${base}/hooks/notify` });
    const { body, responseState } = await call(tool, 'send_notification', {
      message: 'IXIS deal at risk: paper process unknown.',
      severity: 'warning',
      recipient: '#deal-desk',
    });
    expect(responseState).toBeUndefined();
    const result = JSON.parse(body);
    expect(result).toMatchObject({
      delivered: true,
      receiver_status: 204,
      attempts: 1,
      destination: base,
    });
    expect(received).toHaveLength(1);
    const delivery = received[0] as ReceivedRequest;
    expect(delivery.path).toBe('/hooks/notify');
    // The receiver can verify exactly what arrived with the standardwebhooks library.
    const verified = new Webhook(secret).verify(delivery.body, delivery.headers) as Record<
      string,
      unknown
    >;
    expect(verified).toEqual({
      type: 'revbot.notification',
      timestamp: '2026-11-23T12:00:00.000Z',
      data: {
        message: 'IXIS deal at risk: paper process unknown.',
        severity: 'warning',
        recipient: '#deal-desk',
      },
      source: { system: 'revbot', session_id: 'sess-hook', agent: 'execution_agent' },
    });
    expect(result.sent).toEqual(verified);
    expect(result.webhook_id).toBe(delivery.headers['webhook-id']);
  });

  it('triggers an allowlisted webhook, retrying a 503 until it is accepted', async () => {
    receiver.script({ status: 503 }, { status: 200 });
    const result = JSON.parse(
      (
        await call(toolWith(), 'trigger_webhook', {
          url: `${base}/hooks/crm`,
          payload: '{"deal":"IXIS","stage":"Negotiate"}',
          event_type: 'deal.updated',
        })
      ).body,
    );
    expect(result).toMatchObject({ delivered: true, receiver_status: 200, attempts: 2 });
    expect(received).toHaveLength(2);
    expect(received[0]?.headers['webhook-id']).toBe(received[1]?.headers['webhook-id']);
    expect(JSON.parse(received[1]?.body ?? '{}')).toMatchObject({
      type: 'deal.updated',
      data: { deal: 'IXIS', stage: 'Negotiate' },
    });
  });

  it('reports a receiver that refuses the delivery without retrying it', async () => {
    receiver.script({ status: 422 });
    const result = JSON.parse(
      (await call(toolWith(), 'trigger_webhook', { url: `${base}/hooks/crm`, payload: '{}' })).body,
    );
    expect(result).toMatchObject({ delivered: false, receiver_status: 422, attempts: 1 });
    expect(result.error).toContain('refused the delivery with HTTP 422');
    expect(received).toHaveLength(1);
  });

  it('gives up after the bounded attempts and says the receiver may be down', async () => {
    receiver.script({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
    const result = JSON.parse(
      (await call(toolWith(), 'trigger_webhook', { url: `${base}/hooks/crm`, payload: '{}' })).body,
    );
    expect(result).toMatchObject({ delivered: false, receiver_status: 503, attempts: 3 });
    expect(result.note).toContain('may be down');
  });

  it('does not follow redirects', async () => {
    receiver.script({
      status: 302,
      headers: { location: 'http://169.254.169.254/latest/meta-data' },
    });
    const result = JSON.parse(
      (await call(toolWith(), 'trigger_webhook', { url: `${base}/hooks/crm`, payload: '{}' })).body,
    );
    expect(result.delivered).toBe(false);
    expect(result.error).toContain('redirects are not followed');
    expect(received).toHaveLength(1);
  });

  it.each([
    ['https://evil.example/steal', /not in the webhook allowlist/],
    ['http://169.254.169.254/latest/meta-data', /Plain http is only allowed/],
    ['BASE/other-path', /not in the webhook allowlist|Plain http/],
    ['file:///etc/passwd', /Only https destinations are allowed/],
  ])('refuses %s before sending anything', async (url, reason) => {
    const { body, responseState } = await call(toolWith(), 'trigger_webhook', {
      url: url.replace('BASE', base),
      payload: '{"a":1}',
    });
    expect(responseState).toBe('REPROMPT');
    expect(body).toMatch(reason);
    expect(received).toHaveLength(0);
  });

  it('refuses an allowlisted name that resolves to a private address', async () => {
    const tool = toolWith({
      allow: 'hooks.partner.example',
      resolve: async () => [{ address: '10.0.0.5', family: 4 }],
    });
    const { body, responseState } = await call(tool, 'trigger_webhook', {
      url: 'https://hooks.partner.example/in',
      payload: '{}',
    });
    expect(responseState).toBe('REPROMPT');
    expect(body).toBe(
      'https://hooks.partner.example resolves to a non-public address, which is not allowlisted',
    );
  });

  it('reprompts on bad parameters and on a missing notification channel', async () => {
    expect(
      (await call(toolWith(), 'trigger_webhook', { url: `${base}/hooks/x`, payload: 'not json' }))
        .body,
    ).toContain('payload must be a valid JSON object');
    expect(
      (
        await call(toolWith(), 'trigger_webhook', {
          url: `${base}/hooks/x`,
          payload: '{}',
          event_type: 'bad type!',
        })
      ).body,
    ).toContain('event_type must be letters');
    expect(
      (await call(toolWith(), 'send_notification', { message: 'hi', severity: 'urgent' })).body,
    ).toContain('severity must be one of info, warning, critical');
    const { body, responseState } = await call(toolWith(), 'send_notification', { message: 'hi' });
    expect(responseState).toBe('REPROMPT');
    expect(body).toContain('No notification channel is configured');
    expect(received).toHaveLength(0);
  });
});

describe('the webhook-executor Lambda handler', () => {
  const saved = { ...process.env };
  afterAll(() => {
    process.env = saved;
  });

  it('signs with the configured key and allows the notification URL it was given', async () => {
    Object.assign(process.env, {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      WEBHOOK_SIGNING_SECRET: secret,
      WEBHOOK_ALLOWED_URLS: '',
      NOTIFICATION_WEBHOOK_URL: `${base}/hooks/team`,
    });
    const { handler } = await import('../../../tools/webhook-executor/handler');
    const response = await handler(
      hookEvent('send_notification', { message: 'Pipeline summary ready' }),
    );
    expect(JSON.parse(readActionGroupResponse(response).body)).toMatchObject({
      delivered: true,
      receiver_status: 204,
    });
    expect(
      new Webhook(secret).verify(received[0]?.body ?? '', received[0]?.headers ?? {}),
    ).toMatchObject({ data: { message: 'Pipeline summary ready', severity: 'info' } });
  });
});
