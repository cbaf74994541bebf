/**
 * The webhook channel end to end through the three Lambda entry points exactly as deployed
 * (`webhook-gateway/handler.ts`, `webhook-processor/handler.ts`, `webhook-delivery/handler.ts`,
 * configured by environment), with
 * every AWS service they call served on 127.0.0.1 in its own wire protocol: DynamoDB (dynalite),
 * SQS (the local stack's JSON-protocol endpoint), S3 PutObject, and Bedrock InvokeAgent
 * replaying a recorded stream. The answer arrives at a receiver that verifies its Standard
 * Webhooks signature with the `standardwebhooks` library.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { toSqsRecord } from '@revbot/cli';
import { getWebhookStatus, postWebhook } from '@revbot/testing/api-gateway-events';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '@revbot/testing/embedded-dynamodb';
import { BEDROCK_TRACES_DIR } from '@revbot/testing/fixtures';
import {
  encodeEvent,
  type InvokeAgentServer,
  type RecordedEvent,
  startInvokeAgentServer,
} from '@revbot/testing/invoke-agent-server';
import { LocalQueue } from '@revbot/testing/local-queue';
import { type LocalS3, startLocalS3 } from '@revbot/testing/local-s3';
import { type LocalSqs, startLocalSqs } from '@revbot/testing/sqs-endpoint';
import { startWebhookReceiver, type WebhookReceiver } from '@revbot/testing/webhook-receiver';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context, SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SECRET = `whsec_${Buffer.from('revbot end-to-end signing key!!').toString('base64')}`;
const TABLE = 'revops-e2e-webhook-requests';
const IDEMPOTENCY_TABLE = 'revops-e2e-webhook-idempotency';
const BUCKET = 'revops-e2e-conversations-000000000000-us-east-1';
const FIXTURE = path.join(BEDROCK_TRACES_DIR, '01-supervisor-nested-collaborators.json');

let dynamo: EmbeddedDynamoDb;
let sqs: LocalSqs;
let queue: LocalQueue;
let deliveryQueue: LocalQueue;
let s3: LocalS3;
let bedrock: InvokeAgentServer;
let receiver: WebhookReceiver;
let gateway: (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult>;
type SqsLambda = (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: unknown[] }>;
let processor: SqsLambda;
let delivery: SqsLambda;
const savedEnv = { ...process.env };

const lambdaContext = (functionName: string): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
  memoryLimitInMB: '1024',
  awsRequestId: `req-${Date.now()}`,
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'e2e',
  getRemainingTimeInMillis: () => 900_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** What the SQS event source mapping does: receive, invoke, delete what succeeded. */
async function runEventSourceOnce(
  from: LocalQueue = queue,
  lambda: SqsLambda = processor,
  name = 'revops-e2e-webhook-processor',
): Promise<number> {
  const messages = from.receive(10);
  if (messages.length === 0) return 0;
  const records = messages.map((m) => toSqsRecord(m, from.name, 'us-east-1'));
  const { batchItemFailures } = await lambda({ Records: records }, lambdaContext(name));
  const failed = new Set(
    (batchItemFailures as { itemIdentifier: string }[]).map((f) => f.itemIdentifier),
  );
  for (const record of records)
    if (!failed.has(record.messageId)) from.delete(record.receiptHandle);
  return records.length;
}

// biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted on field by field
const json = (response: APIGatewayProxyResult) => JSON.parse(response.body) as Record<string, any>;

beforeAll(async () => {
  dynamo = await startEmbeddedDynamoDb();
  await dynamo.createTable(TABLE, 'tracking_id');
  await dynamo.createTable(IDEMPOTENCY_TABLE, 'id');

  queue = new LocalQueue({ name: 'revops-e2e-webhook-queue', visibilityTimeoutSeconds: 5400 });
  deliveryQueue = new LocalQueue({
    name: 'revops-e2e-webhook-delivery-queue',
    visibilityTimeoutSeconds: 180,
  });
  const deliveryDlq = new LocalQueue({
    name: 'revops-e2e-webhook-delivery-dlq',
    visibilityTimeoutSeconds: 30,
  });
  sqs = await startLocalSqs([queue, deliveryQueue, deliveryDlq]);

  s3 = await startLocalS3();
  bedrock = await startInvokeAgentServer();
  receiver = await startWebhookReceiver({ port: 0, secret: SECRET });

  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
    AWS_SECRET_ACCESS_KEY: 'local-secret',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SQS: sqs.url,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_BEDROCK_AGENT_RUNTIME: bedrock.endpoint,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
    WEBHOOK_REQUESTS_TABLE: TABLE,
    WEBHOOK_QUEUE_URL: sqs.queueUrl(queue.name),
    WEBHOOK_DELIVERY_QUEUE_URL: sqs.queueUrl(deliveryQueue.name),
    WEBHOOK_DELIVERY_DLQ_URL: sqs.queueUrl(deliveryDlq.name),
    IDEMPOTENCY_TABLE,
    WEBHOOK_ALLOWED_URLS: `${receiver.url}/`,
    WEBHOOK_URL: '',
    WEBHOOK_SIGNING_SECRET: SECRET,
    CONVERSATION_BUCKET: BUCKET,
    MANAGER_AGENT_ID: 'MGRAGENT01',
    MANAGER_AGENT_ALIAS_ID: 'LIVEALIAS1',
    AGENT_RUNTIME: 'bedrock-agents',
  });
  delete process.env.REVBOT_API_KEYS;
  delete process.env.WEBHOOK_SIGNING_SECRET_ARN;

  // The entry points read their configuration when loaded, as a Lambda container does.
  ({ handler: gateway } = await import('@revbot/lambdas/webhook-gateway/handler'));
  ({ handler: processor } = (await import('@revbot/lambdas/webhook-processor/handler')) as never);
  ({ handler: delivery } = (await import('@revbot/lambdas/webhook-delivery/handler')) as never);
});

afterAll(async () => {
  process.env = savedEnv;
  await receiver?.close();
  await bedrock?.close();
  await s3?.close();
  await sqs?.close();
  await dynamo?.close();
});

describe('webhook channel, end to end', () => {
  it('answers a POST at the caller’s webhook with a verified signature and by GET', async () => {
    const recorded = JSON.parse(readFileSync(FIXTURE, 'utf8')) as RecordedEvent[];
    bedrock.reply({ stream: recorded.map(encodeEvent) });

    const accepted = await gateway(
      postWebhook(
        {
          query: 'Find the sum of 1, 2, 3, 4, 5, 6, 7, 8, 9, and 10.',
          source_system: 'crm',
          source_process: 'e2e',
          callback_url: `${receiver.url}/hooks/revbot`,
          metadata: { ticket: 'T-1' },
        },
        { headers: { Host: '127.0.0.1:3000' } },
      ),
      lambdaContext('revops-e2e-webhook-gateway'),
    );
    expect(accepted.statusCode).toBe(202);
    const { tracking_id: trackingId, status_url: statusUrl } = json(accepted);
    expect(statusUrl).toBe(`http://127.0.0.1:3000/webhook/${trackingId}`);
    expect(json(await gateway(getWebhookStatus(trackingId))).status).toBe('queued');
    expect(queue.size).toBe(1);

    expect(await runEventSourceOnce()).toBe(1);
    expect(queue.size).toBe(0);
    // The answer is stored; the delivery stage has it.
    expect(json(await gateway(getWebhookStatus(trackingId))).status).toBe('delivering');
    expect(deliveryQueue.size).toBe(1);
    expect(await runEventSourceOnce(deliveryQueue, delivery, 'revops-e2e-webhook-delivery')).toBe(
      1,
    );
    expect(deliveryQueue.size).toBe(0);

    const delivered = await receiver.next(5_000);
    expect(delivered.verified).toBe(true);
    expect(delivered.id).toBe(`msg_${trackingId}`);
    expect(delivered.payload).toMatchObject({
      tracking_id: trackingId,
      source_system: 'crm',
      source_process: 'e2e',
      original_query: 'Find the sum of 1, 2, 3, 4, 5, 6, 7, 8, 9, and 10.',
      ai_response: {
        response: 'The sum of the numbers 1, 2, 3, 4, 5, 6, 7, 8, 9, and 10 is 55.',
        response_plain: 'The sum of the numbers 1, 2, 3, 4, 5, 6, 7, 8, 9, and 10 is 55.',
        session_id: `webhook_${trackingId}`,
      },
      webhook_metadata: { webhook_url: `${receiver.url}/hooks/revbot` },
      metadata: { ticket: 'T-1' },
    });

    const status = json(await gateway(getWebhookStatus(trackingId)));
    expect(status).toMatchObject({
      status: 'completed',
      response: 'The sum of the numbers 1, 2, 3, 4, 5, 6, 7, 8, 9, and 10 is 55.',
      delivery: { status: 'delivered', attempts: 1, http_status: 204 },
      metadata: { ticket: 'T-1' },
    });

    // InvokeAgent on the Manager alias, in the webhook session, with traces on.
    expect(bedrock.requests).toHaveLength(1);
    expect(bedrock.requests[0]?.path).toContain(
      '/agents/MGRAGENT01/agentAliases/LIVEALIAS1/sessions/',
    );
    expect(bedrock.requests[0]?.path).toContain(`webhook_${trackingId}`);
    expect(bedrock.requests[0]?.body).toMatchObject({
      inputText: 'Find the sum of 1, 2, 3, 4, 5, 6, 7, 8, 9, and 10.',
      enableTrace: true,
    });

    // The traced conversation in the conversation-history layout, encrypted at rest.
    const keys = s3.objects.map((o) => o.key);
    const folder = keys
      .find((k) => k.endsWith('conversation.json'))
      ?.replace('conversation.json', '');
    expect(folder).toMatch(
      new RegExp(
        `^conversation-history/\\d{4}/\\d{2}/\\d{2}/\\d{8}T\\d{6}\\.\\d{3}Z_${trackingId}/$`,
      ),
    );
    expect(keys).toEqual([`${folder}conversation.json`, `${folder}metadata.json`]);
    expect(
      s3.objects.every((o) => o.bucket === BUCKET && o.serverSideEncryption === 'AES256'),
    ).toBe(true);
    const conversation = JSON.parse(s3.objects[0]?.body ?? '{}');
    expect(conversation).toMatchObject({
      channel: { kind: 'webhook', tracking_id: trackingId, source_system: 'crm' },
      status: 'completed',
    });
    expect(conversation.agent_flow.length).toBeGreaterThan(1);
  });

  it('accepts metadata DynamoDB types could not hold and echoes it by GET', async () => {
    const metadata = { big: 1e200, deep: { a: { b: { c: [1, { d: 'e' }] } } } };
    const accepted = await gateway(postWebhook({ query: 'q', source_system: 'crm', metadata }));
    expect(accepted.statusCode).toBe(202);
    const status = json(await gateway(getWebhookStatus(json(accepted).tracking_id)));
    expect(status.metadata).toEqual(metadata);
    queue.purge();
  });

  it('refuses bad input at the gateway with field-level errors and queues nothing', async () => {
    const before = queue.size;
    const response = await gateway(
      postWebhook({
        query: '',
        source_system: 'crm',
        callback_url: 'https://elsewhere.example.com/',
      }),
    );
    expect(response.statusCode).toBe(400);
    expect(json(response).error.details).toEqual([
      { field: 'query', message: 'must not be empty' },
      { field: 'callback_url', message: "is not in RevBot's webhook allowlist" },
    ]);
    expect(queue.size).toBe(before);
  });
});
