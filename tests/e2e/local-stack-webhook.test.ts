import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RevbotLocal, startRevbotLocal } from '@revbot/cli';
import { type ListeningServer, listenOnLoopback } from '@revbot/testing/listen-on-loopback';
import { startWebhookReceiver, type WebhookReceiver } from '@revbot/testing/webhook-receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const secret = `whsec_${Buffer.from('e2e-signing-key-0123456789abcdef').toString('base64')}`;

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('the local stack, webhook channel', () => {
  let stack: RevbotLocal;
  let receiver: WebhookReceiver;
  let dataDir: string;
  /** A local OTLP/HTTP collector: the bodies of the traces it was sent. */
  let collector: ListeningServer;
  const traces: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'revbot-e2e-'));
    receiver = await startWebhookReceiver({ port: 0, secret });
    collector = await listenOnLoopback(
      createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          if (req.url === '/v1/traces') traces.push(Buffer.concat(chunks).toString('utf8'));
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        });
      }),
    );
    stack = await startRevbotLocal({
      PORT: '0',
      REVBOT_DATA_DIR: dataDir,
      WEBHOOK_SIGNING_SECRET: secret,
      WEBHOOK_ALLOWED_URLS: `${receiver.url}/`,
      REVBOT_API_KEYS: 'local-key',
      REVBOT_DATA_AS_OF: '2026-11-23',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    });
  });
  afterAll(async () => {
    await stack?.close();
    await receiver?.close();
    await collector?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${stack.url}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'local-key', ...headers },
      body: JSON.stringify(body),
    });

  it('answers a question at the callback with a valid Standard Webhooks signature', async () => {
    const accepted = await post({
      query: "What's the status of the IXIS deal?",
      source_system: 'e2e',
      callback_url: `${receiver.url}/`,
    });
    expect(accepted.status).toBe(202);
    const receipt = (await accepted.json()) as { tracking_id: string; status: string };
    expect(receipt.status).toBe('queued');

    const delivery = await receiver.next(30_000);
    expect(delivery.verified).toBe(true);
    const payload = delivery.payload as {
      tracking_id: string;
      ai_response: { response: string };
    };
    expect(payload.tracking_id).toBe(receipt.tracking_id);
    expect(payload.ai_response.response).toMatch(/IXIS/);

    // The status is recorded just after the receiver answers: give that write a moment.
    const deadline = Date.now() + 5_000;
    let status: Response;
    let body: { status?: string };
    do {
      status = await fetch(`${stack.url}/webhook/${receipt.tracking_id}`, {
        headers: { 'x-api-key': 'local-key' },
      });
      body = (await status.json()) as { status?: string };
    } while (
      (body.status === 'processing' || body.status === 'delivering') &&
      Date.now() < deadline
    );
    expect(status.status).toBe(200);
    expect(body).toMatchObject({ status: 'completed' });

    const files = listFiles(path.join(dataDir, 'conversation-history'));
    expect(files.some((file) => file.endsWith('conversation.json'))).toBe(true);
    expect(files.some((file) => file.endsWith('metadata.json'))).toBe(true);

    // The processor also sent the conversation to the OTLP collector, named by its tracking id.
    const sent = traces.join('\n');
    expect(sent).toContain('"gen_ai.conversation.id"');
    expect(sent).toContain(`"stringValue":"${receipt.tracking_id}"`);
    expect(sent).toContain('"invoke_agent');
  });

  it('refuses bad requests with a clear error and queues nothing', async () => {
    const missingKey = await post({ query: 'x', source_system: 'e2e' }, { 'x-api-key': 'wrong' });
    expect(missingKey.status).toBe(401);
    const invalid = await post({ source_system: 'e2e', extra: true });
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as { success: boolean; error: { code: string } };
    expect(body.success).toBe(false);
    const unknown = await fetch(`${stack.url}/webhook/does-not-exist`, {
      headers: { 'x-api-key': 'local-key' },
    });
    expect(unknown.status).toBe(404);
  });
});
