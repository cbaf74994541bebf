/**
 * The one local webhook receiver, for `revbot listen`, tests and benchmarks. It records every
 * request as it arrived (method, path, headers, raw body, TLS server name) and, given a secret,
 * verifies its Standard Webhooks signature with the `standardwebhooks` package, as RevBot's
 * users' receivers do. Answers can be scripted (status, headers, or no answer at all); otherwise
 * it answers 204, or 401 to a delivery whose signature fails.
 */
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { Webhook } from 'standardwebhooks';
import { listenOnLoopback } from './listen-on-loopback';

export interface ReceivedRequest {
  /** The `webhook-id` header. */
  id: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The raw body, so tests verify signatures on exactly the bytes that arrived. */
  body: string;
  /** Milliseconds since the epoch. */
  receivedAt: number;
  /** TLS server name the client asked for (https only). */
  servername?: string;
  /** Whether the signature verified (always false without a secret). */
  verified: boolean;
  /** Why verification failed, when it did. */
  error?: string;
  /** The JSON body (the raw text when it is not JSON). */
  payload: unknown;
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (the client's timeout must fire). */
  hang?: boolean;
}

export interface WebhookReceiverOptions {
  /** Port to listen on; a free one when absent or 0. */
  port?: number;
  host?: string;
  /** `whsec_<base64>` or the bare base64 key: verify each delivery's signature with it. */
  secret?: string;
  /** The answer once scripted answers are used up, when there is no secret to judge by. */
  fallback?: ScriptedAnswer;
  tls?: { key: string; cert: string };
  onDelivery?: (request: ReceivedRequest) => void;
}

export interface WebhookReceiver {
  /** `http(s)://<host>:<port>`, without a trailing slash. */
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Answers given in order; once used up, the default answers. */
  script(...answers: ScriptedAnswer[]): void;
  /** Resolves with the next request not yet taken by `next`. */
  next(timeoutMs?: number): Promise<ReceivedRequest>;
  /** Resolves once `count` requests have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** Accepts `whsec_<base64>` or the bare base64 key stored in Secrets Manager. */
export const toWebhookSecret = (secret: string): string =>
  secret.startsWith('whsec_') ? secret : `whsec_${secret}`;

function parse(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

export async function startWebhookReceiver(
  options: WebhookReceiverOptions = {},
): Promise<WebhookReceiver> {
  const webhook = options.secret ? new Webhook(toWebhookSecret(options.secret)) : undefined;
  const requests: ReceivedRequest[] = [];
  const listeners = new Set<() => void>();
  let answers: ScriptedAnswer[] = [];
  let taken = 0;

  const receive = (req: IncomingMessage, body: string): ReceivedRequest => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      headers[name] = Array.isArray(value) ? value.join(', ') : (value ?? '');
    }
    let verified = false;
    let error: string | undefined;
    let payload: unknown;
    if (webhook) {
      try {
        payload = webhook.verify(body, headers);
        verified = true;
      } catch (cause) {
        error = cause instanceof Error ? cause.message : String(cause);
      }
    }
    return {
      id: headers['webhook-id'] ?? '',
      method: req.method ?? '',
      path: req.url ?? '',
      headers,
      body,
      receivedAt: Date.now(),
      servername: (req.socket as TLSSocket).servername || undefined,
      verified,
      error,
      payload: verified ? payload : parse(body),
    };
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = receive(req, Buffer.concat(chunks).toString('utf8'));
      requests.push(request);
      options.onDelivery?.(request);
      for (const listener of listeners) listener();
      const answer =
        answers.shift() ??
        (webhook
          ? { status: request.verified ? 204 : 401 }
          : (options.fallback ?? { status: 204 }));
      if (answer.hang) return;
      res.writeHead(answer.status, answer.headers);
      res.end(answer.body ?? '');
    });
  };
  const server = options.tls ? createHttpsServer(options.tls, handle) : createHttpServer(handle);
  const listening = await listenOnLoopback(server, options);

  /** Resolves once `ready()` holds, checking on every request. */
  const until = <T>(ready: () => T | undefined, timeoutMs: number, failure: () => string) => {
    const now = ready();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(failure()));
      }, timeoutMs);
      const check = () => {
        const value = ready();
        if (value === undefined) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve(value);
      };
      listeners.add(check);
    });
  };

  return {
    url: options.tls ? listening.url.replace(/^http:/, 'https:') : listening.url,
    port: listening.port,
    requests,
    script(...next) {
      answers = next;
    },
    next(timeoutMs = 10_000) {
      return until(
        () => {
          const request = requests[taken];
          if (request) taken += 1;
          return request;
        },
        timeoutMs,
        () => 'no webhook delivery arrived',
      );
    },
    waitFor(count, timeoutMs = 5_000) {
      return until(
        () => (requests.length >= count ? requests : undefined),
        timeoutMs,
        () => `expected ${count} requests, got ${requests.length}`,
      );
    },
    close: listening.close,
  };
}
