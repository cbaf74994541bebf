import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type CfnElement, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, newRevbotApp, type RevbotStacks } from '../../lib/app';
import { nagErrors } from '../nag-report';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
// biome-ignore lint/suspicious/noExplicitAny: template properties are asserted on field by field
type Resource = { Type: string; Properties: Record<string, any> };

let outdir: string;
let stacks: RevbotStacks;
let template: Template;

const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stacks.webhook.getLogicalId(construct.node.defaultChild as CfnElement);
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resources = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

/** Every statement of the policies attached to a role of this stack. */
function statementsOf(role: { node: { defaultChild?: unknown } }): Statement[] {
  const roleId = logicalId(role);
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .map((p) => (p as Resource).Properties)
    .filter((p) => (p.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
    .flatMap((p) => p.PolicyDocument.Statement as Statement[]);
}

const tableArn = () => ({ 'Fn::GetAtt': [logicalId(stacks.webhook.requestsTable), 'Arn'] });
const queueArn = () => ({ 'Fn::GetAtt': [logicalId(stacks.webhook.processing.queue), 'Arn'] });
const deliveryQueueArn = () => ({
  'Fn::GetAtt': [logicalId(stacks.webhook.delivery.queue), 'Arn'],
});

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'revbot-webhook-stack-'));
  const app = newRevbotApp({
    outdir,
    context: {
      stage: 'test',
      webhookAllowedUrls: 'https://hooks.crm.example/revbot/',
      webhookUrl: 'https://hooks.crm.example/revbot/answers',
      // Bundle only this stack's Lambdas: enough to prove both handlers build.
      'aws:cdk:bundling-stacks': ['WebhookGateway'],
    },
  });
  stacks = buildApp(app);
  app.synth();
  template = Template.fromStack(stacks.webhook);
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('webhook gateway stack', () => {
  it('serves POST /webhook and GET /webhook/{trackingId} through the gateway Lambda, API key required', () => {
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'webhook' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{trackingId}' });
    const gatewayArn = { 'Fn::GetAtt': [logicalId(stacks.webhook.gateway.function), 'Arn'] };
    for (const method of ['POST', 'GET']) {
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: method,
        ApiKeyRequired: true,
        Integration: {
          Type: 'AWS_PROXY',
          IntegrationHttpMethod: 'POST',
          Uri: { 'Fn::Join': ['', Match.arrayWith([gatewayArn])] },
        },
      });
    }
    // POST /webhook, GET /webhook/{trackingId}, POST /webhook/{trackingId}/approval.
    template.resourceCountIs('AWS::ApiGateway::Method', 3);
  });

  it('serves POST /webhook/{trackingId}/approval through the gateway Lambda, API key required', () => {
    const resources = template.findResources('AWS::ApiGateway::Resource', {
      Properties: { PathPart: 'approval' },
    });
    const [approval] = Object.keys(resources);
    expect(approval).toBeDefined();
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      ApiKeyRequired: true,
      ResourceId: { Ref: approval },
      Integration: { Type: 'AWS_PROXY' },
    });
  });

  it('binds an API key to a throttled usage plan with a daily quota on the stage', () => {
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 10, BurstLimit: 20 },
      Quota: { Limit: 10_000, Period: 'DAY' },
      ApiStages: [Match.objectLike({ Stage: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlanKey', { KeyType: 'API_KEY' });
  });

  it('throttles asking and status polling separately, the stage throttle for anything else', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 20,
          ThrottlingBurstLimit: 40,
        }),
        Match.objectLike({
          HttpMethod: 'POST',
          ResourcePath: '/~1webhook',
          ThrottlingRateLimit: 10,
          ThrottlingBurstLimit: 20,
        }),
        Match.objectLike({
          HttpMethod: 'GET',
          ResourcePath: '/~1webhook~1{trackingId}',
          ThrottlingRateLimit: 20,
          ThrottlingBurstLimit: 40,
        }),
      ],
    });
  });

  it('lets the queue start at most five processors at once, so a burst cannot exhaust Bedrock', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: queueArn(),
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it("answers API Gateway's own refusals in the API's error shape", () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'INVALID_API_KEY',
      ResponseTemplates: {
        'application/json':
          '{"success":false,"error":{"code":"INVALID_API_KEY","message":$context.error.messageString,"details":{"request_id":"$context.requestId"}}}',
      },
    });
    for (const type of ['THROTTLED', 'QUOTA_EXCEEDED', 'DEFAULT_4XX', 'DEFAULT_5XX']) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: type });
    }
  });

  it('feeds the processor from the queue with partial batch failure reporting', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: queueArn(),
      FunctionName: { Ref: logicalId(stacks.webhook.processing.processor.function) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 1,
    });
  });

  it('sends a message to the DLQ after three receives, with visibility six times the processor timeout', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'revops-test-webhook-queue',
      VisibilityTimeout: 6 * 15 * 60,
      RedrivePolicy: {
        deadLetterTargetArn: {
          'Fn::GetAtt': [logicalId(stacks.webhook.processing.deadLetterQueue), 'Arn'],
        },
        maxReceiveCount: 3,
      },
      SqsManagedSseEnabled: true,
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'revops-test-webhook-dlq',
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('keeps request statuses in a table keyed by tracking_id that expires them', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'revops-test-webhook-requests',
      KeySchema: [{ AttributeName: 'tracking_id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('configures the gateway and the processor through their environment', () => {
    const env = (fn: { node: { defaultChild?: unknown } }) =>
      (template.toJSON().Resources[logicalId(fn)] as Resource).Properties.Environment.Variables;
    expect(env(stacks.webhook.gateway.function)).toMatchObject({
      WEBHOOK_REQUESTS_TABLE: { Ref: logicalId(stacks.webhook.requestsTable) },
      WEBHOOK_QUEUE_URL: { Ref: logicalId(stacks.webhook.processing.queue) },
      WEBHOOK_ALLOWED_URLS: 'https://hooks.crm.example/revbot/',
      WEBHOOK_URL: 'https://hooks.crm.example/revbot/answers',
      WEBHOOK_STATUS_TTL_DAYS: '7',
    });
    const processorEnv = env(stacks.webhook.processing.processor.function);
    expect(processorEnv).toMatchObject({
      WEBHOOK_REQUESTS_TABLE: { Ref: logicalId(stacks.webhook.requestsTable) },
      WEBHOOK_DELIVERY_QUEUE_URL: { Ref: logicalId(stacks.webhook.delivery.queue) },
      WEBHOOK_MAX_RECEIVE_COUNT: '3',
      WEBHOOK_URL: 'https://hooks.crm.example/revbot/answers',
    });
    // Signing is the delivery function's business alone.
    expect(processorEnv).not.toHaveProperty('WEBHOOK_SIGNING_SECRET_ARN');
    expect(env(stacks.webhook.delivery.processor.function)).toMatchObject({
      WEBHOOK_REQUESTS_TABLE: { Ref: logicalId(stacks.webhook.requestsTable) },
      WEBHOOK_SIGNING_SECRET_ARN: { Ref: logicalId(stacks.webhook.signingSecret) },
      WEBHOOK_DELIVERY_QUEUE_URL: { Ref: logicalId(stacks.webhook.delivery.queue) },
      WEBHOOK_DELIVERY_DLQ_URL: { Ref: logicalId(stacks.webhook.delivery.deadLetterQueue) },
      IDEMPOTENCY_TABLE: { Ref: logicalId(stacks.webhook.idempotencyTable) },
      WEBHOOK_RETRY_SCHEDULE: '',
      WEBHOOK_ALLOWED_URLS: 'https://hooks.crm.example/revbot/',
      WEBHOOK_URL: 'https://hooks.crm.example/revbot/answers',
    });
    expect(JSON.stringify(processorEnv.CONVERSATION_BUCKET)).toContain(
      'revops-test-conversations-',
    );
    expect(processorEnv).not.toHaveProperty('WEBHOOK_SIGNING_SECRET');
    expect(env(stacks.webhook.gateway.function)).not.toHaveProperty('REVBOT_API_KEYS');
  });

  it('lets the gateway create, read and update items of its table and send to its queue, nothing more', () => {
    const statements = statementsOf(stacks.webhook.gateway.role);
    const dynamo = statements.filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Resource: tableArn(),
      },
    ]);
    const sqs = statements.filter((s) => actions(s).some((a) => a.startsWith('sqs:')));
    expect(sqs).toEqual([{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: queueArn() }]);
    expect(statements.flatMap(actions).some((a) => a.startsWith('secretsmanager:'))).toBe(false);
    expect(statements.flatMap(resources)).not.toContain('*');
  });

  it('lets the processor read and update statuses, queue deliveries and write records', () => {
    const statements = statementsOf(stacks.webhook.processing.processor.role);
    const dynamo = statements.filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: tableArn(),
      },
    ]);
    expect(statements.flatMap(actions).some((a) => a.startsWith('secretsmanager:'))).toBe(false);
    const sends = statements.filter((s) => actions(s).includes('sqs:SendMessage'));
    expect(sends).toEqual([
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: deliveryQueueArn() },
    ]);
    const consume = statements.find((s) => actions(s).includes('sqs:ReceiveMessage'));
    expect(consume?.Resource).toEqual(queueArn());
    expect(actions(consume as Statement)).toContain('sqs:DeleteMessage');
    const s3 = statements.filter((s) => actions(s).some((a) => a.startsWith('s3:')));
    expect(s3.flatMap(actions)).toEqual(['s3:PutObject']);
    expect(JSON.stringify(s3[0]?.Resource)).toContain('conversation-history/*');
    expect(statements.flatMap(resources)).not.toContain('*');
  });

  it('feeds the delivery function from its own queue: one message per invocation, at most 20 at once', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stacks.webhook.delivery.processor.function) },
      EventSourceArn: deliveryQueueArn(),
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 20 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'revops-test-webhook-delivery',
      Timeout: 30,
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'revops-test-webhook-delivery-queue',
      VisibilityTimeout: 180,
      MaximumMessageSize: 1_048_576,
      RedrivePolicy: {
        deadLetterTargetArn: {
          'Fn::GetAtt': [logicalId(stacks.webhook.delivery.deadLetterQueue), 'Arn'],
        },
        maxReceiveCount: 5,
      },
    });
  });

  it('lets the delivery function read and update a status, use its idempotency keys, sign, and send only to its own queues', () => {
    const statements = statementsOf(stacks.webhook.delivery.processor.role);
    const dynamo = statements.filter((s) => actions(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: tableArn(),
      },
      {
        Effect: 'Allow',
        Action: [
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
        ],
        Resource: { 'Fn::GetAtt': [logicalId(stacks.webhook.idempotencyTable), 'Arn'] },
      },
    ]);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: { Ref: logicalId(stacks.webhook.signingSecret) },
    });
    const sends = statements.filter((s) => actions(s).includes('sqs:SendMessage'));
    expect(sends.flatMap(resources)).toHaveLength(2);
    expect(sends).toEqual([
      {
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: expect.arrayContaining([
          deliveryQueueArn(),
          { 'Fn::GetAtt': [logicalId(stacks.webhook.delivery.deadLetterQueue), 'Arn'] },
        ]),
      },
    ]);
    const consume = statements.find((s) => actions(s).includes('sqs:ReceiveMessage'));
    expect(consume?.Resource).toEqual(deliveryQueueArn());
    expect(statements.flatMap(actions).some((a) => a.startsWith('bedrock:'))).toBe(false);
    expect(statements.flatMap(actions).some((a) => a.startsWith('s3:'))).toBe(false);
    expect(statements.flatMap(resources)).not.toContain('*');
  });

  it('keeps idempotency keys in a table keyed by id that expires them', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'revops-test-webhook-idempotency',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('has no web ACL unless webhookWafRateLimit is set', () => {
    template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });

  it('synthesizes with no cdk-nag AwsSolutions error in this stack', () => {
    expect(nagErrors(outdir, Stack.of(stacks.webhook).artifactId)).toEqual([]);
  });

  it('bundles both handlers without test-only packages', () => {
    const assets = readdirSync(outdir).filter((entry) => entry.startsWith('asset.'));
    const bundles = assets
      .map((dir) => path.join(outdir, dir, 'index.mjs'))
      .filter((file) => existsSync(file))
      .map((file) => readFileSync(file, 'utf8'));
    const gateway = bundles.find((code) => code.includes('webhook request queued'));
    const processor = bundles.find((code) => code.includes('asking the agents'));
    const delivery = bundles.find((code) => code.includes('next attempt scheduled'));
    expect(gateway).toBeDefined();
    expect(processor).toBeDefined();
    expect(delivery).toBeDefined();
    for (const code of [gateway, processor, delivery]) {
      expect(code).not.toContain('dynalite');
      expect(code).not.toContain('aws-sdk-client-mock');
    }
  });
});
