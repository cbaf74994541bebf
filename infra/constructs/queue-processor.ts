/**
 * A queue-backed processor: SQS queue + dead-letter queue + a processor Lambda consuming it with
 * partial batch failure reporting. Visibility is six times the processor timeout, as AWS
 * recommends, so a retried message never overlaps a still-running attempt.
 */
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambdaEvents from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { resourceName } from '../lib/naming';
import { checkInteger, checkPattern, checkStage } from '../lib/prop-validation';
import { visibilityTimeoutSeconds } from '../lib/queue-settings';
import { RevbotFunction, type RevbotFunctionProps } from './revbot-function';

/** An SQS queue name: letters, digits, dashes and underscores, at most 80 characters. */
const QUEUE_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,80}$/;

export interface QueueProcessorProps {
  /** Deployment stage; the queues are named `revops-<stage>-<queueName>` and `…-<dlqName>`. */
  readonly stage: string;
  readonly queueName: string;
  readonly dlqName: string;
  /** The processor Lambda; its timeout sets the queue's visibility timeout (six times it). */
  readonly processor: Omit<RevbotFunctionProps, 'stage'>;
  /**
   * Deliveries before a message moves to the DLQ, from 1 to 1000.
   * @default 3
   */
  readonly maxReceiveCount?: number;
  /**
   * Messages per invocation, from 1 to 10.
   * @default 1
   */
  readonly batchSize?: number;
  /**
   * Most concurrent invocations the queue may start, from 2 to 1000: a burst of messages then
   * waits in the queue instead of fanning out into downstream quotas (Bedrock's, for the agents).
   * @default - no limit: the processor scales to the account's unreserved concurrency
   */
  readonly maxConcurrency?: number;
  /**
   * Largest message the queue takes, from 1,024 to 1,048,576 bytes.
   * @default - SQS's default for the queue
   */
  readonly maxMessageSizeBytes?: number;
}

export class QueueProcessor extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly processor: RevbotFunction;

  constructor(scope: Construct, id: string, props: QueueProcessorProps) {
    super(scope, id);
    checkStage(this, props.stage);
    const queueName = resourceName(props.stage, props.queueName);
    const dlqName = resourceName(props.stage, props.dlqName);
    const nameRule =
      'must make a queue name of letters, digits, dashes and underscores, at most 80 characters';
    checkPattern(this, 'queueName', queueName, QUEUE_NAME_PATTERN, nameRule);
    checkPattern(this, 'dlqName', dlqName, QUEUE_NAME_PATTERN, nameRule);
    checkInteger(this, 'maxReceiveCount', props.maxReceiveCount, 1, 1000);
    checkInteger(this, 'batchSize', props.batchSize, 1, 10);
    checkInteger(this, 'maxConcurrency', props.maxConcurrency, 2, 1000);
    checkInteger(this, 'maxMessageSizeBytes', props.maxMessageSizeBytes, 1024, 1_048_576);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: dlqName,
      retentionPeriod: Duration.days(14),
      maxMessageSizeBytes: props.maxMessageSizeBytes,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName,
      visibilityTimeout: Duration.seconds(
        visibilityTimeoutSeconds(props.processor.timeout.toSeconds()),
      ),
      retentionPeriod: Duration.days(4),
      maxMessageSizeBytes: props.maxMessageSizeBytes,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: {
        queue: this.deadLetterQueue,
        maxReceiveCount: props.maxReceiveCount ?? 3,
      },
    });
    this.processor = new RevbotFunction(this, 'Processor', {
      ...props.processor,
      stage: props.stage,
    });
    this.processor.function.addEventSource(
      new lambdaEvents.SqsEventSource(this.queue, {
        batchSize: props.batchSize ?? 1,
        reportBatchItemFailures: true,
        maxConcurrency: props.maxConcurrency,
      }),
    );
  }

  /** Allows `grantee` to send to the queue and nothing else (no receive, no queue attributes). */
  grantEnqueue(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sqs:SendMessage'],
      resourceArns: [this.queue.queueArn],
    });
  }
}
