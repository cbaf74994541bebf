/**
 * The webhook receiver the fault suite counts deliveries at: it verifies each Standard Webhooks
 * signature, keys deliveries by the answer's tracking id, and can be slow, hang on chosen paths,
 * or be down (its port closed) and come back on the same port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Delivery {
  trackingId: string;
  webhookId: string;
  path: string;
  verified: boolean;
  at: number;
}

export interface FaultReceiver {
  url: string;
  deliveries: Delivery[];
  /** Milliseconds each answer waits (a slow receiver). */
  delayMs: number;
  /** Closes the port: deliveries are refused until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  /** Deliveries per tracking id, and those delivered under more than one webhook id. */
  tally(): { byTracking: Map<string, Delivery[]>; duplicated: string[]; resent: number };
  /** Resolves once every id in `ids` has a verified delivery. */
  waitForAll(ids: Iterable<string>, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Requests to a path starting `/hang` are never answered. */
export async function startFaultReceiver(secret: string): Promise<FaultReceiver> {
  const webhook = new Webhook(secret);
  const deliveries: Delivery[] = [];
  const sockets = new Set<Socket>();
  let port = 0;
  let server: Server;

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([name, value]) => [name, String(value ?? '')]),
      );
      let verified = false;
      let trackingId = '';
      try {
        const payload = webhook.verify(body, headers) as { tracking_id?: string };
        verified = true;
        trackingId = payload.tracking_id ?? '';
      } catch {
        // counted as unverified below
      }
      const path = req.url ?? '/';
      if (path.startsWith('/hang')) return;
      deliveries.push({
        trackingId,
        webhookId: headers['webhook-id'] ?? '',
        path,
        verified,
        at: Date.now(),
      });
      setTimeout(() => res.writeHead(verified ? 204 : 401).end(), receiver.delayMs);
    });
  };

  const listen = async () => {
    server = createServer(handle);
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });

  await listen();
  const receiver: FaultReceiver = {
    url: `http://127.0.0.1:${port}`,
    deliveries,
    delayMs: 0,
    down: stop,
    up: listen,
    tally() {
      const byTracking = new Map<string, Delivery[]>();
      for (const delivery of deliveries.filter((d) => d.verified)) {
        byTracking.set(delivery.trackingId, [
          ...(byTracking.get(delivery.trackingId) ?? []),
          delivery,
        ]);
      }
      // A receiver de-duplicates on webhook-id (Standard Webhooks): a second id is a duplicate.
      const duplicated = [...byTracking]
        .filter(([, list]) => new Set(list.map((d) => d.webhookId)).size > 1)
        .map(([id]) => id);
      const resent = [...byTracking.values()].reduce((sum, list) => sum + list.length - 1, 0);
      return { byTracking, duplicated, resent };
    },
    async waitForAll(ids, timeoutMs) {
      const wanted = [...ids];
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const seen = new Set(deliveries.filter((d) => d.verified).map((d) => d.trackingId));
        const missing = wanted.filter((id) => !seen.has(id));
        if (missing.length === 0) return;
        if (Date.now() > deadline) {
          throw new Error(`${missing.length} of ${wanted.length} never delivered: ${missing[0]}…`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: stop,
  };
  return receiver;
}
