/**
 * API Gateway REST proxy events as the webhook API receives them (resource, method, headers,
 * stage path, request context), for driving the real gateway handler in tests and benchmarks.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';

export interface ProxyEventInput {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  resource: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | null;
  pathParameters?: Record<string, string> | null;
  isBase64Encoded?: boolean;
  /** API Gateway's domain; set to mimic a deployed API (status URLs become https). */
  domainName?: string;
  stage?: string;
}

export function proxyEvent(input: ProxyEventInput): APIGatewayProxyEvent {
  const stage = input.stage ?? 'dev';
  return {
    resource: input.resource,
    path: input.path,
    httpMethod: input.method,
    headers: input.headers ?? {},
    multiValueHeaders: Object.fromEntries(
      Object.entries(input.headers ?? {}).map(([key, value]) => [key, [value]]),
    ),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: input.pathParameters ?? null,
    stageVariables: null,
    body: input.body ?? null,
    isBase64Encoded: input.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123defg',
      authorizer: undefined,
      protocol: 'HTTP/1.1',
      httpMethod: input.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: input.headers?.['x-api-key'] ?? null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '203.0.113.7',
        user: null,
        userAgent: 'test',
        userArn: null,
      },
      domainName: input.domainName,
      path: `/${stage}${input.path}`,
      stage,
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'res123',
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
