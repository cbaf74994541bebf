import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUGGESTED_PROMPTS } from '../../../lambdas/slack-handler/assistant-thread';
import { REPO_ROOT } from '../../constructs/revbot-function';
import { buildApp, newRevbotApp } from '../../lib/app';
import { nagErrors } from '../nag-report';

type Resource = { Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Effect: string; Resource: unknown };

describe('the Slack gateway stack', () => {
  let outdir: string;
  let template: Template;
  let monitoring: Template;

  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), 'revbot-slack-'));
    const app = newRevbotApp({ outdir });
    const stacks = buildApp(app);
    app.synth();
    template = Template.fromStack(stacks.slack);
    monitoring = Template.fromStack(stacks.monitoring);
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const functionId = (name: string): string => {
    const found = Object.entries(
      template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: name } }),
    );
    expect(found).toHaveLength(1);
    return found[0]![0];
  };
  const fn = (name: string) =>
    (template.toJSON().Resources as Record<string, Resource>)[functionId(name)]!.Properties;
  const roleIdOf = (name: string) =>
    (fn(name).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const statementsOf = (name: string): Statement[] => {
    const roleId = roleIdOf(name);
    return Object.values(template.findResources('AWS::IAM::Policy') as Record<string, Resource>)
      .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  };
  const actionsOf = (statements: Statement[]) =>
    statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
  const queueId = (name: string) =>
    Object.keys(template.findResources('AWS::SQS::Queue', { Properties: { QueueName: name } }))[0]!;
  const secretId = (name = 'revops/dev/slack') =>
    Object.keys(
      template.findResources('AWS::SecretsManager::Secret', { Properties: { Name: name } }),
    )[0]!;
  const tableId = () => Object.keys(template.findResources('AWS::DynamoDB::Table'))[0]!;

  it('routes POST /slack/events and POST /slack/interactions to the handler, and nothing else', () => {
    const resources = Object.values(
      template.findResources('AWS::ApiGateway::Resource') as Record<string, Resource>,
    ).map((r) => r.Properties.PathPart);
    expect(resources.sort()).toEqual(['events', 'interactions', 'slack']);
    template.resourceCountIs('AWS::ApiGateway::Method', 2);
    const handlerArn = { 'Fn::GetAtt': [functionId('revops-dev-slack-handler'), 'Arn'] };
    const methods = Object.values(
      template.findResources('AWS::ApiGateway::Method') as Record<string, Resource>,
    );
    for (const method of methods) {
      expect(method.Properties.HttpMethod).toBe('POST');
      const integration = method.Properties.Integration as { Type: string; Uri: unknown };
      expect(integration.Type).toBe('AWS_PROXY');
      expect(JSON.stringify(integration.Uri)).toContain(JSON.stringify(handlerArn));
    }
  });

  it('feeds the processor from the queue one message at a time, reporting batch item failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId('revops-dev-slack-processor') },
      EventSourceArn: { 'Fn::GetAtt': [queueId('revops-dev-slack-queue'), 'Arn'] },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('lets the queue start at most five processors at once, so a burst cannot exhaust Bedrock', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionId('revops-dev-slack-processor') },
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  it('throttles events and interactions separately, the stage throttle for anything else', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
        }),
        Match.objectLike({
          HttpMethod: 'POST',
          ResourcePath: '/~1slack~1events',
          ThrottlingRateLimit: 40,
          ThrottlingBurstLimit: 80,
        }),
        Match.objectLike({
          HttpMethod: 'POST',
          ResourcePath: '/~1slack~1interactions',
          ThrottlingRateLimit: 10,
          ThrottlingBurstLimit: 20,
        }),
      ],
    });
  });

  it('moves a question to the DLQ after three deliveries, with visibility six times the processor timeout', () => {
    expect(fn('revops-dev-slack-processor').Timeout).toBe(300);
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'revops-dev-slack-queue',
      VisibilityTimeout: 1_800,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [queueId('revops-dev-slack-dlq'), 'Arn'] },
        maxReceiveCount: 3,
      },
    });
    expect(fn('revops-dev-slack-processor').Environment).toMatchObject({
      Variables: { SLACK_MAX_RECEIVE_COUNT: '3' },
    });
  });

  it('streams answers and runs agent sessions by default (CDK context slackStreaming, slackAgentSessions)', () => {
    expect(fn('revops-dev-slack-processor').Environment).toMatchObject({
      Variables: { SLACK_STREAMING: 'on', SLACK_AGENT_SESSIONS: 'on' },
    });
  });

  it('alarms on the Slack DLQ in the monitoring stack, by the queue name this stack gives it', () => {
    monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: 'revops-dev-slack-dlq' }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('keeps claim records in a table keyed by id with TTL on `expiration`', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  it('configures the handler with the secret, queue and table, and a timeout inside its lease', () => {
    const handler = fn('revops-dev-slack-handler');
    expect(handler.Environment).toEqual({
      Variables: expect.objectContaining({
        SLACK_SECRET_ARN: { Ref: secretId() },
        SLACK_QUEUE_URL: { Ref: queueId('revops-dev-slack-queue') },
        SLACK_EVENTS_TABLE: { Ref: tableId() },
      }),
    });
    // A claim's lease (30 s) outlives any attempt, so a live attempt is never overtaken.
    expect(handler.Timeout).toBeLessThanOrEqual(30);
  });

  it('lets the handler read the Slack secret, send to the queue and write claims — nothing more', () => {
    const statements = statementsOf('revops-dev-slack-handler');
    expect(actionsOf(statements)).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'sqs:SendMessage',
    ]);
    const resourceOf = (action: string) =>
      statements.find((s) => [s.Action].flat().includes(action))?.Resource;
    // The bot token and the signing secret, each its own secret.
    expect([resourceOf('secretsmanager:GetSecretValue')].flat()).toEqual([
      { Ref: secretId() },
      { Ref: secretId('revops/dev/slack-signing') },
    ]);
    expect(resourceOf('sqs:SendMessage')).toEqual({
      'Fn::GetAtt': [queueId('revops-dev-slack-queue'), 'Arn'],
    });
    expect(resourceOf('dynamodb:PutItem')).toEqual({ 'Fn::GetAtt': [tableId(), 'Arn'] });
  });

  it('lets the processor read the secret, consume its queue, ask the Manager alias and write conversation records', () => {
    const statements = statementsOf('revops-dev-slack-processor');
    const actions = actionsOf(statements);
    expect(actions).toEqual(
      expect.arrayContaining([
        'bedrock:InvokeAgent',
        's3:PutObject',
        'secretsmanager:GetSecretValue',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:ReceiveMessage',
      ]),
    );
    expect(actions.filter((a) => !/^(logs|sqs|bedrock|dynamodb):/.test(a))).toEqual([
      'lambda:InvokeFunction',
      's3:PutObject',
      'secretsmanager:GetSecretValue',
    ]);
    // Lambda for one function only: the writer, to log approval decisions Bedrock never sends.
    const invoke = statements.filter((s) => [s.Action].flat().includes('lambda:InvokeFunction'));
    expect(invoke.flatMap((s) => [s.Resource].flat())).toHaveLength(1);
    expect(JSON.stringify(invoke[0]?.Resource)).toMatch(/ToolsfireboltwriterFunction/i);
    // DynamoDB only for its handle-once keys (Powertools idempotency), on their own table, and
    // to read Stop presses (`stop#` keys) in the events table, below.
    const isStopRead = (s: Statement) => JSON.stringify(s).includes('stop#*');
    const dynamo = statements.filter(
      (s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')) && !isStopRead(s),
    );
    expect(dynamo.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(JSON.stringify(dynamo.map((s) => s.Resource))).toContain('IdempotencyTable');
    const s3 = statements.find((s) => s.Action === 's3:PutObject');
    expect(JSON.stringify(s3?.Resource)).toMatch(
      /revops-dev-conversations-.*\/conversation-history\/\*/,
    );
    const bedrock = statements.find((s) => [s.Action].flat().includes('bedrock:InvokeAgent'));
    expect(JSON.stringify(bedrock?.Resource)).toMatch(/AgentAliasArn|agent-alias/);
  });

  it('lets the processor read Stop presses from the events table, and nothing else there', () => {
    const stopReads = statementsOf('revops-dev-slack-processor').filter((s) =>
      JSON.stringify(s).includes('stop#*'),
    );
    expect(stopReads).toHaveLength(1);
    expect(stopReads[0]?.Action).toBe('dynamodb:GetItem');
    expect(stopReads[0]?.Resource).toEqual({ 'Fn::GetAtt': [tableId(), 'Arn'] });
    expect(fn('revops-dev-slack-processor').Environment).toMatchObject({
      Variables: { SLACK_EVENTS_TABLE: { Ref: tableId() } },
    });
  });

  it('keeps the signing secret from the processor: it reads the bot token, never the signing secret', () => {
    const signing = secretId('revops/dev/slack-signing');
    expect(signing).toBeDefined();
    expect(signing).not.toBe(secretId());
    const processorSecrets = statementsOf('revops-dev-slack-processor')
      .filter((s) => [s.Action].flat().includes('secretsmanager:GetSecretValue'))
      .flatMap((s) => [s.Resource].flat());
    // The bot token and the session key, nothing else.
    expect(processorSecrets).toHaveLength(2);
    expect(processorSecrets).toEqual(
      expect.arrayContaining([
        { Ref: secretId() },
        { Ref: secretId('revops/dev/slack-session-key') },
      ]),
    );
    expect(JSON.stringify(statementsOf('revops-dev-slack-processor'))).not.toContain(signing);
    expect(fn('revops-dev-slack-processor').Environment).toEqual({
      Variables: expect.not.objectContaining({ SLACK_SIGNING_SECRET_ARN: expect.anything() }),
    });
    expect(fn('revops-dev-slack-handler').Environment).toEqual({
      Variables: expect.objectContaining({ SLACK_SIGNING_SECRET_ARN: { Ref: signing } }),
    });
    expect(fn('revops-dev-slack-processor').Environment).toEqual({
      Variables: expect.objectContaining({
        SLACK_SESSION_KEY_SECRET_ARN: { Ref: secretId('revops/dev/slack-session-key') },
      }),
    });
    // The handler does not need the session key.
    expect(JSON.stringify(statementsOf('revops-dev-slack-handler'))).not.toContain(
      secretId('revops/dev/slack-session-key'),
    );
    // The bot token's secret no longer holds a signing secret the processor could read.
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'revops/dev/slack',
      SecretString: '{"bot_token":"REPLACE_ME"}',
    });
    // A placeholder the handler refuses to verify with until an operator fills it in.
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'revops/dev/slack-signing',
      SecretString: '{"signing_secret":"REPLACE_ME"}',
    });
  });

  it('scopes every IAM statement in the stack to named resources, never "*"', () => {
    const statements = Object.values(
      template.findResources('AWS::IAM::Policy') as Record<string, Resource>,
    ).flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
    expect(statements.length).toBeGreaterThan(8);
    for (const statement of statements) {
      expect([statement.Resource].flat()).not.toContain('*');
    }
  });

  it('passes cdk-nag with no unacknowledged error in this stack', () => {
    expect(nagErrors(outdir, 'SlackGateway')).toEqual([]);
  });
  it('ships @slack/web-api beside the handler, compiled only when the handler first calls Slack', async () => {
    const withLazySlack = readdirSync(outdir).filter((entry) =>
      existsSync(path.join(outdir, entry, 'node_modules/@slack/web-api/index.mjs')),
    );
    // Only the handler: the processor calls Slack on every question and bundles it inline.
    expect(withLazySlack).toHaveLength(1);
    const asset = path.join(outdir, withLazySlack[0] as string);
    const handlerCode = readFileSync(path.join(asset, 'index.mjs'), 'utf8');
    expect(handlerCode).toContain('import("@slack/web-api")');
    // axios's form-data pulls in mime-db, the largest piece of the Slack client.
    expect(handlerCode).not.toContain('application/vnd');
    const lazy = path.join(asset, 'node_modules/@slack/web-api/index.mjs');
    const { WebClient } = (await import(lazy)) as { WebClient: new (token: string) => unknown };
    const client = new WebClient('xoxb-test') as { chat: { postMessage: unknown } };
    expect(typeof client.chat.postMessage).toBe('function');
  });
});

describe('the Slack app manifest', () => {
  const manifest = JSON.parse(
    readFileSync(path.join(REPO_ROOT, 'infra/slack-app-manifest.json'), 'utf8'),
  ) as {
    oauth_config: { scopes: { bot: string[] } };
    features: {
      assistant_view?: unknown;
      agent_view: {
        agent_description: string;
        suggested_prompts: { title: string; message: string }[];
      };
    };
    settings: {
      event_subscriptions: { request_url: string; bot_events: string[] };
      interactivity: { is_enabled: boolean; request_url: string };
      socket_mode_enabled: boolean;
    };
  };

  it('subscribes to mentions, direct messages, the assistant pane and Stop, with the scopes they need, and no more', () => {
    expect(manifest.settings.event_subscriptions.bot_events.sort()).toEqual([
      // The Stop button of an agent session: without it Slack shows no Stop button.
      'agent_session_stopped',
      'app_mention',
      'assistant_thread_context_changed',
      'assistant_thread_started',
      'message.im',
    ]);
    // Threads read for context (channels/groups/im:history), files shared, the assistant pane,
    // user groups read for SLACK_AGENT_GROUPS and SLACK_APPROVERS_GROUP.
    expect(manifest.oauth_config.scopes.bot.sort()).toEqual([
      'app_mentions:read',
      'assistant:write',
      'channels:history',
      'chat:write',
      'files:write',
      'groups:history',
      'im:history',
      'im:read',
      'im:write',
      'usergroups:read',
    ]);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });

  it("declares the app an agent (agent_view replaces assistant_view), with the pane's suggested prompts", () => {
    expect(manifest.features.agent_view.agent_description).toMatch(/RevBot/);
    expect(manifest.features.assistant_view).toBeUndefined();
    expect(manifest.features.agent_view.suggested_prompts).toEqual(
      SUGGESTED_PROMPTS.map((prompt) => ({ ...prompt })),
    );
  });

  it("points events and interactivity at the gateway's two routes", () => {
    expect(manifest.settings.event_subscriptions.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.interactivity).toEqual({
      is_enabled: true,
      request_url: expect.stringMatching(/\/slack\/interactions$/),
    });
  });
});
