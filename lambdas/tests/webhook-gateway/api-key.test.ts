import { ConfigError } from '@revbot/core';
import { getWebhookStatus, postWebhook } from '@revbot/testing/api-gateway-events';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { EMPTY_ALLOWLIST } from '../../shared/outbound';
import {
  MemoryRequestStatusStore,
  type WebhookJob,
  type WebhookJobQueue,
} from '../../shared/webhook-requests';
import { apiKeyChecker, parseApiKeys } from '../../webhook-gateway/api-key';
import {
  createWebhookGatewayHandler,
  type WebhookGatewayDeps,
} from '../../webhook-gateway/webhook-gateway';

const NOW = new Date('2026-12-07T10:00:00.000Z');
const ask = { query: 'How is the Acme deal doing?', source_system: 'crm' };

function setup(apiKeys: WebhookGatewayDeps['apiKeys']) {
  const store = new MemoryRequestStatusStore(() => NOW.getTime());
  const jobs: WebhookJob[] = [];
  const queue: WebhookJobQueue = {
    async enqueue(job) {
      jobs.push(structuredClone(job));
      return { messageId: `m-${jobs.length}` };
    },
  };
  let n = 0;
  const handler = createWebhookGatewayHandler({
    store,
    queue,
    allowlist: EMPTY_ALLOWLIST,
    apiKeys,
    now: () => NOW,
    newTrackingId: () => `0b7e3f1a-2c4d-4e5f-8a9b-${String(++n).padStart(12, '0')}`,
  });
  return { handler, store, jobs };
}

const as = (key: string, request: Record<string, unknown> = ask) =>
  postWebhook(request, { headers: { 'x-api-key': key } });
const json = (response: APIGatewayProxyResult) => JSON.parse(response.body);

describe('parseApiKeys', () => {
  it('reads name:key entries, and names a bare key "default" as before', () => {
    expect(parseApiKeys('crm:k-crm-1, etl:k-etl-2,legacy-key')).toEqual([
      { name: 'crm', key: 'k-crm-1' },
      { name: 'etl', key: 'k-etl-2' },
      { name: 'default', key: 'legacy-key' },
    ]);
    // Only a valid name makes the part before a colon a name.
    expect(parseApiKeys('not a name:abc')).toEqual([{ name: 'default', key: 'not a name:abc' }]);
    expect(parseApiKeys(undefined)).toEqual([]);
  });

  it('reads a JSON object of name: key, and stops on a bad one naming the variable', () => {
    expect(parseApiKeys('{"crm": "k-crm-1", "etl": "k-etl-2"}')).toEqual([
      { name: 'crm', key: 'k-crm-1' },
      { name: 'etl', key: 'k-etl-2' },
    ]);
    expect(() => parseApiKeys('{"crm": 7}')).toThrow(ConfigError);
    expect(() => parseApiKeys('{"crm": ')).toThrow(/REVBOT_API_KEYS/);
  });
});

describe('apiKeyChecker', () => {
  it("answers the presented key's name", () => {
    const check = apiKeyChecker(parseApiKeys('crm:k-crm-1,etl:k-etl-2,legacy-key'));
    expect(check('k-etl-2')).toBe('etl');
    expect(check('legacy-key')).toBe('default');
    expect(() => check('k-nope')).toThrow('Invalid API key');
    expect(apiKeyChecker([])(undefined)).toBe('default');
  });
});

describe('webhook callers', () => {
  it("records the key's name with the request, in its status record and its job", async () => {
    const { handler, store, jobs } = setup(parseApiKeys('crm:k-crm-1,etl:k-etl-2'));
    const accepted = json(await handler(as('k-etl-2')));
    expect((await store.get(accepted.tracking_id))?.caller).toBe('etl');
    expect(jobs[0]?.caller).toBe('etl');
  });

  it('namespaces sessions by caller: the same session_id is two sessions for two keys', async () => {
    const { handler, jobs } = setup(parseApiKeys('crm:k-crm-1,etl:k-etl-2'));
    await handler(as('k-crm-1', { ...ask, session_id: 'thread-42' }));
    await handler(as('k-etl-2', { ...ask, session_id: 'thread-42' }));
    await handler(as('k-crm-1'));
    expect(jobs.map((job) => job.session_id)).toEqual([
      'crm:thread-42',
      'etl:thread-42',
      `crm:webhook_${jobs[2]?.tracking_id}`,
    ]);
    // The id as status and deliveries show it continues the same session.
    await handler(as('k-crm-1', { ...ask, session_id: 'crm:thread-42' }));
    expect(jobs[3]?.session_id).toBe('crm:thread-42');
  });

  it('keeps a long session id within Bedrock limits, still per caller', async () => {
    const { handler, jobs } = setup(parseApiKeys('crm:k-crm-1,etl:k-etl-2'));
    const long = `t-${'x'.repeat(97)}`;
    await handler(as('k-crm-1', { ...ask, session_id: long }));
    await handler(as('k-etl-2', { ...ask, session_id: long }));
    const [crm, etl] = jobs.map((job) => job.session_id);
    expect(crm).toMatch(/^crm:[0-9a-f]{40}$/);
    expect(etl).toMatch(/^etl:[0-9a-f]{40}$/);
    expect(crm?.slice(4)).toBe(etl?.slice(4));
  });

  it.each([
    ['slack-0123456789abcdef', 'belongs to the Slack channel'],
    ['SLACK_thread', 'belongs to the Slack channel'],
    ['etl:thread-42', 'another caller\'s namespace ("etl:")'],
  ])('refuses session_id %s with 400 naming the problem, queuing nothing', async (id, problem) => {
    const { handler, jobs, store } = setup(parseApiKeys('crm:k-crm-1,etl:k-etl-2'));
    const response = await handler(as('k-crm-1', { ...ask, session_id: id }));
    expect(response.statusCode).toBe(400);
    const { error } = json(response);
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.details).toEqual([
      { field: 'session_id', message: expect.stringContaining(problem) },
    ]);
    expect(jobs).toHaveLength(0);
    expect(await store.get('0b7e3f1a-2c4d-4e5f-8a9b-000000000001')).toBeUndefined();
  });

  it('lets a bare (default) key keep its ids as sent, but not reach a named caller', async () => {
    const { handler, jobs } = setup(['legacy-key']);
    expect(
      (await handler(as('legacy-key', { ...ask, session_id: 'crm-thread-42' }))).statusCode,
    ).toBe(202);
    expect(jobs[0]?.session_id).toBe('crm-thread-42');
    const response = await handler(as('legacy-key', { ...ask, session_id: 'crm:thread-42' }));
    expect(response.statusCode).toBe(400);
    const slack = await handler(as('legacy-key', { ...ask, session_id: 'slack-abc' }));
    expect(slack.statusCode).toBe(400);
  });

  it("shows a request's status to its own caller only", async () => {
    const { handler } = setup(parseApiKeys('crm:k-crm-1,etl:k-etl-2'));
    const { tracking_id: id } = json(await handler(as('k-crm-1')));
    expect((await handler(getWebhookStatus(id, { 'x-api-key': 'k-crm-1' }))).statusCode).toBe(200);
    expect((await handler(getWebhookStatus(id, { 'x-api-key': 'k-etl-2' }))).statusCode).toBe(404);
  });

  it('takes the caller from API Gateway (the key id) when it checked the key', async () => {
    const { handler, jobs } = setup([]);
    const viaGateway = (keyId: string): APIGatewayProxyEvent => {
      const event = postWebhook({ ...ask, session_id: 'thread-1' });
      event.requestContext.identity.apiKeyId = keyId;
      return event;
    };
    await handler(viaGateway('k8s7d6f5e4'));
    await handler(viaGateway('a1b2c3d4e5'));
    expect(jobs.map((job) => [job.caller, job.session_id])).toEqual([
      ['k8s7d6f5e4', 'k8s7d6f5e4:thread-1'],
      ['a1b2c3d4e5', 'a1b2c3d4e5:thread-1'],
    ]);
  });
});
