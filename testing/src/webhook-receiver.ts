/**
 * A webhook receiver that verifies Standard Webhooks signatures with the `standardwebhooks`
 * package, as RevBot's users' receivers do. `revbot listen` prints what it receives; the
 * end-to-end tests assert on it.
 */
import { createServer, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { listenOnLoopback } from './listen-on-loopback';

export interface Delivery {
  id: string;
  receivedAt: Date;
  verified: boolean;
  /** Why verification failed, when it did. */
  error?: string;
  headers: Record<string, string>;
  payload: unknown;
}

export interface RunningReceiver {
  url: string;
  deliveries: Delivery[];
  /** Resolves with the next delivery (or the first one already received after `since`). */
  next(timeoutMs?: number): Promise<Delivery>;
  close(): Promise<void>;
}

/** Accepts `whsec_<base64>` or the bare base64 key stored in Secrets Manager. */
export const toWebhookSecret = (secret: string): string =>
  secret.startsWith('whsec_') ? secret : `whsec_${secret}`;

export async function startWebhookReceiver(options: {
  port: number;
  host?: string;
  secret: string;
  onDelivery?: (delivery: Delivery) => void;
}): Promise<RunningReceiver> {
  const webhook = new Webhook(toWebhookSecret(options.secret));
  const deliveries: Delivery[] = [];
  const waiters: ((delivery: Delivery) => void)[] = [];
  let consumed = 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [
          k,
          Array.isArray(v) ? v.join(',') : (v ?? ''),
        ]),
      );
      let verified = false;
      let error: string | undefined;
      let payload: unknown;
      try {
        payload = webhook.verify(body, headers);
        verified = true;
      } catch (cause) {
        error = cause instanceof Error ? cause.message : String(cause);
        try {
          payload = JSON.parse(body);
        } catch {
          payload = body;
        }
      }
      const delivery: Delivery = {
        id: headers['webhook-id'] ?? '',
        receivedAt: new Date(),
        verified,
        error,
        headers,
        payload,
      };
      deliveries.push(delivery);
      options.onDelivery?.(delivery);
      const waiter = waiters.shift();
      if (waiter) {
        consumed += 1;
        waiter(delivery);
      }
      res.writeHead(verified ? 204 : 401).end();
    });
  });
  const listening = await listenOnLoopback(server, options);
  return {
    url: `${listening.url}/`,
    deliveries,
    next(timeoutMs = 10_000) {
      const ready = deliveries[consumed];
      if (ready) {
        consumed += 1;
        return Promise.resolve(ready);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no webhook delivery arrived')), timeoutMs);
        waiters.push((delivery) => {
          clearTimeout(timer);
          resolve(delivery);
        });
      });
    },
    close: listening.close,
  };
}
