/**
 * The operations commands discover everything from the deployed stacks' outputs and resources.
 * This synthesizes the real CDK app (without bundling the Lambdas) and checks that what the
 * commands look for is there: the output keys, the agent pairs, the conversation bucket, the
 * secrets and the function names.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp, newRevbotApp, type RevbotStacks } from '../../../infra/lib/app';
import {
  agentsFromOutputs,
  CHANNEL_QUEUES,
  DEAD_LETTER_QUEUES,
  functionPrefix,
  KNOWLEDGE_BASE_OUTPUTS,
  STACK_PARTS,
  stackName,
} from '../../src/ops/stack-outputs';

describe('what the operations commands expect of the stacks', () => {
  let stacks: RevbotStacks;
  const templates: Record<string, Template> = {};
  const outputKeys = (part: string) => Object.keys(templates[part]?.toJSON().Outputs ?? {});
  const resources = (part: string, type: string) =>
    Object.entries(templates[part]?.findResources(type) ?? {}) as [
      string,
      { Properties: Record<string, unknown> },
    ][];

  beforeAll(() => {
    // An empty bundling list makes NodejsFunction skip esbuild: the templates are the same.
    const app = newRevbotApp({ context: { stage: 'ops', 'aws:cdk:bundling-stacks': [] } });
    stacks = buildApp(app);
    templates.monitoring = Template.fromStack(stacks.monitoring);
    templates.agents = Template.fromStack(stacks.agents);
    templates['slack-gateway'] = Template.fromStack(stacks.slack);
    templates['webhook-gateway'] = Template.fromStack(stacks.webhook);
  });

  it('names the stacks as the commands look them up', () => {
    expect(
      [stacks.monitoring, stacks.agents, stacks.slack, stacks.webhook].map((s) => s.stackName),
    ).toEqual(STACK_PARTS.map((part) => stackName('ops', part)));
  });

  it('outputs each agent as an <Agent>Id/<Agent>AliasId pair, with the Manager among them', () => {
    const outputs = new Map(outputKeys('agents').map((key) => [key, 'x']));
    const agents = agentsFromOutputs(outputs).map((a) => a.key);
    expect(agents).toEqual([
      'DataAgent',
      'DealAnalysisAgent',
      'ExecutionAgent',
      'LeadAnalysisAgent',
      'ManagerAgent',
      'WebSearchAgent',
    ]);
  });

  it('outputs every queue pair revbot dlq reads, and names the functions that consume them', () => {
    for (const spec of Object.values(DEAD_LETTER_QUEUES)) {
      expect(outputKeys(spec.stack)).toEqual(expect.arrayContaining([spec.queue, spec.dlq]));
      const functions = resources(spec.stack, 'AWS::Lambda::Function').map(
        ([, r]) => r.Properties.FunctionName,
      );
      expect(functions).toContain(`revops-ops-${spec.consumer}`);
    }
  });

  it('outputs the knowledge base, data source and bucket', () => {
    expect(outputKeys('agents')).toEqual(
      expect.arrayContaining(Object.values(KNOWLEDGE_BASE_OUTPUTS)),
    );
  });

  it("outputs each channel's queue, dead-letter queue and endpoint", () => {
    for (const spec of Object.values(CHANNEL_QUEUES)) {
      expect(outputKeys(spec.stack)).toEqual(expect.arrayContaining([spec.queue, spec.dlq]));
    }
    expect(outputKeys('slack-gateway')).toContain('SlackEventsUrl');
    expect(outputKeys('webhook-gateway')).toContain('WebhookUrl');
  });

  it('keeps the conversation-history bucket under the logical id the commands search for', () => {
    const buckets = resources('monitoring', 'AWS::S3::Bucket').map(([id]) => id);
    expect(buckets.filter((id) => id.startsWith('ConversationHistoryBucket'))).toHaveLength(1);
  });

  it("names RevBot's functions revops-<stage>-<name>, and only those", () => {
    const named = STACK_PARTS.flatMap((part) =>
      resources(part, 'AWS::Lambda::Function').map(([, r]) => r.Properties.FunctionName),
    ).filter((name): name is string => typeof name === 'string');
    expect(named.every((name) => name.startsWith(functionPrefix('ops')))).toBe(true);
    expect(named).toEqual(
      expect.arrayContaining([
        'revops-ops-slack-handler',
        'revops-ops-slack-processor',
        'revops-ops-webhook-gateway',
        'revops-ops-webhook-processor',
        'revops-ops-tool-gong-retrieval',
      ]),
    );
  });

  it('holds the secrets doctor checks in the stacks themselves', () => {
    const secrets = STACK_PARTS.flatMap((part) => resources(part, 'AWS::SecretsManager::Secret'));
    expect(secrets.length).toBeGreaterThanOrEqual(2);
    const slack = resources('slack-gateway', 'AWS::SecretsManager::Secret')[0]?.[1];
    expect(JSON.stringify(slack?.Properties.SecretString)).toContain('REPLACE_ME');
  });
});
