/**
 * The local stack's HTTP server: API Gateway routes for the deployed handlers, the SQS JSON
 * endpoint for the handlers' real SQS client, `GET /healthz`, pages such as the conversation
 * viewer, and event sources feeding the processors. `close()` stops taking requests, lets queued and in-flight work finish, then stops.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '@revbot/testing/listen-on-loopback';
import { LocalQueue } from '@revbot/testing/local-queue';
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
}

export interface RunningLocalServer {
  url: string;
  queues: Map<string, LocalQueue>;
  queueUrl(name: string): string;
  /** Waits until every queue is empty and no batch is being processed. */
  drained(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Builds the queues first, so handlers can be given their URLs before the server starts. */
export function createLocalQueues(
  specs: Omit<LocalQueueSpec, 'handler'>[],
): Map<string, LocalQueue> {
  const queues = new Map<string, LocalQueue>();
  for (const spec of specs) {
    const dlq = new LocalQueue({ name: spec.dlqName, visibilityTimeoutSeconds: 30 });
    const queue = new LocalQueue({
      name: spec.name,
      visibilityTimeoutSeconds: spec.visibilityTimeoutSeconds,
      maxReceiveCount: spec.maxReceiveCount,
      deadLetterQueue: dlq,
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

  const server: Server = createServer((req, res) => {
    void (async () => {
      if (closing || !handleSqs) {
        res.writeHead(503, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ message: 'Shutting down' }));
        return;
      }
      if (isSqsRequest(req)) return handleSqs(req, res, baseUrl);
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
  baseUrl = (await listenOnLoopback(server, { port: options.port, host: options.host })).url;
  try {
    app = typeof options.app === 'function' ? await options.app(baseUrl) : options.app;
  } catch (error) {
    server.close();
    throw error;
  }
  queues = createLocalQueues(app.queues);
  handleSqs = createSqsEndpoint([...queues.values()]);

  const sources = app.queues.map((spec) => {
    const queue = queues.get(spec.name) as LocalQueue;
    const source = new EventSource({
      queue,
      handler: spec.handler,
      batchSize: spec.batchSize ?? 1,
      idlePollMs: 100,
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
      // In-flight HTTP requests finish; then queued work drains before the processors stop.
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await serverClosed;
      // In the apps' queue order: a processor's work feeds later queues (answers → deliveries).
      for (const source of sources) await source.drained(60_000).catch(() => undefined);
      await Promise.all(sources.map((source) => source.stop()));
    },
  };
}
