import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ConfigError, staticSecretReader } from '@revbot/core';
import {
  type ConverseStreamServer,
  converseAnswer,
  converseToolCall,
  startConverseStreamServer,
} from '@revbot/testing/converse-stream-server';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '@revbot/testing/embedded-dynamodb';
import { localClientConfig } from '@revbot/testing/local-client-config';
import {
  type LocalLambdaServer,
  startLocalLambdaServer,
} from '@revbot/testing/local-lambda-server';
import { type OpenAISseServer, startOpenAISseServer } from '@revbot/testing/openai-sse-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAgentsDir, readAgentSources } from '../../src';
import { BUNDLED_AGENT_SOURCES } from '../../src/runtime/agent-definitions';
import { createAgentRuntime } from '../../src/runtime/create-agent-runtime';
import { collaboratorSessionId } from '../../src/runtime/orchestrator';
import { agentIdentity } from '../../src/runtime/trace-events';
import { collectEvents } from '../support/collect-events';
import { scriptedQueryTool } from '../support/scripted-query-tool';

const TABLE = 'revops-prod-agent-sessions';
const ACCOUNT = '123456789012';
const arn = (name: string) => `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:revops-prod-${name}`;

let bedrock: ConverseStreamServer;
let lambda: LocalLambdaServer;
let dynamo: EmbeddedDynamoDb;
let openai: OpenAISseServer;
let clients: {
  bedrockRuntime: BedrockRuntimeClient;
  bedrockAgentRuntime: BedrockAgentRuntimeClient;
  lambda: LambdaClient;
  dynamodb: DynamoDBClient;
};

beforeAll(async () => {
  [bedrock, lambda, dynamo, openai] = await Promise.all([
    startConverseStreamServer(),
    startLocalLambdaServer(),
    startEmbeddedDynamoDb(),
    startOpenAISseServer(),
  ]);
  await dynamo.createTable(TABLE, 'pk', 'sk');
  const local = (endpoint: string) => localClientConfig(endpoint, { region: 'eu-west-1' });
  clients = {
    bedrockRuntime: new BedrockRuntimeClient(local(bedrock.endpoint)),
    bedrockAgentRuntime: new BedrockAgentRuntimeClient(local(bedrock.endpoint)),
    lambda: new LambdaClient(local(lambda.endpoint)),
    dynamodb: new DynamoDBClient(local(dynamo.endpoint)),
  };
});
afterAll(async () => {
  for (const client of Object.values(clients)) client.destroy();
  await Promise.all([bedrock.close(), lambda.close(), dynamo.close(), openai.close()]);
});

/** The environment the agents stack gives the processors with agentRuntime=converse. */
const converseEnv = {
  AGENT_RUNTIME: 'converse',
  AGENT_MODEL_ID: 'eu.anthropic.claude-sonnet-4-6',
  AGENT_TOOL_FUNCTIONS: JSON.stringify({
    firebolt_query: arn('firebolt-query'),
    firebolt_writer: arn('firebolt-writer'),
    gong_retrieval: arn('gong-retrieval'),
    web_search: arn('web-search'),
    webhook_executor: arn('webhook-executor'),
  }),
  KNOWLEDGE_BASE_ID: 'KBAAAA1111',
  AGENT_SESSION_TABLE: TABLE,
  AWS_REGION: 'eu-west-1',
  REVBOT_STAGE: 'prod',
};

describe('createAgentRuntime for the portable runtimes', () => {
  it('builds converse from the agents stack’s environment: ConverseStream, lambda:Invoke, Retrieve and DynamoDB', async () => {
    const query = scriptedQueryTool({ columns: ['open_deals'], rows: [[46]], row_count: 1 });
    lambda.behave(arn('firebolt-query'), { result: (payload) => query.handle(payload) });
    bedrock.retrieveResults([
      {
        content: { text: 'Open pipeline: deals with is_closed = false.', type: 'TEXT' },
        location: {
          type: 'S3',
          s3Location: { uri: 's3://revops-prod-kb/business_logic/stages.md' },
        },
        metadata: { 'x-amz-bedrock-kb-source-uri': 's3://revops-prod-kb/business_logic/stages.md' },
        score: 0.61,
      },
    ]);
    bedrock.reply(
      converseToolCall('a', 'AgentCommunication__DataAgent', { content: 'Open deals in 2026-Q4' }),
      converseToolCall('b', 'GET__x_amz_knowledgebase_KBAAAA1111__Search', {
        searchQuery: 'open pipeline definition',
      }),
      converseToolCall('c', 'firebolt_query__execute_query', {
        query: 'SELECT COUNT(*) AS open_deals FROM opportunities WHERE is_closed = false',
      }),
      { frames: converseAnswer({ text: '46 open deals in 2026-Q4.' }) },
      { frames: converseAnswer({ text: '**46 open deals close in 2026-Q4.**' }) },
    );

    const runtime = createAgentRuntime(converseEnv, clients);
    expect(runtime.name).toBe('converse');
    const events = await collectEvents(
      runtime.ask({ question: 'How many open deals this quarter?', sessionId: 'C1-1700000000.1' }),
    );
    expect(new TextDecoder().decode(events.at(-1)?.chunk?.bytes)).toBe(
      '**46 open deals close in 2026-Q4.**',
    );

    const models = bedrock.requests.filter((r) => r.path.startsWith('/model/')).map((r) => r.path);
    expect(new Set(models)).toEqual(
      new Set(['/model/eu.anthropic.claude-sonnet-4-6/converse-stream']),
    );
    const retrieve = bedrock.requests.find((r) => r.path === '/knowledgebases/KBAAAA1111/retrieve');
    expect(retrieve?.body).toEqual({
      retrievalQuery: { text: 'open pipeline definition' },
      retrievalConfiguration: { vectorSearchConfiguration: { numberOfResults: 5 } },
    });

    const data = agentIdentity('data_agent', { region: 'eu-west-1', account: ACCOUNT });
    const [invocation] = lambda.invocations.slice(-1);
    expect(invocation?.functionName).toBe(arn('firebolt-query'));
    expect(invocation?.payload).toMatchObject({
      messageVersion: '1.0',
      agent: {
        name: 'revops-prod-data-agent',
        id: data.agentId,
        alias: data.agentAliasId,
        version: '1',
      },
      actionGroup: 'firebolt_query',
      function: 'execute_query',
      sessionId: collaboratorSessionId('C1-1700000000.1', 'data_agent'),
    });
    const chains = events.flatMap((e) => e.trace?.callerChain ?? []).map((c) => c.agentAliasArn);
    expect(chains).toContain(data.agentAliasArn);
    expect(data.agentAliasArn.startsWith(`arn:aws:bedrock:eu-west-1:${ACCOUNT}:agent-alias/`)).toBe(
      true,
    );

    // The Manager's and the collaborator's turns are in the session table.
    const keys = (await dynamo.items(TABLE)).map(
      (item) => `${JSON.stringify(item.pk)}|${JSON.stringify(item.sk)}`,
    );
    expect(keys.sort()).toEqual([
      `{"S":"SESSION#${collaboratorSessionId('C1-1700000000.1', 'data_agent')}"}|{"S":"AGENT#data_agent"}`,
      '{"S":"SESSION#C1-1700000000.1"}|{"S":"AGENT#manager_agent"}',
    ]);
  });

  it('builds openai with its key read from Secrets Manager', async () => {
    openai.reply({ text: 'Hello from the local model.' });
    const runtime = createAgentRuntime(
      {
        AGENT_RUNTIME: 'openai',
        OPENAI_BASE_URL: openai.baseUrl,
        OPENAI_MODEL: 'llama-3.3-70b',
        OPENAI_API_KEY_SECRET_ID: 'revops/openai',
      },
      { tools: {}, secrets: staticSecretReader({ 'revops/openai': 'sk-from-secret' }) },
    );
    expect(runtime.name).toBe('openai');
    const events = await collectEvents(runtime.ask({ question: 'Hi', sessionId: 'oa-1' }));
    expect(new TextDecoder().decode(events.at(-1)?.chunk?.bytes)).toBe(
      'Hello from the local model.',
    );
    const [sent] = openai.requests.slice(-1);
    expect(sent?.headers.authorization).toBe('Bearer sk-from-secret');
    expect(sent?.body.model).toBe('llama-3.3-70b');
  });

  it('stops start-up with one line naming a missing or malformed variable', () => {
    const { AGENT_MODEL_ID: _, ...noModel } = converseEnv;
    expect(() => createAgentRuntime(noModel, clients)).toThrow(
      /^Invalid configuration: AGENT_MODEL_ID: /,
    );
    expect(() =>
      createAgentRuntime({ ...converseEnv, AGENT_TOOL_FUNCTIONS: '{firebolt' }, clients),
    ).toThrow(
      'Invalid configuration: AGENT_TOOL_FUNCTIONS: must be a JSON object of tool name to Lambda ARN',
    );
    expect(() => createAgentRuntime({ ...converseEnv, AGENT_MAX_STEPS: '0' }, clients)).toThrow(
      /^Invalid configuration: AGENT_MAX_STEPS: /,
    );
    expect(() => createAgentRuntime({ ...converseEnv, KNOWLEDGE_BASE_ID: 'kb' }, clients)).toThrow(
      'Invalid configuration: KNOWLEDGE_BASE_ID: must be a Bedrock knowledge base id (10 letters or digits)',
    );
    expect(() => createAgentRuntime({ AGENT_RUNTIME: 'openai' }, { tools: {} })).toThrow(
      /^Invalid configuration: OPENAI_MODEL: /,
    );
    expect(() =>
      createAgentRuntime(
        { AGENT_RUNTIME: 'openai', OPENAI_MODEL: 'm', OPENAI_API_KEY_SECRET_ID: 'x' },
        { tools: {} },
      ),
    ).toThrow(ConfigError);
    expect(() => createAgentRuntime({ AGENT_RUNTIME: 'offline' })).toThrow(
      /^Invalid configuration: AGENT_TOOL_FUNCTIONS: required .* unless the tools run in process$/,
    );
    expect(() =>
      createAgentRuntime({ AGENT_RUNTIME: 'offline', OFFLINE_TODAY: '23/11/2026' }, { tools: {} }),
    ).toThrow('Invalid configuration: OFFLINE_TODAY: must be a date like 2026-11-23');
    expect(createAgentRuntime({ AGENT_RUNTIME: 'offline' }, { tools: {} }).name).toBe('offline');
  });
});

describe('the agent definitions bundled with the runtime', () => {
  it('are the files of agents/ (regenerate with: pnpm tsx agents/src/runtime/agent-definitions.ts --write)', () => {
    expect(BUNDLED_AGENT_SOURCES).toEqual(readAgentSources(defaultAgentsDir()));
  });
});
