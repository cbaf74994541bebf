import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadAgents, TOOLS } from '@revbot/agents';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bedrockAgentName } from '../../constructs/bedrock-agent';
import { KNOWLEDGE_BASE_DIR, KnowledgeBase } from '../../constructs/knowledge-base';
import { buildApp, newRevbotApp, type RevbotStacks } from '../../lib/app';
import { SESSION_TABLE_ACTIONS } from '../../stacks/agents-stack';
import {
  bedrockAgentTrust,
  bedrockArnInBareStack,
  titanS3VectorsKnowledgeBase,
} from '../constructs/bare-stack';
import { nagErrors } from '../nag-report';

const outdirs: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  outdirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

/** Synthesizes the whole app; Lambda bundling is skipped (the assertions are on wiring). */
function synthApp(agentRuntime: string): { stacks: RevbotStacks; outdir: string } {
  const outdir = tempDir('revbot-agents-');
  const app = newRevbotApp({
    outdir,
    context: { stage: 'prod', agentRuntime, 'aws:cdk:bundling-stacks': [] },
  });
  const stacks = buildApp(app);
  app.synth();
  return { stacks, outdir };
}

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] };
type Statement = {
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, unknown>;
};

const definitions = loadAgents();

/** Statements granting what lives in the agents stack, or Bedrock, to a processor. */
const agentGrants = (statements: Statement[]) =>
  statements.filter(
    (s) =>
      actions(s).some((a) => a.startsWith('bedrock:')) ||
      JSON.stringify(s.Resource).includes('revops-prod-agents:'),
  );

/** Statements of the processor role's policies in a gateway stack. */
function processorStatements(stack: RevbotStacks['slack'] | RevbotStacks['webhook']): Statement[] {
  const role = stack.getLogicalId(stack.processing.processor.role.node.defaultChild as never);
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .map(
      (p) =>
        p.Properties as { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } },
    )
    .filter((p) => p.Roles.some((r) => r.Ref === role))
    .flatMap((p) => p.PolicyDocument.Statement);
}
const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resources = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

describe('the agents stack with Bedrock Agents (default)', () => {
  let stacks: RevbotStacks;
  let outdir: string;
  let template: Template;
  let all: Record<string, Resource>;
  /** Logical id of the CfnAgent of each agent key. */
  const agentIds = new Map<string, string>();
  const aliasIds = new Map<string, string>();
  const roleIds = new Map<string, string>();

  const ofType = (type: string) =>
    Object.entries(all).filter(([, r]) => r.Type === type) as [string, Resource][];
  const logicalIdOf = (construct: { node: { defaultChild?: unknown } } | object) =>
    stacks.agents.getLogicalId(construct as never);
  const policyOf = (roleLogicalId: string): Statement[] =>
    ofType('AWS::IAM::Policy')
      .filter(([, p]) =>
        (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleLogicalId),
      )
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);

  beforeAll(() => {
    ({ stacks, outdir } = synthApp('bedrock-agents'));
    template = Template.fromStack(stacks.agents);
    all = template.toJSON().Resources as Record<string, Resource>;
    for (const [key, agent] of stacks.agents.bedrockAgents) {
      agentIds.set(key, logicalIdOf(agent.agent));
      aliasIds.set(key, logicalIdOf(agent.alias));
      roleIds.set(key, logicalIdOf(agent.role.node.defaultChild as never));
    }
  });

  it('creates the six agents, stage-named, auto-prepared, on the configured inference profile', () => {
    template.resourceCountIs('AWS::Bedrock::Agent', 6);
    template.resourceCountIs('AWS::Bedrock::AgentAlias', 6);
    for (const definition of definitions.agents) {
      const agent = all[agentIds.get(definition.key)!]!;
      expect(agent.Properties).toMatchObject({
        AgentName: `revops-prod-${definition.key.replaceAll('_', '-')}`,
        AutoPrepare: true,
        FoundationModel: 'us.anthropic.claude-sonnet-4-6',
        IdleSessionTTLInSeconds: definition.idleSessionTtlSeconds,
        Instruction: definition.instructions,
        Description: definition.description,
        AgentResourceRoleArn: { 'Fn::GetAtt': [roleIds.get(definition.key), 'Arn'] },
      });
    }
    expect(new Set(roleIds.values()).size).toBe(6);
  });

  it('makes the Manager a supervisor of the five others through their aliases', () => {
    const manager = all[agentIds.get('manager_agent')!]!.Properties;
    expect(manager.AgentCollaboration).toBe('SUPERVISOR');
    const collaborators = manager.AgentCollaborators as {
      AgentDescriptor: { AliasArn: unknown };
      CollaboratorName: string;
      CollaborationInstruction: string;
      RelayConversationHistory: string;
    }[];
    expect(collaborators).toHaveLength(5);
    for (const [i, c] of definitions.get('manager_agent').collaborators.entries()) {
      expect(collaborators[i]).toEqual({
        AgentDescriptor: {
          AliasArn: { 'Fn::GetAtt': [aliasIds.get(c.agentKey), 'AgentAliasArn'] },
        },
        CollaboratorName: c.name,
        CollaborationInstruction: c.instruction,
        RelayConversationHistory: c.relayConversationHistory ? 'TO_COLLABORATOR' : 'DISABLED',
      });
    }
    expect(JSON.stringify(template.toJSON())).not.toContain('TSTALIASID');
    for (const key of aliasIds.keys()) {
      if (key === 'manager_agent') continue;
      expect(all[agentIds.get(key)!]!.Properties.AgentCollaboration).toBe('DISABLED');
    }
  });

  it('wires each action group to its tool Lambda with the catalogue’s function schema', () => {
    const toolLogicalId = (tool: keyof typeof TOOLS) =>
      logicalIdOf(stacks.agents.tools.byName[tool].function.node.defaultChild as never);
    const expected: Record<string, (keyof typeof TOOLS)[]> = {
      manager_agent: [],
      data_agent: ['firebolt_query', 'gong_retrieval'],
      deal_analysis_agent: ['firebolt_query', 'gong_retrieval'],
      lead_analysis_agent: ['firebolt_query', 'web_search'],
      web_search_agent: ['web_search'],
      execution_agent: ['webhook_executor', 'firebolt_writer'],
    };
    for (const [key, tools] of Object.entries(expected)) {
      const groups = (all[agentIds.get(key)!]!.Properties.ActionGroups ?? []) as {
        ActionGroupName: string;
        ActionGroupExecutor: { Lambda: unknown };
        FunctionSchema: { Functions: { Name: string; Parameters: Record<string, unknown> }[] };
      }[];
      expect(groups.map((g) => g.ActionGroupName)).toEqual(tools);
      for (const [i, tool] of tools.entries()) {
        expect(groups[i]?.ActionGroupExecutor).toEqual({
          Lambda: { 'Fn::GetAtt': [toolLogicalId(tool), 'Arn'] },
        });
        expect(groups[i]?.FunctionSchema.Functions.map((f) => f.Name)).toEqual(
          TOOLS[tool].functions.map((f) => f.name),
        );
      }
    }
    const [query] = all[agentIds.get('data_agent')!]!.Properties.ActionGroups as {
      FunctionSchema: { Functions: { Parameters: Record<string, unknown> }[] };
    }[];
    expect(query?.FunctionSchema.Functions[0]?.Parameters).toEqual({
      query: {
        Type: 'string',
        Description: 'One SQL SELECT statement, without a trailing semicolon.',
        Required: true,
      },
      max_rows: {
        Type: 'integer',
        Description: 'Maximum rows to return (1-500, default 100).',
        Required: false,
      },
    });
  });

  it('lets each tool Lambda be invoked only by the agents that use it', () => {
    const permissions = ofType('AWS::Lambda::Permission').map(([, p]) => p.Properties);
    const byFunction = new Map<string, string[]>();
    for (const p of permissions) {
      expect(p.Principal).toBe('bedrock.amazonaws.com');
      expect(p.Action).toBe('lambda:InvokeFunction');
      expect(p.SourceAccount).toEqual({ Ref: 'AWS::AccountId' });
      const fn = (p.FunctionName as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
      const agent = (p.SourceArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
      expect(agent[1]).toBe('AgentArn');
      byFunction.set(fn, [...(byFunction.get(fn) ?? []), agent[0]]);
    }
    const fnId = (tool: keyof typeof TOOLS) =>
      logicalIdOf(stacks.agents.tools.byName[tool].function.node.defaultChild as never);
    const agents = (...keys: string[]) => keys.map((k) => agentIds.get(k)).sort();
    expect(byFunction.get(fnId('firebolt_query'))?.sort()).toEqual(
      agents('data_agent', 'deal_analysis_agent', 'lead_analysis_agent'),
    );
    expect(byFunction.get(fnId('gong_retrieval'))?.sort()).toEqual(
      agents('data_agent', 'deal_analysis_agent'),
    );
    expect(byFunction.get(fnId('web_search'))?.sort()).toEqual(
      agents('lead_analysis_agent', 'web_search_agent'),
    );
    expect(byFunction.get(fnId('webhook_executor'))).toEqual(agents('execution_agent'));
    expect(byFunction.get(fnId('firebolt_writer'))).toEqual(agents('execution_agent'));
    expect(permissions).toHaveLength(9);
  });

  it('trusts Bedrock only for this account’s agents in every agent role', () => {
    for (const roleId of roleIds.values()) {
      expect(all[roleId]!.Properties.AssumeRolePolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [bedrockAgentTrust(bedrockArnInBareStack('agent/*'))],
      });
      expect(all[roleId]!.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('scopes every agent role to its model, its knowledge base and, for the Manager, the five aliases', () => {
    const profileArn = bedrockArnInBareStack('inference-profile/us.anthropic.claude-sonnet-4-6');
    const kbArn = {
      'Fn::GetAtt': [logicalIdOf(stacks.agents.knowledgeBase.knowledgeBase), 'KnowledgeBaseArn'],
    };
    for (const definition of definitions.agents) {
      const statements = policyOf(roleIds.get(definition.key)!);
      expect(statements).toContainEqual({
        Action: [
          'bedrock:GetInferenceProfile',
          'bedrock:InvokeModel',
          'bedrock:InvokeModelWithResponseStream',
        ],
        Effect: 'Allow',
        Resource: profileArn,
      });
      expect(statements).toContainEqual({
        Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
        Effect: 'Allow',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':bedrock:*::foundation-model/anthropic.claude-sonnet-4-6',
            ],
          ],
        },
        Condition: { StringEquals: { 'bedrock:InferenceProfileArn': [profileArn] } },
      });
      const retrieve = statements.filter((s) => actions(s).includes('bedrock:Retrieve'));
      expect(retrieve).toEqual(
        definition.knowledgeBase
          ? [{ Action: 'bedrock:Retrieve', Effect: 'Allow', Resource: kbArn }]
          : [],
      );
      const invokeAgent = statements.filter((s) => actions(s).includes('bedrock:InvokeAgent'));
      if (definition.key === 'manager_agent') {
        expect(invokeAgent).toHaveLength(1);
        expect(actions(invokeAgent[0]!)).toEqual(['bedrock:GetAgentAlias', 'bedrock:InvokeAgent']);
        const aliasArns = (list: unknown[]) => list.map((r) => JSON.stringify(r)).sort();
        expect(aliasArns(resources(invokeAgent[0]!))).toEqual(
          aliasArns(
            definition.collaborators.map((c) => ({
              'Fn::GetAtt': [aliasIds.get(c.agentKey), 'AgentAliasArn'],
            })),
          ),
        );
      } else {
        expect(invokeAgent).toEqual([]);
      }
      // Nothing else: no wildcard actions, no resource "*".
      for (const s of statements) {
        for (const a of actions(s)) expect(a).not.toContain('*');
        for (const r of resources(s)) expect(r).not.toBe('*');
      }
      expect(statements).toHaveLength(2 + retrieve.length + invokeAgent.length);
    }
  });

  it('creates each agent only after its role’s policy', () => {
    for (const [key, agentId] of agentIds) {
      const policy = ofType('AWS::IAM::Policy').find(([, p]) =>
        (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleIds.get(key)),
      );
      expect(all[agentId]!.DependsOn).toEqual(
        expect.arrayContaining([policy![0], roleIds.get(key)]),
      );
    }
  });

  it('moves every alias to a new version when its agent changes', () => {
    for (const [key, aliasId] of aliasIds) {
      const alias = all[aliasId]!.Properties;
      expect(alias.AgentAliasName).toBe('live');
      expect(alias.AgentId).toEqual({ 'Fn::GetAtt': [agentIds.get(key), 'AgentId'] });
      expect(alias.RoutingConfiguration).toBeUndefined();
      expect(JSON.stringify(alias.Description)).toContain(
        JSON.stringify({ 'Fn::GetAtt': [agentIds.get(key), 'UpdatedAt'] }),
      );
    }
  });

  it('keeps the knowledge base on S3 Vectors, sized to the embedding model, fed from S3', () => {
    template.hasResourceProperties('AWS::S3Vectors::Index', {
      DataType: 'float32',
      Dimension: 1024,
      DistanceMetric: 'cosine',
      IndexName: 'revops-prod-knowledge',
      MetadataConfiguration: {
        NonFilterableMetadataKeys: ['AMAZON_BEDROCK_TEXT', 'AMAZON_BEDROCK_METADATA'],
      },
    });
    const kb = stacks.agents.knowledgeBase;
    template.hasResourceProperties(
      'AWS::Bedrock::KnowledgeBase',
      titanS3VectorsKnowledgeBase(
        'revops-prod-knowledge-base',
        { 'Fn::GetAtt': [logicalIdOf(kb.role.node.defaultChild as never), 'Arn'] },
        { 'Fn::GetAtt': [logicalIdOf(kb.index), 'IndexArn'] },
      ),
    );
    template.hasResourceProperties('AWS::Bedrock::DataSource', {
      KnowledgeBaseId: { 'Fn::GetAtt': [logicalIdOf(kb.knowledgeBase), 'KnowledgeBaseId'] },
      DataSourceConfiguration: {
        Type: 'S3',
        S3Configuration: {
          BucketArn: { 'Fn::GetAtt': [logicalIdOf(kb.bucket.node.defaultChild as never), 'Arn'] },
          InclusionPrefixes: ['knowledge_base/'],
        },
      },
    });
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: logicalIdOf(kb.bucket.node.defaultChild as never) },
      DestinationBucketKeyPrefix: 'knowledge_base/',
      Prune: true,
    });
    // The knowledge base reads its own documents and index, and embeds with its one model.
    const kbStatements = policyOf(logicalIdOf(kb.role.node.defaultChild as never));
    expect(kbStatements.flatMap(actions).sort()).toEqual([
      'bedrock:InvokeModel',
      's3:GetObject',
      's3:ListBucket',
      's3vectors:DeleteVectors',
      's3vectors:GetIndex',
      's3vectors:GetVectors',
      's3vectors:PutVectors',
      's3vectors:QueryVectors',
    ]);
  });

  it('starts an ingestion job after the documents are deployed, keyed on their content', () => {
    const kb = stacks.agents.knowledgeBase;
    const [[id, ingestion]] = ofType('Custom::AWS') as [[string, Resource]];
    // The call is a JSON string with tokens joined in; compare it unescaped.
    const create = JSON.stringify(ingestion.Properties.Create).replaceAll('\\"', '"');
    expect(create).toContain('"service":"@aws-sdk/client-bedrock-agent"');
    expect(create).toContain('"action":"StartIngestionJob"');
    expect(create).toContain(kb.contentHash.slice(0, 16));
    expect(create).toContain(logicalIdOf(kb.dataSource));
    expect(JSON.stringify(ingestion.Properties.Update).replaceAll('\\"', '"')).toEqual(create);
    expect(kb.contentHash).toMatch(/^[0-9a-f]{64}$/);
    const [deployment] = ofType('Custom::CDKBucketDeployment');
    expect(all[id]!.DependsOn).toContain(deployment![0]);
    const policy = ofType('AWS::IAM::Policy').find(([, p]) =>
      JSON.stringify(p.Properties).includes('bedrock:StartIngestionJob'),
    );
    expect((policy![1].Properties.PolicyDocument as { Statement: Statement[] }).Statement).toEqual([
      {
        Action: 'bedrock:StartIngestionJob',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [logicalIdOf(kb.knowledgeBase), 'KnowledgeBaseArn'] },
      },
    ]);
  });

  it('outputs every agent id and alias id and the knowledge base id', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    for (const [key, agentId] of agentIds) {
      const name = key
        .split('_')
        .map((p) => p[0]!.toUpperCase() + p.slice(1))
        .join('');
      expect(outputs[`${name}Id`]?.Value).toEqual({ 'Fn::GetAtt': [agentId, 'AgentId'] });
      expect(outputs[`${name}AliasId`]?.Value).toEqual({
        'Fn::GetAtt': [aliasIds.get(key), 'AgentAliasId'],
      });
    }
    expect(outputs.KnowledgeBaseId?.Value).toEqual({
      'Fn::GetAtt': [logicalIdOf(stacks.agents.knowledgeBase.knowledgeBase), 'KnowledgeBaseId'],
    });
  });

  it('lets both processors invoke the Manager alias and the writer (to log decisions), nothing else of the agents', () => {
    expect(stacks.agents.runtimeEnvironment).toEqual({
      AGENT_RUNTIME: 'bedrock-agents',
      MANAGER_AGENT_ID: stacks.agents.bedrockAgents.get('manager_agent')?.agentId,
      MANAGER_AGENT_ALIAS_ID: stacks.agents.bedrockAgents.get('manager_agent')?.aliasId,
      AGENT_DECISION_LOG_FUNCTION: stacks.agents.tools.byName.firebolt_writer.function.functionArn,
    });
    const manager = stacks.agents.bedrockAgents.get('manager_agent')!;
    const aliasExport = new RegExp(`${stacks.agents.getLogicalId(manager.alias)}AgentAliasArn`);
    const writer = stacks.agents.tools.byName.firebolt_writer.function;
    const writerExport = new RegExp(
      `${stacks.agents.getLogicalId(writer.node.defaultChild as never)}Arn`,
    );
    for (const stack of [stacks.slack, stacks.webhook]) {
      const agentStatements = agentGrants(processorStatements(stack));
      expect(agentStatements.map((s) => [actions(s).join(','), resources(s).length])).toEqual([
        ['bedrock:InvokeAgent', 1],
        ['lambda:InvokeFunction', 1],
      ]);
      expect(JSON.stringify(agentStatements[0]?.Resource)).toMatch(aliasExport);
      expect(JSON.stringify(agentStatements[1]?.Resource)).toMatch(writerExport);
    }
  });

  it('passes cdk-nag with every finding fixed or acknowledged', () => {
    expect(nagErrors(outdir)).toEqual([]);
  });
});

describe('the agents stack with the portable runtime (agentRuntime=converse)', () => {
  let stacks: RevbotStacks;
  let outdir: string;
  let template: Template;

  beforeAll(() => {
    ({ stacks, outdir } = synthApp('converse'));
    template = Template.fromStack(stacks.agents);
  });

  it('creates no Bedrock agent but keeps the tools, the knowledge base and a session table', () => {
    template.resourceCountIs('AWS::Bedrock::Agent', 0);
    template.resourceCountIs('AWS::Bedrock::AgentAlias', 0);
    template.resourceCountIs('AWS::Lambda::Permission', 0);
    template.resourceCountIs('AWS::Bedrock::KnowledgeBase', 1);
    template.resourceCountIs('Custom::AWS', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'revops-prod-agent-sessions',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
    });
    expect(stacks.agents.bedrockAgents.size).toBe(0);
  });

  it('describes the portable runtime in the processors’ environment', () => {
    const env = stacks.agents.runtimeEnvironment;
    expect(Object.keys(env).sort()).toEqual([
      'AGENT_MODEL_ID',
      'AGENT_RUNTIME',
      'AGENT_SESSION_TABLE',
      'AGENT_TOOL_FUNCTIONS',
      'KNOWLEDGE_BASE_ID',
    ]);
    expect(env.AGENT_RUNTIME).toBe('converse');
    expect(env.AGENT_MODEL_ID).toBe('us.anthropic.claude-sonnet-4-6');
    const processor = Object.values(
      Template.fromStack(stacks.slack).findResources('AWS::Lambda::Function'),
    )
      .map(
        (fn) =>
          (fn.Properties as { Environment?: { Variables?: Record<string, unknown> } }).Environment
            ?.Variables,
      )
      .find((vars) => vars?.AGENT_RUNTIME === 'converse');
    const tools = JSON.stringify(processor?.AGENT_TOOL_FUNCTIONS);
    for (const name of Object.keys(TOOLS)) expect(tools).toContain(`\\"${name}\\":\\"`);
  });

  it('grants the processors the model, the tool Lambdas, Retrieve and the session table only', () => {
    for (const stack of [stacks.slack, stacks.webhook]) {
      const statements = agentGrants(processorStatements(stack));
      const granted = statements.map((s) => [actions(s).join(','), resources(s).length]);
      expect(granted).toEqual([
        ['bedrock:InvokeModel,bedrock:InvokeModelWithResponseStream', 1],
        ['bedrock:InvokeModel,bedrock:InvokeModelWithResponseStream', 1],
        ['lambda:InvokeFunction', 5],
        ['bedrock:Retrieve', 1],
        [[...SESSION_TABLE_ACTIONS].sort().join(','), 1],
      ]);
      expect(statements[1]?.Condition).toBeDefined();
      expect(JSON.stringify(statements)).not.toContain('bedrock:InvokeAgent');
    }
  });

  it('passes cdk-nag', () => {
    expect(nagErrors(outdir)).toEqual([]);
  });
});

describe('the knowledge base construct', () => {
  it('starts a new ingestion job when the markdown changes, and not otherwise', () => {
    const source = tempDir('revbot-kb-');
    cpSync(KNOWLEDGE_BASE_DIR, source, { recursive: true });
    const createCall = () => {
      const stack = new Stack(new App(), 'Kb');
      new KnowledgeBase(stack, 'KnowledgeBase', { stage: 'test', sourceDir: source });
      const [ingestion] = Object.values(Template.fromStack(stack).findResources('Custom::AWS'));
      return JSON.stringify(ingestion?.Properties.Create);
    };
    const before = createCall();
    expect(createCall()).toBe(before);
    writeFileSync(
      path.join(source, 'workflows', 'deal_review.md'),
      `${readFileSync(path.join(source, 'workflows', 'deal_review.md'), 'utf8')}\nOne more step.\n`,
    );
    expect(createCall()).not.toBe(before);
  });
});

describe('agent names', () => {
  it('qualifies each agent name with the stage', () => {
    expect(bedrockAgentName('prod', 'deal_analysis_agent')).toBe('revops-prod-deal-analysis-agent');
  });

  it('refuses a stage that would break Bedrock’s agent name pattern', () => {
    expect(() => bedrockAgentName('qa--1', 'data_agent')).toThrow(
      'Agent name "revops-qa--1-data-agent" (stage "qa--1", agent "data_agent") breaks Bedrock\'s pattern',
    );
  });
});
