/**
 * API Gateway REST proxy events as the webhook API receives them (resource, method, headers,
 * stage path, request context), for driving the real gateway handler in tests and benchmarks,
 * and for the local API Gateway of `revbot local`, which fills in what a real request carries.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';

export interface ProxyEventInput {
  method: string;
  resource: string;
  path: string;
  headers?: Record<string, string>;
  /** @default each of `headers` as a one-value list */
  multiValueHeaders?: Record<string, string[]>;
  /** @default none (null, as API Gateway sends a request without a query string) */
  query?: { single: Record<string, string>; multi: Record<string, string[]> };
  body?: string | null;
  pathParameters?: Record<string, string> | null;
  isBase64Encoded?: boolean;
  /** API Gateway's domain; set to mimic a deployed API (status URLs become https). */
  domainName?: string;
  stage?: string;
  /** @default 'HTTP/1.1' */
  protocol?: string;
  /** The caller API Gateway saw. @default a documentation address (203.0.113.7), agent 'test' */
  caller?: { sourceIp: string; userAgent: string | null };
  /** @default the `x-api-key` header, or null */
  apiKey?: string | null;
  /** Account, API and resource ids. @default made-up ids of a deployed API */
  ids?: { accountId: string; apiId: string; resourceId: string };
  /** @default now */
  requestTimeEpoch?: number;
}

const DEPLOYED_IDS = { accountId: '123456789012', apiId: 'abc123defg', resourceId: 'res123' };

/** The event API Gateway's REST proxy integration hands the Lambda, every field filled. */
export function proxyEvent(input: ProxyEventInput): APIGatewayProxyEvent {
  const stage = input.stage ?? 'dev';
  const ids = input.ids ?? DEPLOYED_IDS;
  const caller = input.caller ?? { sourceIp: '203.0.113.7', userAgent: 'test' };
  return {
    resource: input.resource,
    path: input.path,
    httpMethod: input.method,
    headers: input.headers ?? {},
    multiValueHeaders:
      input.multiValueHeaders ??
      Object.fromEntries(Object.entries(input.headers ?? {}).map(([key, value]) => [key, [value]])),
    queryStringParameters: input.query?.single ?? null,
    multiValueQueryStringParameters: input.query?.multi ?? null,
    pathParameters: input.pathParameters ?? null,
    stageVariables: null,
    body: input.body ?? null,
    isBase64Encoded: input.isBase64Encoded ?? false,
    requestContext: {
      accountId: ids.accountId,
      apiId: ids.apiId,
      authorizer: undefined,
      protocol: input.protocol ?? 'HTTP/1.1',
      httpMethod: input.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: input.apiKey !== undefined ? input.apiKey : (input.headers?.['x-api-key'] ?? null),
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: caller.sourceIp,
        user: null,
        userAgent: caller.userAgent,
        userArn: null,
      },
      domainName: input.domainName,
      path: `/${stage}${input.path}`,
      stage,
      requestId: randomUUID(),
      requestTimeEpoch: input.requestTimeEpoch ?? Date.now(),
      resourceId: ids.resourceId,
      resourcePath: input.resource,
    },
  };
}

/** `POST /webhook` with a JSON body (an object is serialized; a string is sent as is). */
export function postWebhook(
  body: unknown,
  options: { headers?: Record<string, string>; domainName?: string } = {},
): APIGatewayProxyEvent {
  return proxyEvent({
    method: 'POST',
    resource: '/webhook',
    path: '/webhook',
    headers: { 'Content-Type': 'application/json', ...options.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    domainName: options.domainName,
  });
}

export function getWebhookStatus(
  trackingId: string,
  headers: Record<string, string> = {},
): APIGatewayProxyEvent {
  return proxyEvent({
    method: 'GET',
    resource: '/webhook/{trackingId}',
    path: `/webhook/${trackingId}`,
    headers,
    pathParameters: { trackingId },
  });
}
