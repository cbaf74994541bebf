import {
  type FakeAgent,
  type FakeAws,
  type FakeDataSource,
  startFakeAws,
} from '@revbot/testing/fake-aws';
import { closedPort } from '@revbot/testing/listen-on-loopback';
import { type LocalQueue, queuedMessage } from '@revbot/testing/local-queue';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployHealthyStage, secretArn } from '../support/deployed-stage';
import { runCli } from '../support/run-cli';

/** A doctor line, whatever the column padding: runs of two or more spaces match any spacing. */
const line = (text: string): RegExp =>
  new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ {2,}/g, '\\s+'));

const SECRET_VALUES = [
  'xoxb-1111-2222-secretvalue',
  'abc123signingsecret',
  'svc-secret-value',
  'gong-secret-value',
  'tvly-secretkey',
  'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MDEy',
];

describe('revbot doctor', () => {
  let aws: FakeAws;
  const agent = (id: string) => aws.state.agents[id] as FakeAgent;

  beforeEach(async () => {
    aws = await startFakeAws();
    deployHealthyStage(aws);
  });
  afterEach(() => aws.close());

  it('reports a healthy stage on one screen and exits 0', async () => {
    const { code, out, err } = await runCli(['doctor'], { env: aws.env() });
    expect(err).toBe('');
    expect(out).not.toContain('✗');
    expect(code).toBe(0);
    expect(out).toMatch(/^RevBot doctor · stage dev · us-east-1\n\nStacks\n/);
    expect(out).toMatch(line('✓ revops-dev-agents           UPDATE_COMPLETE'));
    expect(out).toMatch(
      line(
        '✓ ManagerAgent              revops-dev-manager-agent (MANAGER001) PREPARED; alias MANAGERAL1 serves version 2, the latest',
      ),
    );
    expect(out).toMatch(
      line(
        '✓ ManagerAgent collaborators  version 2 lists all 5: DealAnalysis, LeadAnalysis, Data, WebSearch, Execution',
      ),
    );
    expect(out).toMatch(
      line(
        '✓ KB12345678 last ingestion  job JOB0 succeeded 3 h ago: 31 documents scanned, 31 indexed (31 new, 0 modified), 0 deleted, 0 failed',
      ),
    );
    expect(out).toMatch(line('✓ slack dead-letter queue    empty'));
    expect(out).toMatch(/\nTools\n {2}✓ tool firebolt_query +ran SELECT 1 in \d+ ms\n/);
    expect(out).toMatch(/✓ tool webhook_executor +answered a probe, nothing written or sent/);
    const invoked = aws.calls.filter((c) => c.action === 'Invoke');
    const invokedNames = new Set(
      invoked.map((c) => (c.input as { functionName: string }).functionName),
    );
    expect([...invokedNames].sort()).toEqual([
      'revops-dev-tool-firebolt-query',
      'revops-dev-tool-firebolt-writer',
      'revops-dev-tool-gong-retrieval',
      'revops-dev-tool-web-search',
      'revops-dev-tool-webhook-executor',
    ]);
    expect(out).toMatch(line('✓ revops/dev/slack               bot_token, signing_secret set'));
    expect(out).toMatch(
      /✓ Slack events {2}POST http:\/\/127\.0\.0\.1:\d+\/restapi\/dev\/slack\/events answered 401 in \d+ ms/,
    );
    expect(out).toMatch(/✓ webhook {7}POST .*\/restapi\/dev\/webhook answered 403/);
    expect(out).toMatch(line('✓ functions  no errors in 9 functions in the last 1h'));
    expect(out).toMatch(/\n\d+ checks passed: healthy\n$/);
    // The CDK's own helper functions are not RevBot's and are not counted.
    const metrics = aws.calls.find((c) => c.action === 'GetMetricData')?.input as {
      MetricDataQueries: { Label: string }[];
    };
    expect(metrics.MetricDataQueries.map((q) => q.Label)).not.toContain(
      'revops-dev-agents-CustomCDKBucketDeploy-abc',
    );
    for (const value of SECRET_VALUES) expect(out).not.toContain(value);
  });

  const unhealthy: {
    name: string;
    breakIt: (aws: FakeAws) => void | Promise<void>;
    expected: string[];
  }[] = [
    {
      name: 'an agent that is not prepared',
      breakIt: (aws) => {
        (aws.state.agents.DATAAGENT1 as FakeAgent).status = 'NOT_PREPARED';
      },
      expected: [
        '✗ DataAgent                 revops-dev-data-agent (DATAAGENT1) is NOT_PREPARED',
        'fix: aws bedrock-agent prepare-agent --agent-id DATAAGENT1, then redeploy: pnpm cdk deploy revops-dev-agents -c stage=dev',
      ],
    },
    {
      name: 'a tool whose function is missing',
      breakIt: (aws) => {
        delete aws.state.functions?.['revops-dev-tool-web-search'];
      },
      expected: [
        '✗ tool web_search  The web_search tool could not be invoked (ResourceNotFoundException)',
        "fix: see the tool's logs: revbot logs tool-web-search --stage dev",
      ],
    },
    {
      name: 'a tool that crashes',
      breakIt: (aws) => {
        if (aws.state.functions) {
          aws.state.functions['revops-dev-tool-firebolt-query'] = () => ({
            functionError: 'Runtime.ImportModuleError',
          });
        }
      },
      expected: [
        '✗ tool firebolt_query  The firebolt_query tool failed (Runtime.ImportModuleError)',
      ],
    },
    {
      name: 'an alias that does not serve the latest version',
      breakIt: (aws) => {
        (aws.state.agents.DEALAGENT1 as FakeAgent).versions.push('3');
      },
      expected: [
        '✗ DealAnalysisAgent         alias DEALALIAS1 serves version 2, the latest is 3',
        'aws bedrock-agent update-agent-alias --agent-id DEALAGENT1 --agent-alias-id DEALALIAS1 --agent-alias-name live --routing-configuration agentVersion=3',
      ],
    },
    {
      name: 'a missing collaborator',
      breakIt: (aws) => {
        const manager = aws.state.agents.MANAGER001 as FakeAgent;
        manager.collaborators = manager.collaborators?.filter((c) => c.name !== 'WebSearch');
      },
      expected: ['✗ ManagerAgent collaborators  version 2 lists 4 of 5; missing WebSearchAgent'],
    },
    {
      name: 'a collaborator on the test alias',
      breakIt: (aws) => {
        const manager = aws.state.agents.MANAGER001 as FakeAgent;
        const data = manager.collaborators?.find((c) => c.name === 'Data');
        if (data)
          data.aliasArn =
            'arn:aws:bedrock:us-east-1:123456789012:agent-alias/DATAAGENT1/TSTALIASID';
      },
      expected: ['missing DataAgent; Data on the test alias TSTALIASID'],
    },
    {
      name: 'a failed ingestion job',
      breakIt: (aws) => {
        (aws.state.dataSources['KB12345678/DS12345678'] as FakeDataSource).jobs.push({
          id: 'JOB9',
          status: 'FAILED',
          startedAt: new Date(Date.now() - 20 * 60_000),
          updatedAt: new Date(),
          failureReasons: [
            'User: arn:aws:sts::123456789012:assumed-role/kb is not authorized to perform: s3vectors:PutVectors',
          ],
          remaining: [],
        });
      },
      expected: [
        '✗ KB12345678 last ingestion  job JOB9 FAILED 20 min ago: User: arn:aws:sts::123456789012:assumed-role/kb is not authorized to perform: s3vectors:PutVectors',
        'fix: fix the cause, then revbot kb sync --force',
      ],
    },
    {
      name: 'an ingestion whose documents failed',
      breakIt: (aws) => {
        const job = (aws.state.dataSources['KB12345678/DS12345678'] as FakeDataSource).jobs[0];
        if (job?.statistics) job.statistics.numberOfDocumentsFailed = 2;
      },
      expected: ['but 2 documents failed'],
    },
    {
      name: 'a dead-letter queue that is not empty',
      breakIt: (aws) => {
        (aws.state.queues['revops-dev-webhook-dlq'] as LocalQueue).messages.push(
          queuedMessage({
            messageId: 'm-1',
            body: '{"tracking_id":"trk-1"}',
            sentAt: Date.now(),
            receiveCount: 3,
          }),
        );
      },
      expected: [
        '✗ webhook dead-letter queue  1 message not answered',
        'fix: see why: revbot dlq list webhook; after fixing the cause: revbot dlq redrive webhook',
      ],
    },
    {
      name: 'a secret still holding its placeholder',
      breakIt: (aws) => {
        const slack = aws.state.secrets[secretArn('revops/dev/slack')];
        if (slack)
          slack.value = JSON.stringify({ bot_token: 'REPLACE_ME', signing_secret: 'REPLACE_ME' });
        const search = aws.state.secrets[secretArn('revops-dev/tools/web-search')];
        if (search)
          search.value = JSON.stringify({
            api_key: 'REPLACE_WITH_TAVILY_API_KEY',
            placeholder: 'k9',
          });
      },
      expected: [
        '✗ revops/dev/slack               bot_token, signing_secret still hold the placeholder',
        `fix: aws secretsmanager put-secret-value --secret-id revops/dev/slack --secret-string '{"bot_token":"…","signing_secret":"…"}'`,
        '✗ revops-dev/tools/web-search    api_key still holds the placeholder',
        `fix: aws secretsmanager put-secret-value --secret-id revops-dev/tools/web-search --secret-string '{"api_key":"…"}'`,
      ],
    },
    {
      name: 'an endpoint that does not answer',
      breakIt: async (aws) => {
        const slack = aws.state.stacks['revops-dev-slack-gateway'];
        if (slack?.outputs)
          slack.outputs.SlackEventsUrl = `http://127.0.0.1:${await closedPort()}/dev/slack/events`;
      },
      expected: ['did not answer: ECONNREFUSED', 'fix: check the API Gateway stage exists'],
    },
    {
      name: 'an endpoint failing with 502',
      breakIt: (aws) => {
        aws.state.api['/restapi/dev/webhook'] = 502;
      },
      expected: [
        '/restapi/dev/webhook answered 502',
        'fix: see the errors: revbot logs webhook-gateway --since 1h',
      ],
    },
    {
      name: 'recent Lambda errors',
      breakIt: (aws) => {
        aws.state.lambdaErrors['revops-dev-slack-processor'] = 4;
      },
      expected: [
        '✗ slack-processor  4 errors in the last 1h',
        'fix: revbot logs slack-processor --since 1h',
      ],
    },
    {
      name: 'a stack that is not deployed',
      breakIt: (aws) => {
        delete aws.state.stacks['revops-dev-webhook-gateway'];
      },
      expected: [
        '✗ revops-dev-webhook-gateway  not deployed in this region',
        'fix: deploy it: pnpm cdk deploy revops-dev-webhook-gateway -c stage=dev',
      ],
    },
  ];

  it.each(unhealthy)('catches $name, names the fix and exits 1', async ({ breakIt, expected }) => {
    await breakIt(aws);
    const { code, out, err } = await runCli(['doctor'], { env: aws.env() });
    expect(err).toBe('');
    for (const text of expected) expect(out).toMatch(line(text));
    expect(out).toMatch(/, 1 problem: unhealthy\n$|, 2 problems: unhealthy\n$/);
    expect(code).toBe(1);
    for (const value of SECRET_VALUES) expect(out).not.toContain(value);
  });

  it('treats work in progress as a warning, failing only with --strict', async () => {
    agent('EXECAGENT1').status = 'PREPARING';
    const relaxed = await runCli(['doctor'], { env: aws.env() });
    expect(relaxed.out).toMatch(
      line('! ExecutionAgent            revops-dev-execution-agent (EXECAGENT1) is PREPARING'),
    );
    expect(relaxed.out).toContain('1 warning: healthy');
    expect(relaxed.code).toBe(0);
    const strict = await runCli(['doctor', '--strict'], { env: aws.env() });
    expect(strict.code).toBe(1);
  });

  it('prints the checks as JSON for pipelines, without secret values', async () => {
    const slack = aws.state.secrets[secretArn('revops/dev/slack')];
    if (slack)
      slack.value = JSON.stringify({
        bot_token: 'REPLACE_ME',
        signing_secret: 'abc123signingsecret',
      });
    const { code, out } = await runCli(['doctor', '--json'], { env: aws.env() });
    expect(code).toBe(1);
    const report = JSON.parse(out) as {
      stage: string;
      region: string;
      healthy: boolean;
      summary: { fail: number };
      checks: { group: string; name: string; status: string; fix?: string }[];
    };
    expect(report).toMatchObject({
      stage: 'dev',
      region: 'us-east-1',
      healthy: false,
      summary: { fail: 1 },
    });
    expect(report.checks.find((c) => c.status === 'fail')).toMatchObject({
      group: 'Secrets',
      name: 'revops/dev/slack',
      fix: expect.stringContaining('put-secret-value'),
    });
    for (const value of SECRET_VALUES) expect(out).not.toContain(value);
  });

  it('says the converse runtime has no agents to check', async () => {
    const agents = aws.state.stacks['revops-dev-agents'];
    if (agents?.outputs) {
      agents.outputs = {
        KnowledgeBaseId: 'KB12345678',
        KnowledgeBaseDataSourceId: 'DS12345678',
        KnowledgeBaseBucketName: 'b',
        SessionTableName: 'revops-dev-agent-sessions',
      };
    }
    const { code, out } = await runCli(['doctor'], { env: aws.env() });
    expect(code).toBe(0);
    expect(out).toMatch(line('✓ runtime  converse runtime: no Bedrock agents to check'));
    expect(aws.calls.some((c) => c.action === 'GetAgent')).toBe(false);
  });
});

describe('revbot doctor --local', () => {
  it('runs the self-test of the local pieces and exits 0 when all answer', async () => {
    const { code, out } = await runCli(['doctor', '--local'], {
      env: { REVBOT_DATA_AS_OF: '2026-11-23' },
    });
    expect(out).toMatch(/^RevBot self-test · local\n\nok {4}agents +6 agents loaded/);
    expect(out).toMatch(/ok {4}tool gong_retrieval +listed one call/);
    expect(out).toMatch(/\n11 ok, 0 failed, 0 skipped: healthy\n$/);
    expect(code).toBe(0);
  }, 30_000);

  it('names each broken local piece with its fix and exits 1', async () => {
    const { code, out } = await runCli(['doctor', '--local', '--json'], {
      env: {
        REVBOT_DATA_AS_OF: '2026-11-23',
        WEBHOOK_SIGNING_SECRET: 'whsec_short',
        KNOWLEDGE_BASE_DIR: '/nonexistent/knowledge_base',
      },
    });
    expect(code).toBe(1);
    const report = JSON.parse(out) as {
      healthy: boolean;
      lines: { name: string; status: string; fix?: string }[];
    };
    expect(report.healthy).toBe(false);
    expect(report.lines.filter((l) => l.status === 'fail').map((l) => l.name)).toEqual([
      'tool webhook_executor',
      'knowledge base',
      'webhook signing secret',
    ]);
    expect(report.lines.every((l) => (l.status === 'fail') === (l.fix !== undefined))).toBe(true);
  }, 30_000);
});
