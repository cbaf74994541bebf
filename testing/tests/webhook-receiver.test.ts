import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../src/webhook-receiver';

const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;

describe('the local webhook receiver', () => {
  let receiver: WebhookReceiver | undefined;
  afterEach(async () => receiver?.close());

  it('accepts a delivery signed with the shared secret', async () => {
    receiver = await startWebhookReceiver({ port: 0, secret });
    const body = JSON.stringify({ tracking_id: 't-1' });
    const id = 'msg_1';
    const timestamp = new Date();
    const signature = new Webhook(secret).sign(id, timestamp, body);
    const response = await fetch(`${receiver.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body,
    });
    expect(response.status).toBe(204);
    const delivery = await receiver.next();
    expect(delivery).toMatchObject({ id, verified: true, payload: { tracking_id: 't-1' } });
  });

  it('rejects a delivery whose body was changed after signing', async () => {
    receiver = await startWebhookReceiver({ port: 0, secret: secret.slice('whsec_'.length) });
    const timestamp = new Date();
    const signature = new Webhook(secret).sign('msg_2', timestamp, '{"a":1}');
    const response = await fetch(`${receiver.url}/`, {
      method: 'POST',
      headers: {
        'webhook-id': 'msg_2',
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signature,
      },
      body: '{"a":2}',
    });
    expect(response.status).toBe(401);
    expect((await receiver.next()).verified).toBe(false);
  });
});
