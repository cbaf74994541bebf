import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, type CfnElement, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildApp, deploymentEnvironment, newRevbotApp, type RevbotStacks } from '../../lib/app';
import { loadConfig } from '../../lib/config';
import { nagErrors } from '../nag-report';

const outdirs: string[] = [];
const tempOutdir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'revbot-app-'));
  outdirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

const CDK_HELPER_FUNCTION =
  /^(CustomCDKBucketDeployment|AWS679f53fac002430cb0da5b7982bd2287|CustomS3AutoDeleteObjectsCustomResourceProvider)/;

describe('the RevBot CDK app', () => {
  let stacks: RevbotStacks;
  let outdir: string;

  beforeAll(() => {
    outdir = tempOutdir();
    const app = newRevbotApp({ outdir, context: { stage: 'prod' } });
    stacks = buildApp(app);
    app.synth();
  });

  it('synthesizes the four stacks with stage-qualified names', () => {
    expect(
      [stacks.monitoring, stacks.agents, stacks.slack, stacks.webhook].map((s) => s.stackName),
    ).toEqual([
      'revops-prod-monitoring',
      'revops-prod-agents',
      'revops-prod-slack-gateway',
      'revops-prod-webhook-gateway',
    ]);
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged error', () => {
    expect(nagErrors(outdir)).toEqual([]);
  });

  it('names every Lambda revops-<stage>-… and runs it on arm64 Node.js 22 or newer', () => {
    for (const stack of [stacks.agents, stacks.slack, stacks.webhook]) {
      const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
      expect(Object.keys(functions).length).toBeGreaterThan(0);
      for (const [id, fn] of Object.entries(functions)) {
        // aws-cdk-lib's own deployment helpers (bucket deployment, SDK call, auto-delete).
        if (CDK_HELPER_FUNCTION.test(id)) continue;
        const props = fn.Properties as Record<string, unknown>;
        expect(props.FunctionName).toMatch(/^revops-prod-/);
        expect(props.Architectures).toEqual(['arm64']);
        expect(
          Number(String(props.Runtime).replace(/^nodejs(\d+)\.x$/, '$1')),
        ).toBeGreaterThanOrEqual(22);
      }
    }
  });

  it('gives every Lambda a role without managed policies that logs only to its own group', () => {
    const template = Template.fromStack(stacks.slack);
    const roles = template.findResources('AWS::IAM::Role');
    for (const role of Object.values(roles)) {
      expect((role.Properties as Record<string, unknown>).ManagedPolicyArns).toBeUndefined();
    }
  });

  it('writes conversations to the monitoring bucket by its stage-derived name only', () => {
    const template = Template.fromStack(stacks.slack);
    const env = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((fn) => fn.Properties as { Environment?: { Variables?: Record<string, unknown> } })
      .find((props) => props.Environment?.Variables?.CONVERSATION_BUCKET)?.Environment?.Variables;
    expect(JSON.stringify(env?.CONVERSATION_BUCKET)).toContain('revops-prod-conversations-');
  });
});

describe('cdk-nag in the synth', () => {
  it('fails the synth when a resource breaks an AwsSolutions rule', () => {
    const app = newRevbotApp({ outdir: tempOutdir() });
    const stacks = buildApp(app);
    // A queue without a dead-letter queue and without TLS enforcement breaks SQS3 and SQS4.
    new sqs.Queue(stacks.monitoring, 'NonCompliantQueue', { enforceSSL: false });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS3/);
  });
});

describe('configuration from CDK context', () => {
  it('defaults to the dev stage and the bedrock-agents runtime', () => {
    expect(loadConfig(new App().node)).toMatchObject({
      stage: 'dev',
      agentRuntime: 'bedrock-agents',
    });
  });

  it('names the context key that is wrong', () => {
    expect(() => loadConfig(new App({ context: { stage: 'Prod_1' } }).node)).toThrow(
      /Invalid CDK context "stage"/,
    );
    expect(() => loadConfig(new App({ context: { agentRuntime: 'lambda' } }).node)).toThrow(
      /Invalid CDK context "agentRuntime"/,
    );
  });

  it('caps each channel processor at 5 concurrent invocations unless processorMaxConcurrency says otherwise', () => {
    expect(loadConfig(new App().node).processorMaxConcurrency).toBe(5);
    expect(
      loadConfig(new App({ context: { processorMaxConcurrency: '12' } }).node)
        .processorMaxConcurrency,
    ).toBe(12);
    // SQS event sources cannot be limited below two concurrent invocations.
    expect(() => loadConfig(new App({ context: { processorMaxConcurrency: 1 } }).node)).toThrow(
      /Invalid CDK context "processorMaxConcurrency"/,
    );
  });

  it('applies processorMaxConcurrency to both channel queues', () => {
    const app = newRevbotApp({
      context: { processorMaxConcurrency: 3, 'aws:cdk:bundling-stacks': [] },
    });
    const stacks = buildApp(app);
    for (const stack of [stacks.slack, stacks.webhook]) {
      const template = Template.fromStack(stack);
      // The webhook stack's second mapping feeds the delivery function (its own cap).
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', stack === stacks.slack ? 1 : 2);
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        ScalingConfig: { MaximumConcurrency: 3 },
      });
    }
  });

  it('puts a WAF rate limit on the webhook API stage only when webhookWafRateLimit is set', () => {
    const app = newRevbotApp({
      context: { webhookWafRateLimit: '1000', 'aws:cdk:bundling-stacks': [] },
    });
    const stacks = buildApp(app);
    const template = Template.fromStack(stacks.webhook);
    template.resourceCountIs('AWS::WAFv2::WebACL', 1);
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: [
        Match.objectLike({ Statement: { RateBasedStatement: Match.objectLike({ Limit: 1000 }) } }),
      ],
    });
    const stageId = stacks.webhook.getLogicalId(
      stacks.webhook.api.deploymentStage.node.defaultChild as CfnElement,
    );
    const [association] = Object.values(
      template.findResources('AWS::WAFv2::WebACLAssociation'),
    ) as { Properties: { ResourceArn: unknown } }[];
    expect(JSON.stringify(association?.Properties.ResourceArn)).toContain(stageId);
    Template.fromStack(stacks.slack).resourceCountIs('AWS::WAFv2::WebACL', 0);
    expect(() => loadConfig(new App({ context: { webhookWafRateLimit: 5 } }).node)).toThrow(
      /Invalid CDK context "webhookWafRateLimit"/,
    );
  });

  it('passes webhookRetrySchedule to the delivery function and refuses one that is not a schedule', () => {
    const app = newRevbotApp({
      context: { webhookRetrySchedule: '10s,1m,1h', 'aws:cdk:bundling-stacks': [] },
    });
    const stacks = buildApp(app);
    Template.fromStack(stacks.webhook).hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'revops-dev-webhook-delivery',
      Environment: { Variables: Match.objectLike({ WEBHOOK_RETRY_SCHEDULE: '10s,1m,1h' }) },
    });
    expect(() =>
      loadConfig(new App({ context: { webhookRetrySchedule: '5 minutes' } }).node),
    ).toThrow(/Invalid CDK context "webhookRetrySchedule"/);
  });
});

describe('the deployment environment', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('takes the account and Region of the deploying environment', () => {
    expect(
      deploymentEnvironment({
        CDK_DEFAULT_ACCOUNT: '123456789012',
        CDK_DEFAULT_REGION: 'eu-west-1',
      }),
    ).toEqual({ account: '123456789012', region: 'eu-west-1' });
  });

  it('treats a variable that is set but empty, as CI often leaves it, as unset', () => {
    expect(deploymentEnvironment({ CDK_DEFAULT_ACCOUNT: '', CDK_DEFAULT_REGION: ' ' })).toEqual({
      account: undefined,
      region: undefined,
    });
    expect(deploymentEnvironment({})).toEqual({ account: undefined, region: undefined });
  });

  it('synthesizes environment-agnostic stacks when both variables are empty', () => {
    // GIVEN
    vi.stubEnv('CDK_DEFAULT_ACCOUNT', '');
    vi.stubEnv('CDK_DEFAULT_REGION', '');
    const app = newRevbotApp({
      outdir: tempOutdir(),
      context: { 'aws:cdk:bundling-stacks': [] },
    });

    // WHEN
    const stacks = buildApp(app);
    app.synth();

    // THEN
    expect(Token.isUnresolved(stacks.monitoring.account)).toBe(true);
    expect(Token.isUnresolved(stacks.monitoring.region)).toBe(true);
    Template.fromStack(stacks.monitoring).hasResourceProperties('AWS::S3::Bucket', {
      BucketName: {
        'Fn::Join': [
          '',
          ['revops-dev-conversations-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }],
        ],
      },
    });
  });
});
