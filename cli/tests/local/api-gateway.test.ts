import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { type ListeningServer, listenOnLoopback } from '@revbot/testing/listen-on-loopback';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_BODY_BYTES,
  matchRoute,
  type Route,
  serveProxyRoute,
} from '../../src/local/api-gateway';

describe('matchRoute', () => {
  const route = (method: string, resource: string): Route => ({
    method,
    resource,
    functionName: 'f',
    handler: async () => ({ statusCode: 200, body: '' }),
  });
  const routes = [route('POST', '/webhook'), route('GET', '/webhook/{trackingId}')];

  it('matches a path template and decodes its parameters', () => {
    expect(matchRoute(routes, 'GET', '/webhook/abc%20d')?.pathParameters).toEqual({
      trackingId: 'abc d',
    });
  });

  it('matches neither another method nor a longer path', () => {
    expect(matchRoute(routes, 'GET', '/webhook')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/webhook/a/b')).toBeUndefined();
  });
});

describe('serveProxyRoute', () => {
  let server: Server;
  let base: string;
  let listening: ListeningServer;
  let seen: APIGatewayProxyEvent | undefined;
  const routes: Route[] = [
    {
      method: 'POST',
      resource: '/things/{id}',
      functionName: 'revops-local-things',
      handler: async (event, context) => {
        seen = event;
        return {
          statusCode: 202,
          headers: { 'x-function': context.functionName },
          body: JSON.stringify({ ok: true }),
        };
      },
    },
    {
      method: 'GET',
      resource: '/boom',
      functionName: 'boom',
      handler: async () => {
        throw new Error('unexpected');
      },
    },
  ];

  beforeEach(async () => {
    server = createServer((req, res) => {
      void serveProxyRoute(routes, req, res, 'local').then((served) => {
        if (!served) res.writeHead(404).end();
      });
    });
    listening = await listenOnLoopback(server);
    base = listening.url;
  });
  afterEach(() => listening.close());

  it('hands the handler the REST API proxy event and returns its response', async () => {
    const response = await fetch(`${base}/things/42?x=1&x=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Api-Key': 'k1' },
      body: '{"a":1}',
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('x-function')).toBe('revops-local-things');
    expect(seen).toMatchObject({
      resource: '/things/{id}',
      path: '/things/42',
      httpMethod: 'POST',
      body: '{"a":1}',
      isBase64Encoded: false,
      pathParameters: { id: '42' },
      queryStringParameters: { x: '2' },
      multiValueQueryStringParameters: { x: ['1', '2'] },
      requestContext: { stage: 'local', identity: { apiKey: 'k1' } },
    });
    expect(seen?.headers['X-Api-Key']).toBe('k1');
  });

  it('answers 413 above API Gateway’s payload limit without calling the handler', async () => {
    seen = undefined;
    const response = await fetch(`${base}/things/1`, {
      method: 'POST',
      body: 'x'.repeat(MAX_BODY_BYTES + 1),
    });
    expect(response.status).toBe(413);
    expect(seen).toBeUndefined();
  });

  it('closes the connection cleanly after a 413: Connection: close, whole answer, then end', async () => {
    seen = undefined;
    const socket = connect(listening.port, '127.0.0.1');
    const received: Buffer[] = [];
    socket.on('data', (chunk) => received.push(chunk));
    const closed = new Promise<{ error?: Error }>((resolve) => {
      socket.once('error', (error) => resolve({ error }));
      socket.once('end', () => resolve({}));
    });
    socket.write(
      `POST /things/1 HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\nContent-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n`,
    );
    socket.write(Buffer.alloc(MAX_BODY_BYTES + 1, 'x'));
    expect(await closed).toEqual({});
    socket.destroy();
    const [head = '', payload] = Buffer.concat(received).toString('utf8').split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 413 /);
    expect(head.toLowerCase()).toContain('connection: close');
    expect(head.toLowerCase()).not.toContain('keep-alive');
    expect(JSON.parse(payload ?? '')).toEqual({ message: 'Request Too Long' });
    expect(seen).toBeUndefined();
  });

  it.each(['/things/%E0%A4%A', '/things/%', '/things/%ZZ'])(
    'answers 400 for the malformed path %s without calling the handler',
    async (path) => {
      seen = undefined;
      const response = await fetch(`${base}${path}`, { method: 'POST', body: '{}' });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        message: 'Malformed request path: invalid percent-encoding',
      });
      expect(seen).toBeUndefined();
    },
  );

  it('answers 502 when the handler throws, as API Gateway does', async () => {
    const response = await fetch(`${base}/boom`);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ message: 'Internal server error' });
  });
});
