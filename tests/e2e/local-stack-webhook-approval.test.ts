/**
 * Approvals on the webhook channel, through the local stack (gateway, queue, processor, the
 * offline agents, the real webhook executor): a request that leads to a notification waits as
 * `awaiting_approval` with the action shown, the callback hears of the pause, a wrong key cannot
 * decide, nothing is sent before the caller approves, and a decision counts once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RevbotLocal, startRevbotLocal } from '@revbot/cli';
import { startWebhookReceiver, type WebhookReceiver } from '@revbot/testing/webhook-receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalClient } from './support/approval-client';

const secret = `whsec_${Buffer.from('e2e-approval-signing-key-0123456').toString('base64')}`;

describe('the local stack, webhook approvals', () => {
  let stack: RevbotLocal;
  let receiver: WebhookReceiver;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'revbot-e2e-approval-'));
    receiver = await startWebhookReceiver({ port: 0, secret });
    stack = await startRevbotLocal({
      PORT: '0',
      REVBOT_DATA_DIR: dataDir,
      WEBHOOK_SIGNING_SECRET: secret,
      WEBHOOK_ALLOWED_URLS: `${receiver.url}/`,
      WEBHOOK_URL: `${receiver.url}/notify`,
      REVBOT_API_KEYS: 'caller-key,other-key',
      REVBOT_DATA_AS_OF: '2026-11-23',
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const { call, statusOf, nextOfType, notifications } = approvalClient(
    () => stack.url,
    () => receiver,
  );

  it('waits for the caller before notifying, refuses another key, and decides once', async () => {
    const accepted = await call('POST', '/webhook', {
      query: 'Review the IXIS deal and notify Sarah Johnson',
      source_system: 'e2e',
      callback_url: `${receiver.url}/callback`,
    });
    expect(accepted.status).toBe(202);
    const { tracking_id: id } = (await accepted.json()) as { tracking_id: string };

    const requested = await nextOfType('revbot.approval_requested');
    expect(requested.delivery.verified).toBe(true);
    expect(requested.payload.tracking_id).toBe(id);
    const waiting = await statusOf(id);
    expect(waiting.status).toBe('awaiting_approval');
    expect(waiting.approval).toMatchObject({
      action_group: 'webhook_executor',
      function: 'send_notification',
      decision: null,
      action: { title: 'Send a notification' },
    });
    expect(waiting.approval?.action.fields).toContainEqual({
      name: 'recipient',
      value: 'Sarah Johnson',
    });
    expect(notifications()).toHaveLength(0);

    // Another valid key cannot decide, and learns nothing: the same 404 as an unknown id.
    const foreign = await call(
      'POST',
      `/webhook/${id}/approval`,
      { decision: 'approve' },
      'other-key',
    );
    expect(foreign.status).toBe(404);
    const unknown = await call('POST', '/webhook/00000000-0000-4000-8000-000000000000/approval', {
      decision: 'approve',
    });
    expect(unknown.status).toBe(404);
    expect(((await foreign.json()) as { error: { code: string } }).error.code).toBe(
      ((await unknown.json()) as { error: { code: string } }).error.code,
    );
    expect((await statusOf(id)).status).toBe('awaiting_approval');

    const bad = await call('POST', `/webhook/${id}/approval`, { decision: 'yes' });
    expect(bad.status).toBe(400);

    const [approved, twice] = await Promise.all([
      call('POST', `/webhook/${id}/approval`, { decision: 'approve' }),
      call('POST', `/webhook/${id}/approval`, { decision: 'approve' }),
    ]);
    expect([approved.status, twice.status].sort()).toEqual([202, 409]);

    const decided = await nextOfType('revbot.approval_decided');
    expect(decided.payload).toMatchObject({ decision: 'approve', function: 'send_notification' });
    // The Execution agent then logs the action: a write, which waits for approval too.
    await nextOfType('revbot.approval_requested');
    expect(notifications()).toHaveLength(1);
    expect(notifications()[0]?.verified).toBe(true);
    const second = await statusOf(id);
    expect(second.approval).toMatchObject({
      action_group: 'firebolt_writer',
      function: 'write_record',
    });
    const rejected = await call('POST', `/webhook/${id}/approval`, { decision: 'reject' });
    expect(rejected.status).toBe(202);
    for (;;) {
      const delivery = await receiver.next(60_000);
      const payload = delivery.payload as { ai_response?: { response: string } };
      if (!payload.ai_response) continue;
      expect(delivery.path).toBe('/callback');
      break;
    }
    // The status moves on just after the delivery is acknowledged.
    let done = await statusOf(id);
    for (let i = 0; i < 50 && ['processing', 'delivering'].includes(done.status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      done = await statusOf(id);
    }
    expect(done.status).toBe('completed');
    expect(done.approval).toMatchObject({ function: 'write_record', decision: 'reject' });
    expect(notifications()).toHaveLength(1);
  }, 120_000);
});
