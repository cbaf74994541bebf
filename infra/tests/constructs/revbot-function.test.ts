import { Duration, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeEach, describe, expect, it } from 'vitest';
import { RevbotFunction, type RevbotFunctionProps } from '../../constructs/revbot-function';
import { bareStack, logicalId } from './bare-stack';

const PROPS: RevbotFunctionProps = {
  stage: 'test',
  name: 'slack-handler',
  entry: 'slack-handler/handler.ts',
  description: 'Verifies Slack events',
  timeout: Duration.seconds(10),
  memorySize: 512,
};

describe('RevbotFunction', () => {
  let stack: Stack;
  beforeEach(() => {
    stack = bareStack();
  });

  it('names the function revops-<stage>-<name> and runs it on arm64 Node.js 24 with JSON logs', () => {
    // WHEN
    new RevbotFunction(stack, 'Fn', PROPS);

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'revops-test-slack-handler',
      Description: 'Verifies Slack events',
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 10,
      MemorySize: 512,
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.anyValue() } },
      Environment: {
        Variables: {
          NODE_OPTIONS: '--enable-source-maps',
          REVBOT_STAGE: 'test',
          POWERTOOLS_SERVICE_NAME: 'slack-handler',
          POWERTOOLS_METRICS_NAMESPACE: 'RevBot',
          POWERTOOLS_LOG_LEVEL: 'INFO',
        },
      },
    });
    const fn = Object.values(template.findResources('AWS::Lambda::Function'))[0];
    expect(fn?.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('keeps its logs a month in /aws/lambda/<function name>', () => {
    // WHEN
    new RevbotFunction(stack, 'Fn', PROPS);

    // THEN
    Template.fromStack(stack).hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: '/aws/lambda/revops-test-slack-handler', RetentionInDays: 30 },
      DeletionPolicy: 'Delete',
    });
  });

  it('gives the function a role of its own that can write only to its log group', () => {
    // WHEN
    const fn = new RevbotFunction(stack, 'Fn', PROPS);

    // THEN
    const template = Template.fromStack(stack);
    const logGroupId = logicalId(fn.logGroup);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'lambda.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          },
        ],
      },
      ManagedPolicyArns: Match.absent(),
    });
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
          },
        ],
      },
    });
  });

  it('adds the given environment and reserved concurrency', () => {
    // WHEN
    new RevbotFunction(stack, 'Fn', {
      ...PROPS,
      environment: { SLACK_QUEUE_URL: 'https://sqs.example/q', POWERTOOLS_LOG_LEVEL: 'DEBUG' },
      reservedConcurrentExecutions: 4,
    });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 4,
      Environment: {
        Variables: Match.objectLike({
          REVBOT_STAGE: 'test',
          SLACK_QUEUE_URL: 'https://sqs.example/q',
          POWERTOOLS_LOG_LEVEL: 'DEBUG',
        }),
      },
    });
  });

  it.each([
    ['stage', { stage: 'Prod_1' }],
    ['name', { name: 'Slack_Handler' }],
    ['name', { name: `a${'-b'.repeat(30)}` }],
    ['entry', { entry: 'slack-handler/missing.ts' }],
    ['description', { description: 'x'.repeat(257) }],
    ['timeout', { timeout: Duration.minutes(16) }],
    ['timeout', { timeout: Duration.millis(500) }],
    ['memorySize', { memorySize: 64 }],
    ['memorySize', { memorySize: 10_241 }],
    ['reservedConcurrentExecutions', { reservedConcurrentExecutions: -1 }],
    ['environment', { environment: { 'SLACK-QUEUE': 'x' } }],
    ['lazyModules', { lazyModules: ['left-pad'] }],
  ] as [string, Partial<RevbotFunctionProps>][])('refuses a wrong %s, naming it', (prop, wrong) => {
    // WHEN / THEN
    expect(() => new RevbotFunction(stack, 'Fn', { ...PROPS, ...wrong })).toThrow(
      `Default/Fn: prop "${prop}"`,
    );
  });
});
