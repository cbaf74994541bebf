import { createServer, type Server } from 'node:http';
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

  it('answers 502 when the handler throws, as API Gateway does', async () => {
    const response = await fetch(`${base}/boom`);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ message: 'Internal server error' });
  });
});
