/**
 * The Slack channel: `POST /slack/events` and `POST /slack/interactions` → slack-handler (verify,
 * de-duplicate, placeholder reply, enqueue) → SQS (+DLQ) → slack-processor (agents, progress,
 * answer in the thread, conversation export, feedback records).
 *
 * Each role holds exactly what its Lambda calls: the handler reads the bot token and signing
 * secret, writes its claim records and sends to the queue; the processor reads the bot token
 * alone (never the signing secret, which would let it forge events), asks the agents and
 * writes under `conversation-history/`. The DLQ alarm lives in the monitoring stack (by name).
 * Scheduled reports (EventBridge Scheduler) put their questions on the same queue.
 * The Slack app itself is described by `infra/slack-app-manifest.json`.
 */
import { CfnOutput, Duration, SecretValue, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import {
  acknowledgeMachineToMachineAuth,
  type ThrottleLimits,
} from '../constructs/logged-rest-api';
import type { QueueProcessor } from '../constructs/queue-processor';
import { RevbotFunction } from '../constructs/revbot-function';
import { ScheduledReports } from '../constructs/scheduled-reports';
import type { ChannelStackProps } from '../lib/agent-runtime-access';
import { channelApi, channelProcessing, channelQueueOutputs, channelSecret } from '../lib/channel';
import {
  loadSlackAccess,
  loadSlackAnswers,
  slackAccessEnvironment,
  slackAgentPolicyEnvironment,
  slackAnswersEnvironment,
} from '../lib/config';
import { expiringTable } from '../lib/expiring-table';
import { configureBudgets, grantAnswering, grantSecretValue } from '../lib/grants';
import { grantIdempotency, idempotencyTable } from '../lib/idempotency-table';
import { NAMES, resourceName } from '../lib/naming';
import {
  SLACK_MAX_RECEIVE_COUNT,
  SLACK_PROCESSOR_TIMEOUT_SECONDS,
  TABLE_TTL_ATTRIBUTES,
} from '../lib/queue-settings';

export { SLACK_MAX_RECEIVE_COUNT };

/** The stage's throttle, for any method without one of its own. */
export const SLACK_API_THROTTLE: ThrottleLimits = { rateLimit: 50, burstLimit: 100 };
/**
 * Each route its own bucket: a flood of events (Slack sends at most ~8 a second per workspace)
 * cannot crowd out the button clicks of interactivity, and the reverse.
 */
export const SLACK_ROUTE_THROTTLES: Readonly<Record<string, ThrottleLimits>> = {
  '/slack/events/POST': { rateLimit: 40, burstLimit: 80 },
  '/slack/interactions/POST': { rateLimit: 10, burstLimit: 20 },
};

export type SlackGatewayStackProps = ChannelStackProps;

export class SlackGatewayStack extends Stack {
  readonly api: apigateway.RestApi;
  readonly handler: RevbotFunction;
  readonly processing: QueueProcessor;
  /** The bot token (`{"bot_token"}`): the handler and the processor read it. */
  readonly secret: secretsmanager.Secret;
  /** The signing secret (`{"signing_secret"}`): the handler alone reads it. */
  readonly signingSecret: secretsmanager.Secret;
  /** The generated key thread session ids are an HMAC under: the processor alone reads it. */
  readonly sessionKey: secretsmanager.Secret;
  readonly eventsTable: dynamodb.Table;
  readonly scheduledReports: ScheduledReports;
  readonly idempotencyTable: dynamodb.Table;

  constructor(scope: Construct, id: string, props: SlackGatewayStackProps) {
    super(scope, id, props);
    const { stage } = props.config;
    const access = loadSlackAccess(this.node);
    const answers = loadSlackAnswers(this.node);

    // Filled in after deploy (README: "Secrets to fill"); the placeholders are not secrets. The
    // bot token and the signing secret are two secrets, so the processor's role can be given the
    // token without the signing secret (which would let it forge events).
    this.secret = channelSecret(this, 'SlackSecret', stage, {
      name: 'slack',
      description: 'Slack bot token (xoxb-…) of the RevBot Slack app (bot_token)',
      secretObjectValue: { bot_token: SecretValue.unsafePlainText('REPLACE_ME') },
      rotatedElsewhere:
        'Slack issues the bot token and signing secret; they are rotated in the Slack app settings, not by a Secrets Manager rotation Lambda.',
    });
    this.signingSecret = channelSecret(this, 'SlackSigningSecret', stage, {
      name: 'slack-signing',
      description:
        'Signing secret of the RevBot Slack app (signing_secret); read by the handler only',
      secretObjectValue: { signing_secret: SecretValue.unsafePlainText('REPLACE_ME') },
      rotatedElsewhere:
        'Slack issues the signing secret; it is rotated in the Slack app settings, not by a Secrets Manager rotation Lambda.',
    });

    this.sessionKey = channelSecret(this, 'SessionKey', stage, {
      name: 'slack-session-key',
      description: 'Key the Slack processor derives thread session ids under (HMAC)',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      rotatedElsewhere:
        'Rotating the key starts a new agent session in every Slack thread; it is a deliberate operator action, not a scheduled rotation.',
    });

    // Slack retries and duplicate event ids are dropped with a conditional write (TTL'd).
    this.eventsTable = expiringTable(this, 'EventsTable', {
      tableName: resourceName(stage, 'slack-events'),
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: TABLE_TTL_ATTRIBUTES['slack-events'],
    });

    // A question or click SQS delivers twice is handled once (Powertools idempotency).
    this.idempotencyTable = idempotencyTable(
      this,
      'IdempotencyTable',
      resourceName(stage, 'slack-idempotency'),
    );

    this.processing = channelProcessing(this, props, {
      queueName: NAMES.slackQueue,
      dlqName: NAMES.slackDlq,
      maxReceiveCount: SLACK_MAX_RECEIVE_COUNT,
      maxReceiveCountVariable: 'SLACK_MAX_RECEIVE_COUNT',
      processor: {
        name: NAMES.slackProcessor,
        entry: 'slack-processor/handler.ts',
        description: 'Answers a queued Slack question with the agents and replies in the thread',
        timeout: Duration.seconds(SLACK_PROCESSOR_TIMEOUT_SECONDS),
        memorySize: 512,
        environment: {
          SLACK_SECRET_ARN: this.secret.secretArn,
          SLACK_SESSION_KEY_SECRET_ARN: this.sessionKey.secretArn,
          ...slackAgentPolicyEnvironment(access),
          ...slackAnswersEnvironment(answers),
          IDEMPOTENCY_TABLE: this.idempotencyTable.tableName,
        },
      },
    });
    grantSecretValue(this.processing.processor.role, this.secret);
    grantSecretValue(this.processing.processor.role, this.sessionKey);
    grantIdempotency(this.processing.processor.role, this.idempotencyTable);
    grantAnswering(this.processing.processor, props.agents, stage);
    // Scheduled reports reach the processor through the same queue as mentions.
    this.scheduledReports = new ScheduledReports(this, 'ScheduledReports', {
      stage,
      reports: props.config.scheduledReports,
      queue: this.processing.queue,
      deadLetterQueue: this.processing.deadLetterQueue,
    });
    // Stop pressed on an answer that is not streamed: the handler records it, the processor reads it.
    this.processing.processor.function.addEnvironment(
      'SLACK_EVENTS_TABLE',
      this.eventsTable.tableName,
    );
    this.processing.processor.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem'],
        resources: [this.eventsTable.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['stop#*'] } },
      }),
    );
    configureBudgets(this.processing.processor, props.config, {
      table: this.eventsTable,
      key: 'id',
      ttl: 'expiration',
      grantUpdate: true,
    });

    // Slack waits three seconds for the acknowledgement; anything slower is retried by Slack.
    this.handler = new RevbotFunction(this, 'Handler', {
      stage,
      name: NAMES.slackHandler,
      entry: 'slack-handler/handler.ts',
      // Most cold invocations (retries, ignored events, clicks) never call Slack.
      lazyModules: ['@slack/web-api'],
      description:
        'Verifies Slack events, de-duplicates them, replies with a placeholder, enqueues',
      timeout: Duration.seconds(10),
      memorySize: 512,
      environment: {
        SLACK_SECRET_ARN: this.secret.secretArn,
        SLACK_SIGNING_SECRET_ARN: this.signingSecret.secretArn,
        SLACK_QUEUE_URL: this.processing.queue.queueUrl,
        SLACK_EVENTS_TABLE: this.eventsTable.tableName,
        ...slackAccessEnvironment(access),
        ...(props.config.slackApproversGroup
          ? { SLACK_APPROVERS_GROUP: props.config.slackApproversGroup }
          : {}),
      },
    });
    const handlerRole = this.handler.role;
    grantSecretValue(handlerRole, this.secret);
    grantSecretValue(handlerRole, this.signingSecret);
    this.processing.grantEnqueue(handlerRole);
    // Claim, complete, release (and read a claim back when a store omits it): no queries or scans.
    handlerRole.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:GetItem',
        ],
        resources: [this.eventsTable.tableArn],
      }),
    );

    const { gateway, integration } = channelApi(this, 'Gateway', stage, {
      name: 'slack-api',
      description: 'RevBot Slack Events API and interactivity endpoint',
      throttle: SLACK_API_THROTTLE,
      routeThrottles: SLACK_ROUTE_THROTTLES,
      handler: this.handler,
    });
    this.api = gateway.api;
    const slack = this.api.root.addResource('slack');
    for (const path of ['events', 'interactions']) {
      const method = slack
        .addResource(path)
        .addMethod('POST', integration, { requestValidator: gateway.validator });
      acknowledgeMachineToMachineAuth(
        method,
        'Slack authenticates each request with an HMAC-SHA256 signature (X-Slack-Signature) that the handler verifies before doing anything.',
      );
    }

    new CfnOutput(this, 'SlackEventsUrl', { value: this.api.urlForPath('/slack/events') });
    new CfnOutput(this, 'SlackInteractionsUrl', {
      value: this.api.urlForPath('/slack/interactions'),
    });
    new CfnOutput(this, 'SlackSecretArn', { value: this.secret.secretArn });
    new CfnOutput(this, 'SlackSigningSecretArn', { value: this.signingSecret.secretArn });
    channelQueueOutputs(this, 'Slack', this.processing);
  }
}
