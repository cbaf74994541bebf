/**
 * The webhook channel: `POST /webhook` and `GET /webhook/{trackingId}` (API key + usage plan,
 * optionally a WAF rate limit) → webhook-gateway (validate, status row, enqueue, 202) → SQS
 * (+DLQ) → webhook-processor (agents, stored result, conversation export) → delivery SQS (+DLQ)
 * → webhook-delivery (one signed attempt per message, next attempt re-queued by the schedule).
 */
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import {
  acknowledgeMachineToMachineAuth,
  type ThrottleLimits,
} from '../constructs/logged-rest-api';
import { QueueProcessor } from '../constructs/queue-processor';
import { RateLimitedWebAcl } from '../constructs/rate-limited-web-acl';
import { RevbotFunction } from '../constructs/revbot-function';
import type { ChannelStackProps } from '../lib/agent-runtime-access';
import { channelApi, channelProcessing, channelQueueOutputs, channelSecret } from '../lib/channel';
import { expiringTable } from '../lib/expiring-table';
import { configureBudgets, grantAnswering, grantSecretValue } from '../lib/grants';
import { grantIdempotency, idempotencyTable } from '../lib/idempotency-table';
import { NAMES, resourceName } from '../lib/naming';
import {
  TABLE_TTL_ATTRIBUTES,
  WEBHOOK_DELIVERY_MAX_CONCURRENCY,
  WEBHOOK_DELIVERY_MAX_RECEIVE_COUNT,
  WEBHOOK_DELIVERY_TIMEOUT_SECONDS,
  WEBHOOK_MAX_RECEIVE_COUNT,
  WEBHOOK_PROCESSOR_TIMEOUT_SECONDS,
  WEBHOOK_STATUS_TTL_DAYS,
} from '../lib/queue-settings';

export {
  WEBHOOK_DELIVERY_MAX_CONCURRENCY,
  WEBHOOK_DELIVERY_MAX_RECEIVE_COUNT,
  WEBHOOK_MAX_RECEIVE_COUNT,
  WEBHOOK_STATUS_TTL_DAYS,
};

/**
 * API Gateway's own refusals (bad key, throttling, quota, unknown route…) in the API's one error
 * shape `{success:false, error:{code, message, details}}`; the message is API Gateway's own.
 */
const GATEWAY_ERRORS: [apigateway.ResponseType, string][] = [
  [apigateway.ResponseType.INVALID_API_KEY, 'INVALID_API_KEY'],
  [apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, 'NOT_FOUND'],
  [apigateway.ResponseType.THROTTLED, 'THROTTLED'],
  [apigateway.ResponseType.QUOTA_EXCEEDED, 'QUOTA_EXCEEDED'],
  [apigateway.ResponseType.REQUEST_TOO_LARGE, 'PAYLOAD_TOO_LARGE'],
  [apigateway.ResponseType.UNSUPPORTED_MEDIA_TYPE, 'UNSUPPORTED_MEDIA_TYPE'],
  [apigateway.ResponseType.DEFAULT_4XX, 'BAD_REQUEST'],
  [apigateway.ResponseType.DEFAULT_5XX, 'INTERNAL_ERROR'],
];

/** The stage's throttle, for any method without one of its own. */
export const WEBHOOK_API_THROTTLE: ThrottleLimits = { rateLimit: 20, burstLimit: 40 };
/**
 * Each route its own bucket: asking starts agent work and is held to the usage plan's rate,
 * while cheap status polls get more room and cannot use up the room for new questions.
 */
export const WEBHOOK_ROUTE_THROTTLES: Readonly<Record<string, ThrottleLimits>> = {
  '/webhook/POST': { rateLimit: 10, burstLimit: 20 },
  '/webhook/{trackingId}/GET': { rateLimit: 20, burstLimit: 40 },
};

export type WebhookGatewayStackProps = ChannelStackProps;

export class WebhookGatewayStack extends Stack {
  readonly api: apigateway.RestApi;
  readonly gateway: RevbotFunction;
  readonly processing: QueueProcessor;
  readonly delivery: QueueProcessor;
  readonly idempotencyTable: dynamodb.Table;
  readonly webAcl?: RateLimitedWebAcl;
  readonly signingSecret: secretsmanager.Secret;
  readonly requestsTable: dynamodb.Table;

  constructor(scope: Construct, id: string, props: WebhookGatewayStackProps) {
    super(scope, id, props);
    const { stage } = props.config;

    // Standard Webhooks key: 32 base64-alphabet characters = 24 random bytes (used as whsec_<key>).
    this.signingSecret = channelSecret(this, 'SigningSecret', stage, {
      name: 'webhook-signing',
      description: 'Standard Webhooks signing key for outbound deliveries (whsec_ + this value)',
      generateSecretString: {
        passwordLength: 32,
        excludePunctuation: true,
        includeSpace: false,
      },
      rotatedElsewhere:
        'Receivers verify deliveries with this key; rotating it needs coordination with every receiver (Standard Webhooks allows several signatures during a rollover), so rotation is a deliberate operator action.',
    });

    this.requestsTable = expiringTable(this, 'RequestsTable', {
      tableName: resourceName(stage, 'webhook-requests'),
      partitionKey: { name: 'tracking_id', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: TABLE_TTL_ATTRIBUTES['webhook-requests'],
    });

    const outbound = {
      WEBHOOK_URL: props.config.webhookUrl,
      WEBHOOK_ALLOWED_URLS: props.config.webhookAllowedUrls,
    };

    // Outbound delivery: its own queue and function, so a slow receiver costs one attempt of one
    // message, and failed attempts wait in the queue (DelaySeconds) instead of in a Lambda.
    this.idempotencyTable = idempotencyTable(
      this,
      'IdempotencyTable',
      resourceName(stage, 'webhook-idempotency'),
    );
    this.delivery = new QueueProcessor(this, 'Delivery', {
      stage,
      queueName: NAMES.webhookDeliveryQueue,
      dlqName: NAMES.webhookDeliveryDlq,
      maxReceiveCount: WEBHOOK_DELIVERY_MAX_RECEIVE_COUNT,
      maxConcurrency: WEBHOOK_DELIVERY_MAX_CONCURRENCY,
      // A job carries the whole answer (up to 900 KB) when the stored copy had to be shortened.
      maxMessageSizeBytes: 1_048_576,
      processor: {
        name: NAMES.webhookDelivery,
        entry: 'webhook-delivery/handler.ts',
        description: 'Delivers a stored answer or failed event, one signed attempt per message',
        timeout: Duration.seconds(WEBHOOK_DELIVERY_TIMEOUT_SECONDS),
        memorySize: 256,
        environment: {
          ...outbound,
          WEBHOOK_REQUESTS_TABLE: this.requestsTable.tableName,
          WEBHOOK_SIGNING_SECRET_ARN: this.signingSecret.secretArn,
          IDEMPOTENCY_TABLE: this.idempotencyTable.tableName,
          WEBHOOK_RETRY_SCHEDULE: props.config.webhookRetrySchedule ?? '',
        },
      },
    });
    const deliveryRole = this.delivery.processor.role;
    // The function names its own queues after they exist (they are created with it).
    this.delivery.processor.function.addEnvironment(
      'WEBHOOK_DELIVERY_QUEUE_URL',
      this.delivery.queue.queueUrl,
    );
    this.delivery.processor.function.addEnvironment(
      'WEBHOOK_DELIVERY_DLQ_URL',
      this.delivery.deadLetterQueue.queueUrl,
    );
    this.grantTable(deliveryRole, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    grantIdempotency(deliveryRole, this.idempotencyTable);
    grantSecretValue(deliveryRole, this.signingSecret);
    // Next attempts go back to its own queue; a used-up schedule goes to its DLQ.
    deliveryRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['sqs:SendMessage'],
        resources: [this.delivery.queue.queueArn, this.delivery.deadLetterQueue.queueArn],
      }),
    );

    this.processing = channelProcessing(this, props, {
      queueName: NAMES.webhookQueue,
      dlqName: NAMES.webhookDlq,
      maxReceiveCount: WEBHOOK_MAX_RECEIVE_COUNT,
      maxReceiveCountVariable: 'WEBHOOK_MAX_RECEIVE_COUNT',
      processor: {
        name: NAMES.webhookProcessor,
        entry: 'webhook-processor/handler.ts',
        description: 'Answers a queued webhook request with the agents and delivers the result',
        timeout: Duration.seconds(WEBHOOK_PROCESSOR_TIMEOUT_SECONDS),
        memorySize: 1024,
        environment: {
          ...outbound,
          WEBHOOK_REQUESTS_TABLE: this.requestsTable.tableName,
          WEBHOOK_DELIVERY_QUEUE_URL: this.delivery.queue.queueUrl,
        },
      },
    });
    const processorRole = this.processing.processor.role;
    // Exactly the calls each function makes: the processor moves statuses on, never creates one.
    this.grantTable(processorRole, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    this.delivery.grantEnqueue(processorRole);
    grantAnswering(this.processing.processor, props.agents, stage);

    this.gateway = new RevbotFunction(this, 'Gateway', {
      stage,
      name: NAMES.webhookGateway,
      entry: 'webhook-gateway/handler.ts',
      description: 'Validates webhook requests, records their status and enqueues them',
      timeout: Duration.seconds(10),
      memorySize: 256,
      environment: {
        ...outbound,
        WEBHOOK_REQUESTS_TABLE: this.requestsTable.tableName,
        WEBHOOK_QUEUE_URL: this.processing.queue.queueUrl,
        WEBHOOK_STATUS_TTL_DAYS: String(WEBHOOK_STATUS_TTL_DAYS),
      },
    });
    this.grantTable(this.gateway.role, [
      'dynamodb:PutItem',
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
    this.processing.grantEnqueue(this.gateway.role);
    // Both already update this table: budgets need no grant of their own.
    const budgetTable = { table: this.requestsTable, key: 'tracking_id', ttl: 'expires_at' };
    configureBudgets(this.gateway, props.config, budgetTable);
    configureBudgets(this.processing.processor, props.config, budgetTable);

    const { gateway, integration } = channelApi(this, 'Api', stage, {
      name: 'webhook-api',
      description: 'RevBot webhook API: ask a question, poll its status',
      throttle: WEBHOOK_API_THROTTLE,
      routeThrottles: WEBHOOK_ROUTE_THROTTLES,
      handler: this.gateway,
    });
    this.api = gateway.api;
    const webhook = this.api.root.addResource('webhook');
    const methods = [
      webhook.addMethod('POST', integration, {
        apiKeyRequired: true,
        requestValidator: gateway.validator,
      }),
    ];
    const request = webhook.addResource('{trackingId}');
    methods.push(
      request.addMethod('GET', integration, {
        apiKeyRequired: true,
        requestParameters: { 'method.request.path.trackingId': true },
        requestValidator: gateway.validator,
      }),
      // The caller's decision on an action its request paused on (same key as the request).
      request.addResource('approval').addMethod('POST', integration, {
        apiKeyRequired: true,
        requestParameters: { 'method.request.path.trackingId': true },
        requestValidator: gateway.validator,
      }),
    );
    for (const method of methods) {
      acknowledgeMachineToMachineAuth(
        method,
        'Machine callers authenticate with an API key bound to a throttled usage plan (x-api-key), as the documented integration expects.',
      );
    }

    for (const [type, code] of GATEWAY_ERRORS) {
      this.api.addGatewayResponse(`Error${type.responseType}`, {
        type,
        responseHeaders: { 'Content-Type': "'application/json'" },
        templates: {
          // $context.error.messageString is already a quoted JSON string.
          'application/json': `{"success":false,"error":{"code":"${code}","message":$context.error.messageString,"details":{"request_id":"$context.requestId"}}}`,
        },
      });
    }

    const apiKey = this.api.addApiKey('ApiKey', {
      apiKeyName: resourceName(stage, 'webhook-key'),
      description: 'Key for systems calling the RevBot webhook API',
    });
    const plan = this.api.addUsagePlan('UsagePlan', {
      name: resourceName(stage, 'webhook-plan'),
      throttle: { rateLimit: 10, burstLimit: 20 },
      quota: { limit: 10_000, period: apigateway.Period.DAY },
    });
    plan.addApiKey(apiKey);
    plan.addApiStage({ stage: this.api.deploymentStage });

    // Per-IP rate limit in front of the API key (off unless webhookWafRateLimit is set).
    if (props.config.webhookWafRateLimit !== undefined) {
      this.webAcl = new RateLimitedWebAcl(this, 'WebAcl', {
        name: resourceName(stage, 'webhook-api-acl'),
        limit: props.config.webhookWafRateLimit,
        stageArn: this.api.deploymentStage.stageArn,
      });
    }

    new CfnOutput(this, 'WebhookUrl', { value: this.api.urlForPath('/webhook') });
    new CfnOutput(this, 'WebhookApiKeyId', { value: apiKey.keyId });
    new CfnOutput(this, 'WebhookSigningSecretArn', { value: this.signingSecret.secretArn });
    channelQueueOutputs(this, 'Webhook', this.processing);
    channelQueueOutputs(this, 'WebhookDelivery', this.delivery);
  }

  /** Item-level actions on the requests table only (no scans, queries or index access). */
  private grantTable(role: iam.IRole, actions: string[]): void {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions, resources: [this.requestsTable.tableArn] }),
    );
  }
}
