/**
 * A deployed `dev` stage in the fake AWS: the four stacks with the outputs and resources the CDK
 * app creates (same keys, names and shapes), six agents with aliases on their latest version, a
 * knowledge base with a completed ingestion, filled secrets, empty queues, reachable endpoints.
 * Tests start from this healthy stage and break one thing at a time.
 */
import { TOOL_NAMES, TOOLS } from '@revbot/agents';
import { type FunctionActionGroupEvent, functionResponse } from '@revbot/agents/action-group';
import {
  ACCOUNT,
  type FakeAgent,
  type FakeAws,
  type FakeFunction,
  REGION,
} from '@revbot/testing/fake-aws';
import { LocalQueue } from '@revbot/testing/local-queue';

export const STAGE = 'dev';
export const CONVERSATION_BUCKET = `revops-dev-conversations-${ACCOUNT}-${REGION}`;
export const KB_BUCKET = 'revops-dev-agents-knowledgebasedocuments1a2b3c-xyz';

/** Output key prefixes of the agents stack (pascal case of the agent keys) and their ids. */
export const AGENTS = [
  {
    key: 'DealAnalysisAgent',
    id: 'DEALAGENT1',
    alias: 'DEALALIAS1',
    name: 'revops-dev-deal-analysis-agent',
  },
  {
    key: 'LeadAnalysisAgent',
    id: 'LEADAGENT1',
    alias: 'LEADALIAS1',
    name: 'revops-dev-lead-analysis-agent',
  },
  { key: 'DataAgent', id: 'DATAAGENT1', alias: 'DATAALIAS1', name: 'revops-dev-data-agent' },
  {
    key: 'WebSearchAgent',
    id: 'WEBAGENT01',
    alias: 'WEBALIAS01',
    name: 'revops-dev-web-search-agent',
  },
  {
    key: 'ExecutionAgent',
    id: 'EXECAGENT1',
    alias: 'EXECALIAS1',
    name: 'revops-dev-execution-agent',
  },
  { key: 'ManagerAgent', id: 'MANAGER001', alias: 'MANAGERAL1', name: 'revops-dev-manager-agent' },
] as const;

export const aliasArn = (agentId: string, aliasId: string): string =>
  `arn:aws:bedrock:${REGION}:${ACCOUNT}:agent-alias/${agentId}/${aliasId}`;
export const secretArn = (name: string): string =>
  `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;

export const FUNCTIONS = [
  'slack-handler',
  'slack-processor',
  'webhook-gateway',
  'webhook-processor',
  'tool-firebolt-query',
  'tool-firebolt-writer',
  'tool-gong-retrieval',
  'tool-web-search',
  'tool-webhook-executor',
];

/**
 * A deployed tool as `lambda:Invoke` reaches it: it answers every event of its own functions with
 * an action-group response (one row `ok = 1`), and refuses a function it lacks with REPROMPT.
 */
export function toolLambda(functions: readonly string[]): FakeFunction {
  return (payload) => {
    const event = payload as FunctionActionGroupEvent;
    return functions.includes(event.function)
      ? functionResponse(event, JSON.stringify({ columns: ['ok'], rows: [[1]] }))
      : functionResponse(event, `The tool has no function "${event.function}".`, 'REPROMPT');
  };
}

export function deployHealthyStage(aws: FakeAws): void {
  const { state } = aws;
  const api = `${aws.url}/restapi/${STAGE}`;
  const fn = (name: string, logicalId: string) => ({
    logicalId,
    physicalId: `revops-${STAGE}-${name}`,
    type: 'AWS::Lambda::Function',
  });

  state.stacks['revops-dev-monitoring'] = {
    outputs: {},
    resources: [
      {
        logicalId: 'AccessLogsBucket83982689',
        physicalId: 'revops-dev-access-logs-abc',
        type: 'AWS::S3::Bucket',
      },
      {
        logicalId: 'ConversationHistoryBucket4B9F1D2E',
        physicalId: CONVERSATION_BUCKET,
        type: 'AWS::S3::Bucket',
      },
    ],
  };

  const agentOutputs: Record<string, string> = {
    KnowledgeBaseId: 'KB12345678',
    KnowledgeBaseDataSourceId: 'DS12345678',
    KnowledgeBaseBucketName: KB_BUCKET,
  };
  for (const agent of AGENTS) {
    agentOutputs[`${agent.key}Id`] = agent.id;
    agentOutputs[`${agent.key}AliasId`] = agent.alias;
    const definition: FakeAgent = {
      name: agent.name,
      status: 'PREPARED',
      collaboration: 'DISABLED',
      versions: ['1', '2'],
      aliases: { [agent.alias]: { name: 'live', version: '2' } },
    };
    state.agents[agent.id] = definition;
  }
  const manager = state.agents.MANAGER001 as FakeAgent;
  manager.collaboration = 'SUPERVISOR';
  manager.collaborators = AGENTS.filter((a) => a.key !== 'ManagerAgent').map((a) => ({
    name: a.key.replace(/Agent$/, ''),
    aliasArn: aliasArn(a.id, a.alias),
  }));

  state.stacks['revops-dev-agents'] = {
    outputs: agentOutputs,
    resources: [
      ...FUNCTIONS.filter((f) => f.startsWith('tool-')).map((f) =>
        fn(f, `Tools${f.replace(/-/g, '')}Function`),
      ),
      {
        logicalId: 'CustomCDKBucketDeployment8693BB64',
        physicalId: 'revops-dev-agents-CustomCDKBucketDeploy-abc',
        type: 'AWS::Lambda::Function',
      },
      ...['firebolt-query', 'firebolt-writer', 'gong-retrieval', 'web-search'].map((tool) => ({
        logicalId: `Tools${tool.replace(/-/g, '')}secret`,
        physicalId: secretArn(`revops-${STAGE}/tools/${tool}`),
        type: 'AWS::SecretsManager::Secret',
      })),
    ],
  };
  state.dataSources['KB12345678/DS12345678'] = {
    jobs: [
      {
        id: 'JOB0',
        status: 'COMPLETE',
        startedAt: new Date(Date.now() - 3 * 3_600_000),
        updatedAt: new Date(Date.now() - 3 * 3_600_000 + 60_000),
        statistics: {
          numberOfDocumentsScanned: 31,
          numberOfNewDocumentsIndexed: 31,
          numberOfModifiedDocumentsIndexed: 0,
          numberOfDocumentsDeleted: 0,
          numberOfDocumentsFailed: 0,
        },
        remaining: [],
      },
    ],
    script: [],
  };

  state.stacks['revops-dev-slack-gateway'] = {
    outputs: {
      SlackEventsUrl: `${api}/slack/events`,
      SlackInteractionsUrl: `${api}/slack/interactions`,
      SlackSecretArn: secretArn('revops/dev/slack'),
      SlackQueueUrl: aws.queueUrl('revops-dev-slack-queue'),
      SlackDlqUrl: aws.queueUrl('revops-dev-slack-dlq'),
    },
    resources: [
      fn('slack-handler', 'HandlerFunction'),
      fn('slack-processor', 'ProcessingProcessorFunction'),
      {
        logicalId: 'SlackSecret',
        physicalId: secretArn('revops/dev/slack'),
        type: 'AWS::SecretsManager::Secret',
      },
    ],
  };
  state.stacks['revops-dev-webhook-gateway'] = {
    outputs: {
      WebhookUrl: `${api}/webhook`,
      WebhookApiKeyId: 'apikey123',
      WebhookSigningSecretArn: secretArn('revops/dev/webhook-signing'),
      WebhookQueueUrl: aws.queueUrl('revops-dev-webhook-queue'),
      WebhookDlqUrl: aws.queueUrl('revops-dev-webhook-dlq'),
      WebhookDeliveryQueueUrl: aws.queueUrl('revops-dev-webhook-delivery-queue'),
      WebhookDeliveryDlqUrl: aws.queueUrl('revops-dev-webhook-delivery-dlq'),
    },
    resources: [
      fn('webhook-gateway', 'GatewayFunction'),
      fn('webhook-processor', 'ProcessingProcessorFunction'),
      {
        logicalId: 'SigningSecret',
        physicalId: secretArn('revops/dev/webhook-signing'),
        type: 'AWS::SecretsManager::Secret',
      },
    ],
  };

  for (const name of [
    'slack-queue',
    'slack-dlq',
    'webhook-queue',
    'webhook-dlq',
    'webhook-delivery-queue',
    'webhook-delivery-dlq',
  ]) {
    const queue = `revops-dev-${name}`;
    state.queues[queue] = new LocalQueue({ name: queue, visibilityTimeoutSeconds: 30 });
  }
  const putSecret = (name: string, value: string | Record<string, string>) => {
    state.secrets[secretArn(name)] = {
      name,
      value: typeof value === 'string' ? value : JSON.stringify(value),
    };
  };
  putSecret('revops/dev/slack', {
    bot_token: 'xoxb-1111-2222-secretvalue',
    signing_secret: 'abc123signingsecret',
  });
  putSecret('revops/dev/webhook-signing', 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MDEy');
  for (const tool of ['firebolt-query', 'firebolt-writer']) {
    putSecret(`revops-${STAGE}/tools/${tool}`, {
      client_id: 'svc-id',
      client_secret: 'svc-secret-value',
      placeholder: 'x1y2',
    });
  }
  putSecret(`revops-${STAGE}/tools/gong-retrieval`, {
    access_key: 'gong-key',
    access_key_secret: 'gong-secret-value',
    placeholder: 'x1y2',
  });
  putSecret(`revops-${STAGE}/tools/web-search`, { api_key: 'tvly-secretkey', placeholder: 'x1y2' });

  state.api[`/restapi/${STAGE}/slack/events`] = 401;
  state.api[`/restapi/${STAGE}/webhook`] = 403;
  state.buckets[CONVERSATION_BUCKET] = new Map();
  state.buckets[KB_BUCKET] = new Map();
  for (const name of FUNCTIONS) state.logGroups[`/aws/lambda/revops-${STAGE}-${name}`] = [];
  state.functions = Object.fromEntries(
    TOOL_NAMES.map((tool) => [
      `revops-${STAGE}-tool-${TOOLS[tool].lambdaDir}`,
      toolLambda(TOOLS[tool].functions.map((f) => f.name)),
    ]),
  );
}
