import { loadAgents, TOOL_NAMES } from '@revbot/agents';
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AGENT_ALIAS_NAME,
  type AgentKnowledgeBaseAccess,
  BedrockAgent,
  bedrockAgentName,
  pascal,
} from '../../constructs/bedrock-agent';
import {
  bareStack,
  bedrockAgentTrust,
  INVOKE_AND_DESCRIBE_ACTIONS,
  INVOKE_MODEL_ACTIONS,
  logicalId,
} from './bare-stack';

const AGENTS = loadAgents();
const KNOWLEDGE_BASE: AgentKnowledgeBaseAccess = {
  knowledgeBaseId: 'KB12345678',
  knowledgeBaseArn: 'arn:aws:bedrock:us-east-1:123456789012:knowledge-base/KB12345678',
};

describe('BedrockAgent', () => {
  let stack: Stack;
  let toolFunctions: Record<string, lambda.IFunction>;
  beforeEach(() => {
    stack = bareStack();
    // Stand-ins for the tool Lambdas: the agent only needs their ARNs and permissions.
    toolFunctions = Object.fromEntries(
      TOOL_NAMES.map((name) => [
        name,
        new lambda.Function(stack, name, {
          runtime: lambda.Runtime.NODEJS_24_X,
          handler: 'index.handler',
          code: lambda.Code.fromInline('export const handler = async () => ({});'),
        }),
      ]),
    );
  });
  const agent = (key: string, extra: Partial<ConstructorParameters<typeof BedrockAgent>[2]> = {}) =>
    new BedrockAgent(stack, pascal(key), {
      stage: 'test',
      definition: AGENTS.get(key),
      toolFunctions,
      ...extra,
    });

  it('creates the agent from its definition, prepared, with one action group per tool', () => {
    // WHEN
    const webSearch = agent('web_search_agent');

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Bedrock::Agent', 1);
    template.hasResourceProperties('AWS::Bedrock::Agent', {
      AgentName: 'revops-test-web-search-agent',
      FoundationModel: 'us.anthropic.claude-sonnet-4-6',
      AgentResourceRoleArn: { 'Fn::GetAtt': [logicalId(webSearch.role), 'Arn'] },
      AutoPrepare: true,
      ActionGroups: [
        Match.objectLike({
          ActionGroupName: 'web_search',
          ActionGroupState: 'ENABLED',
          ActionGroupExecutor: {
            Lambda: { 'Fn::GetAtt': [logicalId(toolFunctions.web_search!), 'Arn'] },
          },
        }),
      ],
      KnowledgeBases: Match.absent(),
      AgentCollaborators: Match.absent(),
    });
  });

  it('serves the agent through the "live" alias, renewed whenever the agent changes', () => {
    // WHEN
    const webSearch = agent('web_search_agent');

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::Bedrock::AgentAlias', {
      AgentAliasName: AGENT_ALIAS_NAME,
      AgentId: { 'Fn::GetAtt': [logicalId(webSearch.agent), 'AgentId'] },
      Description: {
        'Fn::Join': [
          '',
          Match.arrayWith([{ 'Fn::GetAtt': [logicalId(webSearch.agent), 'UpdatedAt'] }]),
        ],
      },
    });
  });

  it("lets only this agent invoke its tools' Lambdas", () => {
    // WHEN
    const webSearch = agent('web_search_agent');

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Permission', 1);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [logicalId(toolFunctions.web_search!), 'Arn'] },
      Principal: 'bedrock.amazonaws.com',
      SourceAccount: { Ref: 'AWS::AccountId' },
      SourceArn: { 'Fn::GetAtt': [logicalId(webSearch.agent), 'AgentArn'] },
    });
  });

  it("gives the agent a role that Bedrock assumes for this account's agents, and that runs its model", () => {
    // WHEN
    const webSearch = agent('web_search_agent');

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [bedrockAgentTrust(Match.anyValue())],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(webSearch.role) }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: INVOKE_AND_DESCRIBE_ACTIONS,
          }),
          Match.objectLike({
            Action: INVOKE_MODEL_ACTIONS,
            Condition: Match.anyValue(),
          }),
        ],
      },
    });
  });

  it('attaches the knowledge base and allows Retrieve on it alone', () => {
    // WHEN
    const data = agent('data_agent', { knowledgeBase: KNOWLEDGE_BASE });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Bedrock::Agent', {
      KnowledgeBases: [
        Match.objectLike({ KnowledgeBaseId: 'KB12345678', KnowledgeBaseState: 'ENABLED' }),
      ],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(data.role) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'bedrock:Retrieve',
            Effect: 'Allow',
            Resource: KNOWLEDGE_BASE.knowledgeBaseArn,
          },
        ]),
      },
    });
  });

  it("lets a supervisor invoke its collaborators' aliases and names each collaborator", () => {
    // GIVEN
    const manager = AGENTS.get('manager_agent');
    const deployed = new Map<string, BedrockAgent>();
    for (const c of manager.collaborators) {
      deployed.set(c.agentKey, agent(c.agentKey, { knowledgeBase: KNOWLEDGE_BASE }));
    }

    // WHEN
    const supervisor = agent('manager_agent', {
      knowledgeBase: KNOWLEDGE_BASE,
      collaborators: deployed,
    });

    // THEN
    const template = Template.fromStack(stack);
    const aliasArns = manager.collaborators.map((c) => ({
      'Fn::GetAtt': [logicalId(deployed.get(c.agentKey)!.alias), 'AgentAliasArn'],
    }));
    expect(aliasArns).toHaveLength(5);
    template.hasResourceProperties('AWS::Bedrock::Agent', {
      AgentName: 'revops-test-manager-agent',
      AgentCollaboration: 'SUPERVISOR',
      AgentCollaborators: manager.collaborators.map((c, i) =>
        Match.objectLike({
          CollaboratorName: c.name,
          AgentDescriptor: { AliasArn: aliasArns[i] },
        }),
      ),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(supervisor.role) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['bedrock:InvokeAgent', 'bedrock:GetAgentAlias'],
            Effect: 'Allow',
            Resource: aliasArns,
          },
        ]),
      },
    });
  });

  it.each([
    ['stage', () => agent('web_search_agent', { stage: 'Test' })],
    ['knowledgeBase', () => agent('data_agent')],
    ['toolFunctions', () => agent('web_search_agent', { toolFunctions: {} })],
    ['collaborators', () => agent('manager_agent', { knowledgeBase: KNOWLEDGE_BASE })],
  ] as [string, () => BedrockAgent][])('refuses a wrong %s, naming it', (prop, create) => {
    // WHEN / THEN
    expect(create).toThrow(`: prop "${prop}"`);
  });
});

describe('bedrockAgentName', () => {
  it('qualifies the agent key with the stage, dashes for underscores', () => {
    expect(bedrockAgentName('prod', 'deal_analysis_agent')).toBe('revops-prod-deal-analysis-agent');
  });

  it("refuses a name outside Bedrock's pattern", () => {
    expect(() => bedrockAgentName('prod--x', 'data_agent')).toThrow(/breaks Bedrock's pattern/);
  });
});
