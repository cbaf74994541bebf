/**
 * What the handler reads from an API Gateway proxy event: the route, headers by lower-case name,
 * and the body as the bytes Slack signed (API Gateway hands binary or non-UTF-8 bodies over
 * base64-encoded).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';

/** The part of a proxy event the handler uses; the local stack builds just this much. */
export type SlackGatewayRequest = Partial<
  Pick<
    APIGatewayProxyEvent,
    'resource' | 'path' | 'headers' | 'multiValueHeaders' | 'body' | 'isBase64Encoded'
  >
>;

export type SlackRoute = 'events' | 'interactions';

export function routeOf(request: SlackGatewayRequest): SlackRoute | null {
  const path = request.resource || request.path || '';
  if (path.endsWith('/slack/events')) return 'events';
  if (path.endsWith('/slack/interactions')) return 'interactions';
  return null;
}

export function headersOf(request: SlackGatewayRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, values] of Object.entries(request.multiValueHeaders ?? {})) {
    const first = values?.[0];
    if (first !== undefined) headers[name.toLowerCase()] = first;
  }
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  return headers;
}

export function rawBodyOf(request: SlackGatewayRequest): Buffer {
  const body = request.body ?? '';
  return Buffer.from(body, request.isBase64Encoded ? 'base64' : 'utf8');
}
