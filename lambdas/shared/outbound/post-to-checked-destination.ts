/**
 * One HTTP(S) POST to a destination the SSRF guard has checked, connecting to the checked
 * address itself (no second DNS lookup), with TLS still verified against the URL's host name
 * (SNI + certificate check). Redirects are returned, never followed; the response body is read
 * up to a small bound and discarded.
 */

import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import type { CheckedDestination } from './assert-allowed-destination';
import { NetworkError } from './errors';

export interface PostResult {
  status: number;
  headers: IncomingHttpHeaders;
}

export interface PostOptions {
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Extra trusted CA certificates (PEM), e.g. a private CA; the system's stay trusted. */
  ca?: string | string[];
}

/** Most of a receiver's answer RevBot reads before closing the connection. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export function postToCheckedDestination(
  destination: CheckedDestination,
  options: PostOptions,
): Promise<PostResult> {
  const { url } = destination;
  const secure = url.protocol === 'https:';
  const body = Buffer.from(options.body, 'utf8');
  const send = secure ? httpsRequest : httpRequest;
  return new Promise<PostResult>((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, result?: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(result as PostResult);
    };
    const req = send({
      host: destination.address,
      family: destination.family,
      port: destination.port,
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      // A fresh connection per attempt: a pooled socket could belong to an earlier address.
      agent: false,
      headers: {
        ...options.headers,
        host: url.host,
        'content-length': String(body.length),
        connection: 'close',
      },
      ...(secure
        ? {
            servername: isIP(destination.hostname) === 0 ? destination.hostname : undefined,
            ca: options.ca === undefined ? undefined : withSystemCas(options.ca),
          }
        : {}),
    });
    const timer = setTimeout(() => {
      req.destroy();
      finish(new NetworkError(`no answer within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    req.on('error', (error) =>
      finish(new NetworkError(describeSocketError(error), { cause: error })),
    );
    req.on('response', (res) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_RESPONSE_BYTES) res.destroy();
      });
      const done = () => finish(undefined, { status: res.statusCode ?? 0, headers: res.headers });
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    req.end(body);
  });
}

function withSystemCas(extra: string | string[]): string[] {
  // Giving `ca` replaces Node's bundled roots; keep them and add the extra ones.
  return [...rootCertificates, ...(Array.isArray(extra) ? extra : [extra])];
}

function describeSocketError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ETIMEDOUT':
      return 'connection timed out';
    default:
      // TLS errors name the certificate problem (e.g. "Hostname/IP does not match…").
      return error.code ? `${error.code}: ${error.message}` : error.message;
  }
}
