/**
 * Monitoring: the conversation-history bucket every processor exports to, the operations
 * dashboard and the alarms. Metrics are addressed by the stage-derived names of `naming.ts`, so
 * this stack deploys first and depends on no other.
 */
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { RevbotConfig } from '../lib/config';
import { conversationBucketName, METRIC_NAMESPACE, NAMES, resourceName } from '../lib/naming';

export interface MonitoringStackProps extends StackProps {
  config: RevbotConfig;
}

export class MonitoringStack extends Stack {
  readonly conversationBucket: s3.Bucket;
  readonly alarmTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const { stage } = props.config;
    const name = (part: string) => resourceName(stage, part);

    const accessLogs = new s3.Bucket(this, 'AccessLogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.conversationBucket = new s3.Bucket(this, 'ConversationHistoryBucket', {
      bucketName: conversationBucketName(stage, this.account, this.region),
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'conversation-history/',
      lifecycleRules: [
        {
          id: 'conversation-history-retention',
          prefix: 'conversation-history/',
          transitions: [
            { storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) },
          ],
          expiration: Duration.days(props.config.conversationRetentionDays),
          noncurrentVersionExpiration: Duration.days(30),
        },
        { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      topicName: name('alarms'),
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
    if (props.config.alarmEmail) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.config.alarmEmail));
    }

    const lambdaMetric = (fn: string, metricName: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName,
        dimensionsMap: { FunctionName: name(fn) },
        statistic,
        period: Duration.minutes(5),
      });
    const queueDepth = (queue: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensionsMap: { QueueName: name(queue) },
        statistic: 'Maximum',
        period: Duration.minutes(1),
      });
    // Powertools Metrics tags every metric with the publishing function's `service` dimension
    // (POWERTOOLS_SERVICE_NAME, the function's short name), so metrics are addressed with it.
    const processors = [NAMES.slackProcessor, NAMES.webhookProcessor] as const;
    const appMetric = (metricName: string, service: string, statistic = 'Sum', label?: string) =>
      new cloudwatch.Metric({
        namespace: METRIC_NAMESPACE,
        metricName,
        dimensionsMap: { service },
        statistic,
        label,
        period: Duration.minutes(5),
      });
    /** One of RevBot's metrics summed over both processors. */
    const acrossProcessors = (metricName: string) => {
      // Ids are unique per graph, so they carry the metric name.
      const id = metricName.toLowerCase();
      return new cloudwatch.MathExpression({
        expression: `FILL(${id}_slack, 0) + FILL(${id}_webhook, 0)`,
        usingMetrics: {
          [`${id}_slack`]: appMetric(metricName, NAMES.slackProcessor),
          [`${id}_webhook`]: appMetric(metricName, NAMES.webhookProcessor),
        },
        label: metricName,
        period: Duration.minutes(5),
      });
    };

    const alarm = (id: string, props: cloudwatch.AlarmProps) => {
      const created = new cloudwatch.Alarm(this, id, {
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...props,
      });
      created.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
      return created;
    };

    for (const [label, dlq, what] of [
      ['Slack', NAMES.slackDlq, 'questions that were not answered'],
      ['Webhook', NAMES.webhookDlq, 'questions that were not answered'],
      [
        'WebhookDelivery',
        NAMES.webhookDeliveryDlq,
        'answers whose delivery used up the retry schedule (still available by GET; re-send with "revbot webhook redeliver")',
      ],
    ] as const) {
      alarm(`${label}DlqNotEmpty`, {
        alarmName: name(`${dlq}-not-empty`),
        alarmDescription: `Messages in the ${label} dead-letter queue: ${what}. Inspect with "revbot dlq list".`,
        metric: queueDepth(dlq),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
      });
    }
    for (const fn of [NAMES.slackProcessor, NAMES.webhookProcessor]) {
      alarm(`${fn}-errors`, {
        alarmName: name(`${fn}-errors`),
        alarmDescription: `${fn} failed invocations.`,
        metric: lambdaMetric(fn, 'Errors', 'Sum'),
        threshold: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
      });
      alarm(`${fn}-error-rate`, {
        alarmName: name(`${fn}-error-rate`),
        alarmDescription: `${fn}: more than 10% of invocations failed for 15 minutes.`,
        metric: new cloudwatch.MathExpression({
          expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
          usingMetrics: {
            errors: lambdaMetric(fn, 'Errors', 'Sum'),
            invocations: lambdaMetric(fn, 'Invocations', 'Sum'),
          },
          label: `${fn} error rate (%)`,
          period: Duration.minutes(5),
        }),
        threshold: 10,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
      });
      alarm(`${fn}-duration-p95`, {
        alarmName: name(`${fn}-duration-p95`),
        alarmDescription: `${fn} p95 duration above 120 s: agents are slow or timing out.`,
        metric: lambdaMetric(fn, 'Duration', 'p95'),
        threshold: 120_000,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
      });
    }
    alarm('ExportFailures', {
      alarmName: name('conversation-export-failures'),
      alarmDescription: 'Conversation records that could not be exported to S3.',
      metric: acrossProcessors('ConversationExportFailures'),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });

    alarm('WebhookDeliveryFailures', {
      alarmName: name('webhook-delivery-failures'),
      alarmDescription:
        "Answers that could not be delivered to the caller's webhook after every retry (still readable with GET /webhook/{trackingId}).",
      metric: appMetric('WebhookDeliveryFailures', NAMES.webhookProcessor),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
    });

    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: name('operations'),
      defaultInterval: Duration.hours(24),
    });
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Questions per channel',
        // One ConversationQuality sample is published per answered conversation.
        left: [
          appMetric('ConversationQuality', NAMES.slackProcessor, 'SampleCount', 'slack'),
          appMetric('ConversationQuality', NAMES.webhookProcessor, 'SampleCount', 'webhook'),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Processor latency (p50 / p95 / p99)',
        left: processors.flatMap((fn) =>
          ['p50', 'p95', 'p99'].map((stat) => lambdaMetric(fn, 'Duration', stat)),
        ),
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Dead-letter queue depth',
        left: [queueDepth(NAMES.slackDlq), queueDepth(NAMES.webhookDlq)],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Agent and tool errors',
        left: [acrossProcessors('AgentErrors'), acrossProcessors('ToolErrors')],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Model tokens',
        left: [
          acrossProcessors('InputTokens'),
          acrossProcessors('OutputTokens'),
          acrossProcessors('CacheReadInputTokens'),
          acrossProcessors('CacheWriteInputTokens'),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Answer feedback and exports',
        left: [
          appMetric('FeedbackPositive', NAMES.slackProcessor),
          appMetric('FeedbackNegative', NAMES.slackProcessor),
          acrossProcessors('ConversationExportFailures'),
          appMetric('WebhookDeliveryFailures', NAMES.webhookProcessor),
        ],
        width: 8,
      }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Estimated model cost per channel (USD)',
        // Published per conversation when every model used has a price (MODEL_PRICES).
        left: [
          appMetric('EstimatedCostUSD', NAMES.slackProcessor, 'Sum', 'slack'),
          appMetric('EstimatedCostUSD', NAMES.webhookProcessor, 'Sum', 'webhook'),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Tokens per channel (input, cache read, cache write, output)',
        left: processors.flatMap((service) =>
          ['InputTokens', 'CacheReadInputTokens', 'CacheWriteInputTokens', 'OutputTokens'].map(
            (metricName) =>
              appMetric(
                metricName,
                service,
                'Sum',
                `${service === NAMES.slackProcessor ? 'slack' : 'webhook'} ${metricName}`,
              ),
          ),
        ),
        width: 12,
      }),
    );
  }
}
