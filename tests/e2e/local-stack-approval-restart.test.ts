/**
 * An approval outlives the process that asked for it: a webhook request pauses for approval, the
 * local stack is closed and started again on the same data directory (its session table, request
 * table and queues on disk), and the caller's approval then resumes the run: the action runs
 * once and the answer reaches the callback.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RevbotLocal, startRevbotLocal } from '@revbot/cli';
import { startWebhookReceiver, type WebhookReceiver } from '@revbot/testing/webhook-receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalClient } from './support/approval-client';

const secret = `whsec_${Buffer.from('e2e-restart-signing-key-01234567').toString('base64')}`;

describe('the local stack, an approval across a restart', () => {
  let stack: RevbotLocal | undefined;
  let receiver: WebhookReceiver;
  let dataDir: string;

  const start = () =>
    startRevbotLocal({
      PORT: '0',
      REVBOT_DATA_DIR: dataDir,
      WEBHOOK_SIGNING_SECRET: secret,
      WEBHOOK_ALLOWED_URLS: `${receiver.url}/`,
      WEBHOOK_URL: `${receiver.url}/notify`,
      REVBOT_API_KEYS: 'caller-key',
      REVBOT_DATA_AS_OF: '2026-11-23',
    });

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'revbot-e2e-restart-'));
    receiver = await startWebhookReceiver({ port: 0, secret });
  });
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const client = approvalClient(
    () => {
      if (!stack) throw new Error('the stack is not running');
      return stack.url;
    },
    () => receiver,
  );
  const { call, statusOf, notifications } = client;
  /** The payload of the next signed event of `type`. */
  const nextOfType = async (type: string) => (await client.nextOfType(type)).payload;

  it('resumes the paused run in the new process, runs the action once and answers', async () => {
    stack = await start();
    const accepted = await call('POST', '/webhook', {
      query: 'Review the IXIS deal and notify Sarah Johnson',
      source_system: 'e2e',
      callback_url: `${receiver.url}/callback`,
    });
    expect(accepted.status).toBe(202);
    const { tracking_id: id } = (await accepted.json()) as { tracking_id: string };
    expect((await nextOfType('revbot.approval_requested')).tracking_id).toBe(id);
    expect((await statusOf(id)).status).toBe('awaiting_approval');

    await stack.close();
    stack = undefined;
    stack = await start();

    const waiting = await statusOf(id);
    expect(waiting.status).toBe('awaiting_approval');
    expect(waiting.approval).toMatchObject({ function: 'send_notification', decision: null });
    expect(notifications()).toHaveLength(0);

    const approved = await call('POST', `/webhook/${id}/approval`, { decision: 'approve' });
    expect(approved.status).toBe(202);
    expect(await nextOfType('revbot.approval_decided')).toMatchObject({
      decision: 'approve',
      function: 'send_notification',
    });
    // The Execution agent then logs the action, which waits for approval too; rejecting it ends
    // the run.
    await nextOfType('revbot.approval_requested');
    expect(notifications()).toHaveLength(1);
    expect(notifications()[0]?.verified).toBe(true);
    expect((await statusOf(id)).approval).toMatchObject({ function: 'write_record' });
    const rejected = await call('POST', `/webhook/${id}/approval`, { decision: 'reject' });
    expect(rejected.status).toBe(202);
    for (;;) {
      const delivery = await receiver.next(60_000);
      const payload = delivery.payload as { ai_response?: { response: string } };
      if (!payload.ai_response) continue;
      expect(delivery.path).toBe('/callback');
      expect(payload.ai_response.response.length).toBeGreaterThan(0);
      break;
    }
    let done = await statusOf(id);
    for (let i = 0; i < 50 && ['processing', 'delivering'].includes(done.status); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      done = await statusOf(id);
    }
    expect(done.status).toBe('completed');
    expect(notifications()).toHaveLength(1);
  }, 180_000);
});
