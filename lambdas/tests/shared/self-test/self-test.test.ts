import { BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { AgentDefinitionError, loadAgents, TOOL_NAMES } from '@revbot/agents';
import { functionResponse } from '@revbot/agents/action-group';
import { InProcessToolInvoker } from '@revbot/agents/runtime';
import { emptyState, type FakeAws, REGION, startFakeAws } from '@revbot/testing/fake-aws';
import { type LocalToolStack, startLocalToolStack } from '@revbot/testing/local-tool-stack';
import { recordingLogger } from '@revbot/testing/recording-logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agentsLoadedCheck,
  credentialsCheck,
  deployedSelfTestChecks,
  knowledgeBaseCheck,
  parseSelfTestCommand,
  renderSelfTestTable,
  runSelfTest,
  toolDryRunCheck,
  warehouseCheck,
  webhookSigningSecretCheck,
} from '../../../shared/self-test';

const SIGNING_SECRET = `whsec_${Buffer.from('a'.repeat(32)).toString('base64')}`;

describe('the self-test against the local tools (healthy)', () => {
  let tools: LocalToolStack;
  beforeAll(async () => {
    tools = await startLocalToolStack({
      asOf: '2026-11-23',
      logger: recordingLogger(),
      webhook: { allowedUrls: 'http://127.0.0.1:4000/', signingSecret: SIGNING_SECRET },
    });
  });
  afterAll(() => tools.close());

  it('passes every check and says what each tool did, without writing', async () => {
    const invoker = new InProcessToolInvoker(tools.tools);
    const leadScores = async () =>
      (
        await tools.warehouse.query('SELECT count(*) FROM lead_scores', {
          maxRows: 1,
          timeoutMs: 5_000,
        })
      ).rows[0]?.[0];
    const before = await leadScores();
    const report = await runSelfTest('local', [
      agentsLoadedCheck(() => loadAgents()),
      ...TOOL_NAMES.map((tool) => toolDryRunCheck(tool, invoker)),
      warehouseCheck(
        (sql) => tools.warehouse.query(sql, { maxRows: 1, timeoutMs: 5_000 }),
        'duckdb',
        'restart',
      ),
      webhookSigningSecretCheck(async () => SIGNING_SECRET, 'set it'),
    ]);
    expect(report.healthy).toBe(true);
    expect(report.lines.map((l) => [l.name, l.status])).toEqual([
      ['agents', 'ok'],
      ['tool firebolt_query', 'ok'],
      ['tool firebolt_writer', 'ok'],
      ['tool gong_retrieval', 'ok'],
      ['tool web_search', 'ok'],
      ['tool webhook_executor', 'ok'],
      ['warehouse', 'ok'],
      ['webhook signing secret', 'ok'],
    ]);
    expect(report.lines[0]?.detail).toBe('6 agents loaded, entry manager_agent');
    expect(report.lines[1]?.detail).toMatch(/^ran SELECT 1 in \d+ ms$/);
    expect(report.lines[2]?.detail).toMatch(/^answered a probe, nothing written or sent/);
    expect(report.lines.every((l) => l.fix === undefined)).toBe(true);
    expect(await leadScores()).toBe(before);
    expect(renderSelfTestTable(report)).toMatch(/\n8 ok, 0 failed, 0 skipped: healthy$/);
  });
});

describe('the self-test against broken stand-ins (unhealthy)', () => {
  it('fails each broken piece on its own line with its fix, and never prints a secret', async () => {
    const invoker = new InProcessToolInvoker({
      firebolt_query: async () => {
        throw new Error('connection refused');
      },
      // Answers, but with a failure: the warehouse behind it is down.
      gong_retrieval: async (event) =>
        functionResponse(event as never, 'Gong API unavailable', 'FAILURE'),
    });
    const report = await runSelfTest(
      'local',
      [
        agentsLoadedCheck(() => {
          throw new AgentDefinitionError([
            {
              agent: 'data_agent',
              field: 'instructions.md',
              message: 'must be at least 40 characters (got 3)',
            },
          ]);
        }),
        toolDryRunCheck('firebolt_query', invoker, 'restart the warehouse'),
        toolDryRunCheck('gong_retrieval', invoker),
        toolDryRunCheck('web_search', invoker),
        warehouseCheck(async () => ({ rows: [[2]] }), 'duckdb', 'reseed'),
        warehouseCheck(() => new Promise(() => {}), 'firebolt', 'check the engine'),
        credentialsCheck(
          'Gong credentials',
          ['accessKey', 'accessKeySecret'],
          async () => ({ accessKey: 'real-key-value', accessKeySecret: 'REPLACE_ME' }),
          'fill in the Gong secret',
        ),
        knowledgeBaseCheck(
          async () => ({ status: 'FAILED', at: new Date('2026-11-23T07:00:00Z') }),
          () => Date.parse('2026-11-23T10:00:00Z'),
          'revbot kb sync',
        ),
        webhookSigningSecretCheck(async () => 'not-a-key', 'set WEBHOOK_SIGNING_SECRET'),
        webhookSigningSecretCheck(async () => undefined, 'set WEBHOOK_SIGNING_SECRET'),
      ],
      { timeoutMs: 200 },
    );
    expect(report.healthy).toBe(false);
    const byName = report.lines.map(
      (l) => `${l.status} ${l.name}: ${l.detail}${l.fix ? ` | ${l.fix}` : ''}`,
    );
    expect(byName).toEqual([
      'fail agents: 1 problem(s), first data_agent: instructions.md: must be at least 40 characters (got 3) | run revbot agents check and fix each problem it names',
      'fail tool firebolt_query: The firebolt_query tool failed (Error) | restart the warehouse',
      "fail tool gong_retrieval: FAILURE: Gong API unavailable | see the tool's logs: revbot logs tool-gong-retrieval",
      "fail tool web_search: not configured for this runtime | see the tool's logs: revbot logs tool-web-search",
      'fail warehouse: SELECT 1 returned [2] | reseed',
      'fail warehouse: no answer within 0.2 s | check the engine',
      'fail Gong credentials: missing accessKeySecret | fill in the Gong secret',
      'fail knowledge base: last ingestion FAILED, 3 h ago (2026-11-23 07:00 UTC) | revbot kb sync',
      'fail webhook signing secret: Invalid configuration: webhook signing secret must be whsec_ followed by the base64 of 24 to 64 random bytes | set WEBHOOK_SIGNING_SECRET',
      'fail webhook signing secret: not set | set WEBHOOK_SIGNING_SECRET',
    ]);
    const table = renderSelfTestTable(report);
    expect(table).not.toContain('real-key-value');
    expect(table).not.toContain('not-a-key');
    expect(table).toMatch(/^FAIL {2}agents +1 problem/);
    expect(table).toMatch(/\n +fix: restart the warehouse\n/);
    expect(table).toMatch(/\n0 ok, 10 failed, 0 skipped: unhealthy$/);
  });
});

describe('parseSelfTestCommand', () => {
  it('recognises the commands and nothing else', () => {
    expect(parseSelfTestCommand('test connectivity')).toEqual({ kind: 'connectivity' });
    expect(parseSelfTestCommand('  Test Connectivity!  ')).toEqual({ kind: 'connectivity' });
    expect(parseSelfTestCommand('test data_agent functionality')).toEqual({
      kind: 'functionality',
      agent: 'data_agent',
    });
    expect(parseSelfTestCommand('test the Deal Analysis functionality?')).toEqual({
      kind: 'functionality',
      agent: 'Deal Analysis',
    });
    expect(parseSelfTestCommand('Can you test connectivity of our Gong integration?')).toBe(
      undefined,
    );
    expect(parseSelfTestCommand("What's the status of the IXIS deal?")).toBe(undefined);
  });
});

describe('deployedSelfTestChecks on Bedrock Agents', () => {
  let aws: FakeAws;
  let bedrockAgent: BedrockAgentClient;
  const now = Date.parse('2026-11-23T10:00:00Z');
  beforeAll(async () => {
    aws = await startFakeAws(emptyState());
    bedrockAgent = new BedrockAgentClient({
      region: REGION,
      endpoint: aws.url,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterAll(async () => {
    bedrockAgent.destroy();
    await aws.close();
  });

  const checks = (env: Record<string, string>) =>
    deployedSelfTestChecks(
      {
        REVBOT_STAGE: 'prod',
        AGENT_RUNTIME: 'bedrock-agents',
        MANAGER_AGENT_ID: 'MANAGER001',
        ...env,
      },
      { bedrockAgent, lambda: new LambdaClient({ region: REGION }), now: () => now },
    );

  it('reports the Manager and the last ingestion, and skips what the processor cannot reach', async () => {
    aws.state.agents.MANAGER001 = {
      name: 'revops-prod-manager-agent',
      status: 'PREPARED',
      versions: ['1'],
      aliases: {},
    };
    aws.state.dataSources['KB12345678/DS12345678'] = {
      script: [],
      jobs: [
        {
          id: 'JOB1',
          status: 'COMPLETE',
          startedAt: new Date(now - 2 * 3_600_000),
          updatedAt: new Date(now - 2 * 3_600_000),
          remaining: [],
        },
      ],
    };
    const report = await runSelfTest(
      'prod',
      checks({ KNOWLEDGE_BASE_ID: 'KB12345678', KNOWLEDGE_BASE_DATA_SOURCE_ID: 'DS12345678' }),
    );
    expect(report.lines.map((l) => `${l.status} ${l.name}: ${l.detail}`)).toEqual([
      'ok agents: 1 agent(s) PREPARED',
      'skipped tools: Bedrock invokes them, not this processor: revbot doctor --stage prod checks them',
      'skipped warehouse: behind the firebolt_query tool: revbot doctor --stage prod',
      "skipped Gong and search credentials: held by the tool Lambdas' secrets: revbot doctor --stage prod",
      'ok knowledge base: last ingestion COMPLETE, 2 h ago (2026-11-23 08:00 UTC)',
      'skipped webhook signing secret: kept by the webhook channel: revbot doctor --stage prod',
    ]);
    expect(report.healthy).toBe(true);
  });

  it('skips, rather than fails, what the processor role may not read', async () => {
    aws.state.fault = {
      service: 'bedrock',
      status: 403,
      code: 'AccessDeniedException',
      message: 'not authorized to perform: bedrock:GetAgent',
    };
    try {
      const report = await runSelfTest(
        'prod',
        checks({ KNOWLEDGE_BASE_ID: 'KB12345678', KNOWLEDGE_BASE_DATA_SOURCE_ID: 'DS12345678' }),
      );
      expect(report.lines[0]).toEqual({
        name: 'agents',
        status: 'skipped',
        detail: 'this processor may not look: revbot doctor --stage prod',
      });
      expect(report.lines[4]).toMatchObject({
        name: 'knowledge base',
        status: 'skipped',
        detail: 'this processor may not look: revbot kb status --stage prod',
      });
      expect(report.healthy).toBe(true);
    } finally {
      delete aws.state.fault;
    }
  });

  it('fails a Manager that is not prepared', async () => {
    aws.state.agents.MANAGER001 = {
      name: 'revops-prod-manager-agent',
      status: 'NOT_PREPARED',
      versions: [],
      aliases: {},
    };
    const report = await runSelfTest('prod', checks({}));
    expect(report.lines[0]).toMatchObject({
      status: 'fail',
      detail: 'Manager (MANAGER001) is NOT_PREPARED',
    });
    expect(report.lines[0]?.fix).toMatch(/^pnpm cdk deploy revops-prod-agents -c stage=prod/);
    expect(report.healthy).toBe(false);
  });
});
