import { Duration, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { beforeEach, describe, expect, it } from 'vitest';
import { QueueProcessor, type QueueProcessorProps } from '../../constructs/queue-processor';
import { bareStack, logicalId } from './bare-stack';

const PROPS: QueueProcessorProps = {
  stage: 'test',
  queueName: 'work-queue',
  dlqName: 'work-dlq',
  processor: {
    name: 'work-processor',
    entry: 'slack-processor/handler.ts',
    description: 'Processes queued work',
    timeout: Duration.seconds(300),
    memorySize: 512,
  },
};

describe('QueueProcessor', () => {
  let stack: Stack;
  beforeEach(() => {
    stack = bareStack();
  });

  it('feeds the processor one message at a time, reporting batch item failures, with no concurrency limit', () => {
    // WHEN
    const processing = new QueueProcessor(stack, 'Processing', PROPS);

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(processing.processor.function) },
      EventSourceArn: { 'Fn::GetAtt': [logicalId(processing.queue), 'Arn'] },
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: Match.absent(),
    });
  });

  it('sets visibility to six times the processor timeout and moves a message to the DLQ after three deliveries', () => {
    // WHEN
    const processing = new QueueProcessor(stack, 'Processing', PROPS);

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'revops-test-work-queue',
      VisibilityTimeout: 1800,
      MessageRetentionPeriod: 4 * 24 * 3600,
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(processing.deadLetterQueue), 'Arn'] },
        maxReceiveCount: 3,
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'revops-test-work-dlq',
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
    });
  });

  it('refuses plain HTTP on both queues', () => {
    // WHEN
    new QueueProcessor(stack, 'Processing', PROPS);

    // THEN
    const policies = Template.fromStack(stack).findResources('AWS::SQS::QueuePolicy', {
      Properties: {
        PolicyDocument: {
          Statement: [
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ],
        },
      },
    });
    expect(Object.keys(policies)).toHaveLength(2);
  });

  it('lets the processor role consume its own queue only', () => {
    // WHEN
    const processing = new QueueProcessor(stack, 'Processing', PROPS);

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: [
              'sqs:ReceiveMessage',
              'sqs:ChangeMessageVisibility',
              'sqs:GetQueueUrl',
              'sqs:DeleteMessage',
              'sqs:GetQueueAttributes',
            ],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [logicalId(processing.queue), 'Arn'] },
          },
        ]),
      },
      Roles: [{ Ref: logicalId(processing.processor.role) }],
    });
  });

  it('takes the receive count, batch size and maximum concurrency it is given', () => {
    // WHEN
    new QueueProcessor(stack, 'Processing', {
      ...PROPS,
      maxReceiveCount: 5,
      batchSize: 10,
      maxConcurrency: 7,
    });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'revops-test-work-queue',
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }),
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 7 },
    });
  });

  it('lets a producer send to the queue and do nothing else', () => {
    // GIVEN
    const processing = new QueueProcessor(stack, 'Processing', PROPS);
    const producer = new iam.Role(stack, 'Producer', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });

    // WHEN
    processing.grantEnqueue(producer);

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(producer) }],
      PolicyDocument: {
        Statement: [
          {
            Action: 'sqs:SendMessage',
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [logicalId(processing.queue), 'Arn'] },
          },
        ],
      },
    });
  });

  it.each([
    ['stage', { stage: '' }],
    ['queueName', { queueName: 'work.fifo' }],
    ['dlqName', { dlqName: 'd'.repeat(70) }],
    ['maxReceiveCount', { maxReceiveCount: 0 }],
    ['batchSize', { batchSize: 11 }],
    ['batchSize', { batchSize: 1.5 }],
    ['maxConcurrency', { maxConcurrency: 1 }],
    ['maxConcurrency', { maxConcurrency: 1001 }],
  ] as [string, Partial<QueueProcessorProps>][])('refuses a wrong %s, naming it', (prop, wrong) => {
    // WHEN / THEN
    expect(() => new QueueProcessor(stack, 'Processing', { ...PROPS, ...wrong })).toThrow(
      `Default/Processing: prop "${prop}"`,
    );
  });
});
