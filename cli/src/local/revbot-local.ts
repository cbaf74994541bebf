/**
 * The whole of RevBot on one machine: the webhook (and, when configured, Slack) handlers behind
 * the local API Gateway, their processors fed by local queues with SQS semantics, the agents on
 * the portable runtime (offline model by default) with every tool in process, the embedded
 * warehouse and local Gong/search APIs, DynamoDB-backed stores on an embedded DynamoDB,
 * conversations exported to `<data dir>/conversation-history/` and shown by the conversation
 * viewer under `/conversations`.
 *
 * Routes and processors are built with the same factories the Lambda handlers use; only the
 * clients and endpoints differ.
 */

import path from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  createAgentRuntime,
  DynamoPausedRunStore,
  InProcessToolInvoker,
} from '@revbot/agents/runtime';
import { ConfigError, type Logger, parseEnv, silentLogger } from '@revbot/core';
import { dailyBudgetsFromEnv } from '@revbot/lambdas/budgets';
import { dynamoDbIdempotencyStore } from '@revbot/lambdas/idempotency';
import { parseRetrySchedule, signingSecretSource } from '@revbot/lambdas/outbound';
import { runSelfTest } from '@revbot/lambdas/self-test';
import { slackWebClients, staticSlackCredentials } from '@revbot/lambdas/slack';
import {
  createSlackHandler,
  dynamoDbEventClaims,
  slackAccessEnvSchema,
  slackAccessPolicyFromEnv,
  sqsQueuePublisher,
} from '@revbot/lambdas/slack-handler';
import {
  createSlackProcessor,
  parseAgentGroups,
  recordingProcessorMetrics,
  slackAgentAccess,
} from '@revbot/lambdas/slack-processor';
import { createWebhookDeliveryHandler } from '@revbot/lambdas/webhook-delivery';
import { createWebhookGatewayHandler, parseApiKeys } from '@revbot/lambdas/webhook-gateway';
import { createWebhookProcessorHandler } from '@revbot/lambdas/webhook-processor';
import {
  DynamoDbRequestStatusStore,
  sqsWebhookJobQueue,
  webhookDestinationAllowlist,
  webhookDestinationsEnvSchema,
} from '@revbot/lambdas/webhook-requests';
import { localConversationSink, otlpTraceExportFromEnv } from '@revbot/monitoring';
import { startEmbeddedDynamoDb } from '@revbot/testing/embedded-dynamodb';
import { type LocalSlackApi, startLocalSlackApi } from '@revbot/testing/local-slack-api';
import { startLocalToolStack } from '@revbot/testing/local-tool-stack';
import { z } from 'zod';
import { warehouseQuery } from '../eval/eval-runner';
import { goldenFunctionalityTest } from '../eval/functionality-test';
import { localConversationStore } from '../ops/conversation-store';
import { createConversationViewer } from '../viewer/conversation-viewer';
import { localDeliveryJobQueue } from './local-delivery-queue';
import { localSelfTestChecks } from './local-self-test';
import { type LocalApp, type RunningLocalServer, startLocalServer } from './local-server';
import { localSessionKey } from './session-key';
import { slackTerminalView } from './slack-terminal-view';
import { seededAsOf } from './warehouse-settings';

/**
 * The key `pnpm dev` signs webhooks with when `WEBHOOK_SIGNING_SECRET` is not set. It is public,
 * for local use only; `revbot listen` verifies with the same default.
 */
export const LOCAL_WEBHOOK_SIGNING_SECRET = `whsec_${Buffer.from('revbot-local-signing-key-000000').toString('base64')}`;

/** Slack credentials of the embedded Slack Web API, used when no real Slack is configured. */
export const LOCAL_SLACK = {
  signingSecret: 'revbot-local-slack-signing-secret',
  botToken: 'xoxb-revbot-local',
} as const;

export const LOCAL_STAGE = 'local';
export const localName = (part: string) => `revops-${LOCAL_STAGE}-${part}`;

export const localEnvSchema = webhookDestinationsEnvSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  REVBOT_DATA_DIR: z.string().default('.revbot'),
  REVBOT_API_KEYS: z.string().optional(),
  WEBHOOK_SIGNING_SECRET: z.string().default(LOCAL_WEBHOOK_SIGNING_SECRET),
  WEBHOOK_ALLOWED_URLS: z.string().default('http://127.0.0.1:4000/'),
  AGENT_RUNTIME: z.enum(['offline', 'converse', 'openai', 'bedrock-agents']).default('offline'),
  /** Day the embedded warehouse's data is as of (YYYY-MM-DD; default today). */
  REVBOT_DATA_AS_OF: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date, YYYY-MM-DD')
    .optional(),
  /** Slack: all three run the real Slack path against any server speaking Slack's Web API. */
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_BOT_TOKEN: z.string().min(1).optional(),
  SLACK_API_URL: z.url().optional(),
  /** Stream answers in the thread (off: the placeholder path of workspaces without streaming). */
  SLACK_STREAMING: z.enum(['on', 'off']).default('on'),
  /** Seconds a failed message waits before its retry (SQS visibility timeout, shortened locally). */
  LOCAL_VISIBILITY_TIMEOUT_SECONDS: z.coerce.number().int().min(0).max(43_200).default(10),
  /** Waits between delivery attempts (default: Standard Webhooks'); e.g. `1s,2s` for tests. */
  WEBHOOK_RETRY_SCHEDULE: z.string().default(''),
  /** Seconds one delivery attempt may take (15 in AWS). */
  WEBHOOK_DELIVERY_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(30).default(15),
});
export type LocalEnv = z.infer<typeof localEnvSchema>;

export interface RevbotLocal {
  url: string;
  /** The Slack Web API the stack talks to, and the embedded one when no Slack is configured. */
  slack: { apiUrl: string; signingSecret: string; embedded?: LocalSlackApi };
  env: LocalEnv;
  runtimeName: string;
  conversationsDir: string;
  /** The conversation viewer: `<url>/conversations`. */
  viewerUrl: string;
  server: RunningLocalServer;
  close(): Promise<void>;
}

/** Starts the local stack; a bad variable throws a ConfigError naming it, before anything runs. */
export async function startRevbotLocal(
  rawEnv: Record<string, string | undefined> = process.env,
  options: { logger?: Logger; cwd?: string } = {},
): Promise<RevbotLocal> {
  const env = parseEnv(localEnvSchema, rawEnv);
  // The deployed handler's access policy and the processor's agent policy, from the same variables.
  const slackAccess = slackAccessPolicyFromEnv(parseEnv(slackAccessEnvSchema, rawEnv));
  const agentGroups = parseAgentGroups(rawEnv.SLACK_AGENT_GROUPS);
  const logger = options.logger ?? silentLogger;
  const dataDir = path.resolve(options.cwd ?? process.cwd(), env.REVBOT_DATA_DIR);
  const configured = [env.SLACK_SIGNING_SECRET, env.SLACK_BOT_TOKEN, env.SLACK_API_URL];
  if (configured.some(Boolean) && !configured.every(Boolean)) {
    throw new ConfigError(
      'Invalid configuration: SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN and SLACK_API_URL: set all three for a real Slack, or none for the embedded one',
    );
  }
  const allowlist = webhookDestinationAllowlist(env);
  const signer = signingSecretSource(env);
  const retrySchedule = parseRetrySchedule(env.WEBHOOK_RETRY_SCHEDULE);

  const asOf = seededAsOf(dataDir, rawEnv);
  const tools = await startLocalToolStack({
    asOf,
    webhook: {
      allowedUrls: env.WEBHOOK_ALLOWED_URLS,
      notificationUrl: env.WEBHOOK_URL || undefined,
      signingSecret: env.WEBHOOK_SIGNING_SECRET,
    },
  });
  const dynamodb = await startEmbeddedDynamoDb().catch(async (error) => {
    await tools.close();
    throw error;
  });
  let embeddedSlack: LocalSlackApi | undefined;
  const stopEmbedded = () => Promise.all([tools.close(), dynamodb.close(), embeddedSlack?.close()]);
  const requestsTable = localName('webhook-requests');
  const slackEventsTable = localName('slack-events');
  // Runs waiting for approval, as the agents stack's session table keeps them in AWS.
  const agentSessionsTable = localName('agent-sessions');
  const budgetsTable = localName('budgets');
  const idempotencyTable = localName('idempotency');

  // One invoker for the agents and the self-test: `test connectivity` asks what the agents use.
  const invoker = new InProcessToolInvoker(tools.tools);
  let runtime: ReturnType<typeof createAgentRuntime>;
  try {
    await dynamodb.createTable(requestsTable, 'tracking_id');
    await dynamodb.createTable(slackEventsTable, 'id');
    await dynamodb.createTable(agentSessionsTable, 'pk', 'sk');
    await dynamodb.createTable(budgetsTable, 'pk');
    await dynamodb.createTable(idempotencyTable, 'id');
    if (!env.SLACK_API_URL) {
      embeddedSlack = await startLocalSlackApi({
        botToken: LOCAL_SLACK.botToken,
        // Streamed answers print as they grow: steps, text pieces, thread status.
        ...slackTerminalView((line) => logger.info(line)),
      });
    }
    runtime = createAgentRuntime(
      {
        ...rawEnv,
        AGENT_RUNTIME: env.AGENT_RUNTIME,
        REVBOT_STAGE: LOCAL_STAGE,
        // The offline model counts "this quarter" from the day the data is as of.
        OFFLINE_TODAY: rawEnv.OFFLINE_TODAY ?? asOf,
      },
      {
        tools: invoker,
        pausedRuns: new DynamoPausedRunStore({
          client: dynamodb.client,
          tableName: agentSessionsTable,
        }),
      },
    );
  } catch (error) {
    await stopEmbedded();
    throw error;
  }
  // Records land in <data dir>/conversation-history/…, the layout of the S3 bucket.
  const conversations = localConversationSink(dataDir);
  const slackCredentials = staticSlackCredentials({
    signingSecret: env.SLACK_SIGNING_SECRET ?? LOCAL_SLACK.signingSecret,
    botToken: env.SLACK_BOT_TOKEN ?? LOCAL_SLACK.botToken,
  });
  const slackApiUrl = env.SLACK_API_URL ?? (embeddedSlack as LocalSlackApi).url;
  const slackClients = slackWebClients({ apiUrl: slackApiUrl, timeoutMs: 5_000, retries: 2 });
  const store = new DynamoDbRequestStatusStore(dynamodb.documents, requestsTable);
  // BUDGETS set: the same daily budgets as deployed, kept in the embedded DynamoDB.
  const budgets = dailyBudgetsFromEnv(
    { ...rawEnv, BUDGET_TABLE: budgetsTable },
    () => dynamodb.documents,
  );

  const app = async (baseUrl: string): Promise<LocalApp> => {
    const sqs = new SQSClient({
      endpoint: baseUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const webhookQueueUrl = `${baseUrl}/000000000000/${localName('webhook-queue')}`;
    const webhookGateway = createWebhookGatewayHandler({
      store,
      queue: sqsWebhookJobQueue(sqs, webhookQueueUrl),
      allowlist,
      apiKeys: parseApiKeys(env.REVBOT_API_KEYS),
      logger,
      budgets,
    });
    // OTEL_EXPORTER_OTLP_ENDPOINT set: every conversation also goes to that collector as a trace.
    const traces = otlpTraceExportFromEnv(rawEnv);
    const deliveries = localDeliveryJobQueue(() =>
      server?.queues.get(localName('webhook-delivery-queue')),
    );
    const webhookProcessor = createWebhookProcessorHandler({
      store,
      runtime,
      deliveries,
      defaultWebhookUrl: env.WEBHOOK_URL || undefined,
      conversations,
      traces,
      maxReceiveCount: 3,
      logger,
      budgets,
    });
    const idempotency = {
      persistenceStore: dynamoDbIdempotencyStore(idempotencyTable, dynamodb.client),
    };
    const webhookDelivery = createWebhookDeliveryHandler(
      {
        store,
        queue: deliveries,
        deadLetters: localDeliveryJobQueue(() =>
          server?.queues.get(localName('webhook-delivery-dlq')),
        ),
        allowlist,
        signer,
        defaultWebhookUrl: env.WEBHOOK_URL || undefined,
        schedule: retrySchedule,
        attemptTimeoutMs: env.WEBHOOK_DELIVERY_TIMEOUT_SECONDS * 1000,
        logger,
      },
      idempotency,
    );
    const slackGateway = createSlackHandler({
      credentials: slackCredentials,
      slackClient: slackClients,
      claims: dynamoDbEventClaims({ client: dynamodb.client, tableName: slackEventsTable }),
      queue: sqsQueuePublisher({
        client: sqs,
        queueUrl: `${baseUrl}/000000000000/${localName('slack-queue')}`,
      }),
      logger,
      appId: rawEnv.SLACK_APP_ID || undefined,
      access: slackAccess,
    });
    const slackProcessor = createSlackProcessor({
      idempotency,
      runtime,
      slack: async () => slackClients((await slackCredentials()).botToken),
      sink: conversations,
      sessionKey: async () => localSessionKey(dataDir),
      agentAccess:
        agentGroups &&
        slackAgentAccess({
          groups: agentGroups,
          slack: async () => slackClients((await slackCredentials()).botToken),
          logger,
        }),
      traces,
      metrics: recordingProcessorMetrics(),
      logger,
      maxReceiveCount: 3,
      // The embedded Slack API speaks the streaming and agent-session methods.
      streaming: env.SLACK_STREAMING === 'on' ? { agentSession: true } : undefined,
      budgets,
      selfTest: () =>
        runSelfTest(
          LOCAL_STAGE,
          localSelfTestChecks({
            tools,
            invoker,
            agentsDir: rawEnv.AGENTS_DIR,
            knowledgeBaseDir: rawEnv.KNOWLEDGE_BASE_DIR,
            webhookSigningSecret: env.WEBHOOK_SIGNING_SECRET,
          }),
        ),
      functionalityTest: goldenFunctionalityTest({
        runtime,
        query: warehouseQuery(tools.warehouse),
        today: asOf,
        agentsDir: rawEnv.AGENTS_DIR,
      }),
    });
    return {
      routes: [
        ...['events', 'interactions'].map((route) => ({
          method: 'POST',
          resource: `/slack/${route}`,
          functionName: localName('slack-handler'),
          handler: slackGateway,
        })),
        {
          method: 'POST',
          resource: '/webhook',
          functionName: localName('webhook-gateway'),
          handler: webhookGateway,
        },
        {
          method: 'GET',
          resource: '/webhook/{trackingId}',
          functionName: localName('webhook-gateway'),
          handler: webhookGateway,
        },
        {
          method: 'POST',
          resource: '/webhook/{trackingId}/approval',
          functionName: localName('webhook-gateway'),
          handler: webhookGateway,
        },
      ],
      queues: [
        {
          name: localName('slack-queue'),
          dlqName: localName('slack-dlq'),
          visibilityTimeoutSeconds: env.LOCAL_VISIBILITY_TIMEOUT_SECONDS,
          maxReceiveCount: 3,
          handler: (event) => slackProcessor(event),
        },
        {
          name: localName('webhook-queue'),
          dlqName: localName('webhook-dlq'),
          visibilityTimeoutSeconds: env.LOCAL_VISIBILITY_TIMEOUT_SECONDS,
          maxReceiveCount: 3,
          handler: (event) => webhookProcessor(event),
        },
        {
          name: localName('webhook-delivery-queue'),
          dlqName: localName('webhook-delivery-dlq'),
          visibilityTimeoutSeconds: env.LOCAL_VISIBILITY_TIMEOUT_SECONDS,
          maxReceiveCount: 3,
          handler: (event) => webhookDelivery(event),
        },
      ],
    };
  };

  // A local folder is cheap to list: every day is re-listed, so late feedback shows at once.
  const viewer = createConversationViewer({
    store: localConversationStore(dataDir),
    recentDays: Number.POSITIVE_INFINITY,
  });
  let server: RunningLocalServer | undefined;
  try {
    server = await startLocalServer({
      port: env.PORT,
      host: env.HOST,
      stage: LOCAL_STAGE,
      app,
      pages: viewer.handle,
      onBatch: (queue, outcome) => {
        if (outcome.failed > 0) {
          logger.warn('batch item failed; it will be retried or dead-lettered', {
            queue,
            failed: outcome.failed,
            error: outcome.error instanceof Error ? outcome.error.message : undefined,
          });
        }
      },
    });
  } catch (error) {
    await stopEmbedded();
    throw error;
  }

  return {
    url: server.url,
    slack: {
      apiUrl: slackApiUrl,
      signingSecret: env.SLACK_SIGNING_SECRET ?? LOCAL_SLACK.signingSecret,
      embedded: embeddedSlack,
    },
    env,
    runtimeName: runtime.name,
    conversationsDir: path.join(dataDir, 'conversation-history'),
    viewerUrl: `${server.url}${viewer.basePath}`,
    server,
    async close() {
      await server.close();
      await stopEmbedded();
    },
  };
}
