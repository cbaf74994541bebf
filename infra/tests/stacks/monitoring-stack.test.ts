import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, newRevbotApp } from '../../lib/app';
import { PRIVATE_VERSIONED_BUCKET } from '../constructs/bare-stack';

type Resource = { Properties: Record<string, unknown> };

/** A CloudFormation value with its Fn::Join flattened and tokens written as JSON. */
function flatten(value: unknown): string {
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })?.['Fn::Join'];
  if (join)
    return join[1]
      .map((part) => (typeof part === 'string' ? part : JSON.stringify(part)))
      .join(join[0]);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

describe('the monitoring stack', () => {
  let outdir: string;
  let template: Template;

  beforeAll(() => {
    outdir = mkdtempSync(path.join(tmpdir(), 'revbot-monitoring-'));
    const app = newRevbotApp({ outdir });
    template = Template.fromStack(buildApp(app).monitoring);
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const conversationBucket = (): [string, Resource] => {
    const buckets = template.findResources('AWS::S3::Bucket', {
      Properties: { BucketName: Match.anyValue() },
    }) as Record<string, Resource>;
    const entry = Object.entries(buckets).find(([, b]) =>
      flatten(b.Properties.BucketName).includes('revops-dev-conversations-'),
    );
    if (!entry) throw new Error('no conversation-history bucket');
    return entry;
  };

  it('keeps conversations in a versioned bucket encrypted with SSE-S3, with public access blocked', () => {
    const [, bucket] = conversationBucket();
    expect(bucket.Properties).toMatchObject({
      ...PRIVATE_VERSIONED_BUCKET,
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { LogFilePrefix: 'conversation-history/' },
    });
  });

  it('expires conversation history after the configured retention and moves it to IA after 30 days', () => {
    const [, bucket] = conversationBucket();
    expect(bucket.Properties.LifecycleConfiguration).toEqual({
      Rules: [
        {
          Id: 'conversation-history-retention',
          Prefix: 'conversation-history/',
          Status: 'Enabled',
          ExpirationInDays: 365,
          NoncurrentVersionExpiration: { NoncurrentDays: 30 },
          Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
        },
        {
          Id: 'abort-incomplete-uploads',
          Status: 'Enabled',
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
        },
      ],
    });
  });

  it('refuses any request to either bucket that is not over TLS', () => {
    const [bucketId] = conversationBucket();
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy')) as Resource[];
    expect(policies).toHaveLength(2);
    const tlsOnly = (policy: Resource) =>
      (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement.some(
        (s) =>
          s.Effect === 'Deny' &&
          s.Action === 's3:*' &&
          JSON.stringify(s.Principal) === '{"AWS":"*"}' &&
          JSON.stringify(s.Condition) === '{"Bool":{"aws:SecureTransport":"false"}}',
      );
    expect(policies.every(tlsOnly)).toBe(true);
    expect(
      policies.some(
        (p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: bucketId }),
      ),
    ).toBe(true);
    template.allResourcesProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
        ],
      },
    });
  });

  it('alarms when a dead-letter queue holds any message', () => {
    for (const queue of [
      'revops-dev-slack-dlq',
      'revops-dev-webhook-dlq',
      'revops-dev-webhook-delivery-dlq',
    ]) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: queue }],
        Statistic: 'Maximum',
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
      });
    }
  });

  it('alarms on processor errors, error rate and p95 duration', () => {
    for (const fn of ['revops-dev-slack-processor', 'revops-dev-webhook-processor']) {
      const dimensions = [{ Name: 'FunctionName', Value: fn }];
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `${fn}-errors`,
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: dimensions,
        Threshold: 3,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `${fn}-duration-p95`,
        MetricName: 'Duration',
        ExtendedStatistic: 'p95',
        Dimensions: dimensions,
        Threshold: 120_000,
        EvaluationPeriods: 3,
      });
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `${fn}-error-rate`,
        Threshold: 10,
        ComparisonOperator: 'GreaterThanThreshold',
        Metrics: Match.arrayWith([
          Match.objectLike({
            Expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
            ReturnData: true,
          }),
          Match.objectLike({
            Id: 'errors',
            MetricStat: Match.objectLike({
              Metric: { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: dimensions },
            }),
          }),
          Match.objectLike({
            Id: 'invocations',
            MetricStat: Match.objectLike({
              Metric: {
                Namespace: 'AWS/Lambda',
                MetricName: 'Invocations',
                Dimensions: dimensions,
              },
            }),
          }),
        ]),
      });
    }
  });

  it('alarms on any failed conversation export from either processor', () => {
    const alarm = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { AlarmName: 'revops-dev-conversation-export-failures' },
      }),
    )[0] as Resource | undefined;
    expect(alarm?.Properties).toMatchObject({
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
    });
    // Powertools tags each metric with the publishing function's service dimension.
    const metrics = JSON.stringify(alarm?.Properties.Metrics);
    for (const service of ['slack-processor', 'webhook-processor']) {
      expect(metrics).toContain(
        `"Metric":{"Dimensions":[{"Name":"service","Value":"${service}"}],"MetricName":"ConversationExportFailures","Namespace":"RevBot"}`,
      );
    }
  });

  it('alarms when an answer could not be delivered to the caller', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'revops-dev-webhook-delivery-failures',
      Namespace: 'RevBot',
      MetricName: 'WebhookDeliveryFailures',
      Dimensions: [{ Name: 'service', Value: 'webhook-processor' }],
      Threshold: 0,
    });
  });

  it('sends every alarm to the encrypted alarm topic', () => {
    const topics = template.findResources('AWS::SNS::Topic') as Record<string, Resource>;
    const [topicId, topic] = Object.entries(topics)[0] ?? [];
    expect(topic?.Properties.TopicName).toBe('revops-dev-alarms');
    expect(JSON.stringify(topic?.Properties.KmsMasterKeyId)).toContain('alias/aws/sns');
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Resource[];
    // 10 before the delivery stage's DLQ alarm.
    expect(alarms).toHaveLength(11);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
  });

  it('builds one dashboard with traffic, latency, DLQ, errors, tokens and exports', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const dashboard = Object.values(
      template.findResources('AWS::CloudWatch::Dashboard'),
    )[0] as Resource;
    expect(dashboard.Properties.DashboardName).toBe('revops-dev-operations');
    const body = flatten(dashboard.Properties.DashboardBody);
    for (const title of [
      'Questions per channel',
      'Processor latency (p50 / p95 / p99)',
      'Dead-letter queue depth',
      'Agent and tool errors',
      'Model tokens',
      'Answer feedback and exports',
    ]) {
      expect(body).toContain(`"title":"${title}"`);
    }
    for (const metric of [
      '["RevBot","ConversationQuality","service","slack-processor",{"label":"slack","stat":"SampleCount"}',
      '["RevBot","ConversationQuality","service","webhook-processor",{"label":"webhook","stat":"SampleCount"}',
      '["AWS/Lambda","Duration","FunctionName","revops-dev-slack-processor",{"stat":"p99"',
      '["AWS/SQS","ApproximateNumberOfMessagesVisible","QueueName","revops-dev-webhook-dlq"',
      '["RevBot","AgentErrors","service","slack-processor"',
      '["RevBot","ToolErrors","service","webhook-processor"',
      '["RevBot","InputTokens","service","slack-processor"',
      '["RevBot","OutputTokens","service","webhook-processor"',
      '["RevBot","ConversationExportFailures","service","slack-processor"',
      '["RevBot","FeedbackPositive","service","slack-processor"',
    ]) {
      expect(body).toContain(metric);
    }
  });

  it('plots estimated cost and tokens, prompt-cache reads and writes included, per channel', () => {
    const dashboard = Object.values(
      template.findResources('AWS::CloudWatch::Dashboard'),
    )[0] as Resource;
    const body = flatten(dashboard.Properties.DashboardBody);
    expect(body).toContain('"title":"Estimated model cost per channel (USD)"');
    for (const metric of [
      '["RevBot","EstimatedCostUSD","service","slack-processor",{"label":"slack","stat":"Sum"}',
      '["RevBot","EstimatedCostUSD","service","webhook-processor",{"label":"webhook","stat":"Sum"}',
      '["RevBot","CacheReadInputTokens","service","webhook-processor",{"label":"webhook CacheReadInputTokens"',
      '["RevBot","CacheWriteInputTokens","service","slack-processor",{"label":"slack CacheWriteInputTokens"',
    ]) {
      expect(body).toContain(metric);
    }
  });
});
