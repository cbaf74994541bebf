/**
 * What the local third-party API stand-ins (Gong, search) share: the requests they were sent, a
 * queue of responses a test injects to answer the next request instead of the stand-in, and
 * their loopback listener.
 */
import type { Server } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback';

/** A status, JSON body and headers to answer with instead of serving the request. */
export interface InjectedResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface LocalApiServer<R> {
  url: string;
  requests: R[];
  /** Answer the next request with this (status, JSON body, headers) instead of serving it. */
  injectResponse(response: InjectedResponse): void;
  close(): Promise<void>;
}

/** Listens on loopback; the server answers from `injected` first (shift it per request). */
export async function listenAsLocalApi<R>(
  server: Server,
  requests: R[],
  injected: InjectedResponse[],
  options: { port?: number; host?: string },
): Promise<LocalApiServer<R>> {
  const listening = await listenOnLoopback(server, options);
  return {
    url: listening.url,
    requests,
    injectResponse(response) {
      injected.push(response);
    },
    close: listening.close,
  };
}
