/**
 * The local stack's HTTP server: API Gateway routes for the deployed handlers, the SQS JSON
 * endpoint for the handlers' real SQS client, `GET /healthz`, pages such as the conversation
 * viewer, and event sources feeding the processors. Only requests naming a loopback `Host` are
 * served (a DNS-rebinding page names its own). With a state folder the queues are journalled
 * there and `close()` leaves queued work for the next start; without one it finishes it first.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { listenOnLoopback } from '@revbot/testing/listen-on-loopback';
import { LocalQueue } from '@revbot/testing/local-queue';
import { QueueJournal } from '@revbot/testing/queue-journal';
import { createSqsEndpoint, isSqsRequest, queueUrl } from '@revbot/testing/sqs-endpoint';
import { type Route, serveProxyRoute } from './api-gateway';
import { EventSource, type SqsHandler } from './event-source';

export interface LocalQueueSpec {
  name: string;
  dlqName: string;
  handler: SqsHandler;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
  batchSize?: number;
  /** Invocations at once (the event source mapping's maximum concurrency); 5 by default. */
  concurrency?: number;
}

export interface LocalApp {
  routes: Route[];
  queues: LocalQueueSpec[];
}

export interface LocalServerOptions {
  port: number;
  host?: string;
  stage: string;
  /**
   * The routes and queue consumers, built once the server's URL is known (handlers' SQS clients
   * send to it). Either given directly or built from the URL.
   */
  app: LocalApp | ((baseUrl: string) => Promise<LocalApp>);
  onBatch?: (queue: string, outcome: { received: number; failed: number; error?: unknown }) => void;
  /** Serves a request before the API routes (the conversation viewer); false passes it on. */
  pages?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /** `Host` names answered besides loopback's (each with the port). */
  allowedHosts?: readonly string[];
  /** Folder the queues are journalled in (one file per queue); in memory when absent. */
  queueDir?: string;
  /** How long `close()` lets running invocations finish; 30 s by default. */
  shutdownGraceMs?: number;
}

/** What `close()` left for the next start. */
export interface ShutdownReport {
  /** Messages still in the (non-DLQ) queues. */
  queued: number;
  /** Of those, invocations cut off by the grace period and handed back. */
  handedBack: number;
}

export interface RunningLocalServer {
  url: string;
  queues: Map<string, LocalQueue>;
  queueUrl(name: string): string;
  /** Waits until every queue is empty and no batch is being processed. */
  drained(timeoutMs?: number): Promise<void>;
  /**
   * Answers new requests 503 with `Retry-After` (SQS calls of work in flight still served), lets
   * requests and invocations in flight finish within the grace period, then stops.
   */
  close(): Promise<ShutdownReport>;
}

/** Seconds a client told 503 during shutdown waits before trying again. */
const RETRY_AFTER_SECONDS = 5;

/** `Host` values a loopback server answers: the names of loopback with its port. */
export function loopbackHosts(port: number, extra: readonly string[] = []): Set<string> {
  return new Set(
    ['localhost', '127.0.0.1', '[::1]', ...extra].map((name) => `${name}:${port}`.toLowerCase()),
  );
}

/** Builds the queues first, so handlers can be given their URLs before the server starts. */
export function createLocalQueues(
  specs: Omit<LocalQueueSpec, 'handler'>[],
  queueDir?: string,
): Map<string, LocalQueue> {
  const queues = new Map<string, LocalQueue>();
  const journal = (name: string) =>
    queueDir ? new QueueJournal(path.join(queueDir, `${name}.jsonl`)) : undefined;
  for (const spec of specs) {
    const dlq = new LocalQueue({
      name: spec.dlqName,
      visibilityTimeoutSeconds: 30,
      journal: journal(spec.dlqName),
    });
    const queue = new LocalQueue({
      name: spec.name,
      visibilityTimeoutSeconds: spec.visibilityTimeoutSeconds,
      maxReceiveCount: spec.maxReceiveCount,
      deadLetterQueue: dlq,
      journal: journal(spec.name),
    });
    queues.set(spec.name, queue).set(spec.dlqName, dlq);
  }
  return queues;
}

export async function startLocalServer(options: LocalServerOptions): Promise<RunningLocalServer> {
  let app: LocalApp = { routes: [], queues: [] };
  let queues = new Map<string, LocalQueue>();
  let handleSqs: ReturnType<typeof createSqsEndpoint> | undefined;
  let baseUrl = '';
  let closing = false;
  let hosts = new Set<string>();
  let requestsInFlight = 0;

  const server: Server = createServer((req, res) => {
    if (!hosts.has(String(req.headers.host ?? '').toLowerCase())) {
      res.writeHead(421, { 'content-type': 'application/json', connection: 'close' });
      res.end(
        JSON.stringify({
          message: 'Misdirected request: this server answers only loopback Host names',
        }),
      );
      return;
    }
    // Work already running may still enqueue (a gateway's SendMessage, a processor's hand-off).
    if (handleSqs && isSqsRequest(req)) return void handleSqs(req, res, baseUrl);
    if (closing || !handleSqs) {
      res.writeHead(503, {
        'content-type': 'application/json',
        'retry-after': String(RETRY_AFTER_SECONDS),
        connection: 'close',
      });
      res.end(JSON.stringify({ message: 'Shutting down' }));
      return;
    }
    requestsInFlight += 1;
    res.once('close', () => {
      requestsInFlight -= 1;
    });
    void (async () => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (req.method === 'GET' && path === '/healthz') {
        const depths = Object.fromEntries([...queues].map(([name, q]) => [name, q.depth()]));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'ok', stage: options.stage, queues: depths }));
        return;
      }
      if (options.pages && (await options.pages(req, res))) return;
      if (await serveProxyRoute(app.routes, req, res, options.stage)) return;
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Missing Authentication Token' }));
    })().catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  // Closed below by draining, not through the helper's close, so work in flight finishes.
  const listening = await listenOnLoopback(server, { port: options.port, host: options.host });
  baseUrl = listening.url;
  const bound = options.host ?? '127.0.0.1';
  hosts = loopbackHosts(listening.port, [
    bound.includes(':') ? `[${bound}]` : bound,
    ...(options.allowedHosts ?? []),
  ]);
  try {
    app = typeof options.app === 'function' ? await options.app(baseUrl) : options.app;
  } catch (error) {
    server.close();
    throw error;
  }
  queues = createLocalQueues(app.queues, options.queueDir);
  handleSqs = createSqsEndpoint([...queues.values()]);

  const sources = app.queues.map((spec) => {
    const queue = queues.get(spec.name) as LocalQueue;
    const source = new EventSource({
      queue,
      handler: spec.handler,
      batchSize: spec.batchSize ?? 1,
      concurrency: spec.concurrency,
      idlePollMs: 100,
      yieldTo: () => requestsInFlight > 0,
      onBatch: (outcome) => options.onBatch?.(spec.name, outcome),
    });
    source.start();
    return source;
  });

  return {
    url: baseUrl,
    queues,
    queueUrl: (name) => queueUrl(baseUrl, name),
    async drained(timeoutMs) {
      await Promise.all(sources.map((source) => source.drained(timeoutMs)));
    },
    async close() {
      closing = true;
      server.closeIdleConnections();
      const graceMs = options.shutdownGraceMs ?? 30_000;
      const deadline = Date.now() + graceMs;
      // Requests in flight finish (their enqueue is still served) before the pollers stop.
      while (requestsInFlight > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const left = () => Math.max(0, deadline - Date.now());
      // In the apps' queue order: a processor's work feeds later queues (answers → deliveries),
      // so each stops after the ones before it. In memory nothing would survive, so queued work
      // is finished first; on disk it waits for the next start.
      let handedBack = 0;
      for (const source of sources) {
        if (!options.queueDir) await source.drained(left()).catch(() => undefined);
        handedBack += await source.stop(left());
      }
      await listening.close();
      const queued = app.queues.reduce((sum, spec) => sum + (queues.get(spec.name)?.size ?? 0), 0);
      for (const queue of queues.values()) queue.close();
      return { queued, handedBack };
    },
  };
}
