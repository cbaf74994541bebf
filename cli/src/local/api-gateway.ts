/**
 * The local form of API Gateway's REST API Lambda proxy integration: turns a Node HTTP request
 * into the `APIGatewayProxyEvent` the deployed handler receives and writes its result back, so
 * the local stack mounts the very handlers the Lambdas export (no second implementation).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { proxyEvent } from '@revbot/testing/api-gateway-events';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

export type ProxyHandler = (
  event: APIGatewayProxyEvent,
  context: Context,
) => Promise<APIGatewayProxyResult>;

export interface Route {
  method: string;
  /** API Gateway resource path, e.g. `/webhook/{trackingId}`. */
  resource: string;
  handler: ProxyHandler;
  /** Function name reported in the Lambda context. */
  functionName: string;
}

/** API Gateway's payload limit for REST APIs. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Matches a path whose segments are valid percent-encoding (decoding a parameter may throw). */
export function matchRoute(
  routes: Route[],
  method: string,
  path: string,
): { route: Route; pathParameters: Record<string, string> } | undefined {
  const parts = path.split('/').filter(Boolean);
  for (const route of routes) {
    if (route.method !== method) continue;
    const template = route.resource.split('/').filter(Boolean);
    if (template.length !== parts.length) continue;
    const pathParameters: Record<string, string> = {};
    const matches = template.every((segment, i) => {
      const part = parts[i] as string;
      if (segment.startsWith('{') && segment.endsWith('}')) {
        pathParameters[segment.slice(1, -1)] = decodeURIComponent(part);
        return true;
      }
      return segment === part;
    });
    if (matches) return { route, pathParameters };
  }
  return undefined;
}

export function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export function toProxyEvent(
  req: IncomingMessage,
  body: Buffer,
  route: Route,
  pathParameters: Record<string, string>,
  stage: string,
): APIGatewayProxyEvent {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const value = req.rawHeaders[i + 1] as string;
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) {
    query[key] = value;
    multiQuery[key] = [...(multiQuery[key] ?? []), value];
  }
  return proxyEvent({
    method: route.method,
    resource: route.resource,
    path: url.pathname,
    headers,
    multiValueHeaders,
    query: Object.keys(query).length > 0 ? { single: query, multi: multiQuery } : undefined,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
    body: body.length > 0 ? body.toString('utf8') : null,
    stage,
    protocol: `HTTP/${req.httpVersion}`,
    caller: {
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      userAgent: req.headers['user-agent'] ?? null,
    },
    apiKey: typeof req.headers['x-api-key'] === 'string' ? req.headers['x-api-key'] : null,
    ids: { accountId: '000000000000', apiId: 'local', resourceId: 'local' },
  });
}

/**
 * The body, or undefined past MAX_BODY_BYTES. Past the limit it stops keeping chunks but leaves
 * the stream flowing, so the rest is read and dropped instead of the socket being torn down
 * before the 413 reaches the client.
 */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData).off('end', onEnd);
      req.resume();
      resolve(undefined);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

const send = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
};

/**
 * 413 with `Connection: close`: the connection cannot be reused (the rest of the body is still
 * arriving), so say so; Node then ends the socket once the answer is flushed.
 */
function refuseTooLarge(res: ServerResponse): void {
  send(res, 413, { message: 'Request Too Long' }, { connection: 'close' });
}

/** The request's path if every segment is valid percent-encoding, else undefined. */
function requestPath(req: IncomingMessage): string | undefined {
  try {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    for (const segment of path.split('/')) decodeURIComponent(segment);
    return path;
  } catch {
    return undefined;
  }
}

/** Serves `routes` the way API Gateway would, answering its own 400, 404 and 413 errors. */
export async function serveProxyRoute(
  routes: Route[],
  req: IncomingMessage,
  res: ServerResponse,
  stage: string,
): Promise<boolean> {
  const path = requestPath(req);
  if (path === undefined) {
    send(res, 400, { message: 'Malformed request path: invalid percent-encoding' });
    return true;
  }
  const match = matchRoute(routes, req.method ?? 'GET', path);
  if (!match) return false;
  const body = await readBody(req);
  if (body === undefined) {
    refuseTooLarge(res);
    return true;
  }
  const event = toProxyEvent(req, body, match.route, match.pathParameters, stage);
  let result: APIGatewayProxyResult;
  try {
    result = await match.route.handler(event, lambdaContext(match.route.functionName));
  } catch {
    // API Gateway's own answer when the integration fails.
    send(res, 502, { message: 'Internal server error' });
    return true;
  }
  const headers: Record<string, string | number | boolean | string[]> = { ...result.headers };
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    headers[name] = values.map(String);
  }
  res.writeHead(result.statusCode, headers as Record<string, string>);
  res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
  return true;
}
