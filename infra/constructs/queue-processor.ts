/**
 * A queue-backed processor: SQS queue + dead-letter queue + a processor Lambda consuming it with
 * partial batch failure reporting. Visibility is six times the processor timeout, as AWS
 * recommends, so a retried message never overlaps a still-running attempt.
 */
import { Duration } from 'aws-cdk-lib';
import * as lambdaEvents from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { resourceName } from '../lib/naming';
import { RevbotFunction, type RevbotFunctionProps } from './revbot-function';

export interface QueueProcessorProps {
  stage: string;
  queueName: string;
  dlqName: string;
  processor: Omit<RevbotFunctionProps, 'stage'>;
  /** Deliveries before a message moves to the DLQ. */
  maxReceiveCount?: number;
  batchSize?: number;
}

export class QueueProcessor extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly processor: RevbotFunction;

  constructor(scope: Construct, id: string, props: QueueProcessorProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      queueName: resourceName(props.stage, props.dlqName),
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: resourceName(props.stage, props.queueName),
      visibilityTimeout: Duration.seconds(props.processor.timeout.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
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
      }),
    );
  }
}
