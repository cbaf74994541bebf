/**
 * What the two channel stacks (Slack, webhook) build alike: the channel's secret, the queue and
 * the processor that asks the agents, the REST API in front of the channel's Lambda, and the queue
 * outputs the CLI reads. Each stack keeps its routes and grants (their order is the policies'
 * order); the construct ids stay the stacks' own, so the templates are those the stacks built by
 * hand.
 */
import { CfnOutput, type Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { LoggedRestApi, type LoggedRestApiProps } from '../constructs/logged-rest-api';
import { QueueProcessor } from '../constructs/queue-processor';
import type { RevbotFunction, RevbotFunctionProps } from '../constructs/revbot-function';
import type { ChannelStackProps } from './agent-runtime-access';
import { resourceName } from './naming';

export interface ChannelSecretProps
  extends Pick<
    secretsmanager.SecretProps,
    'description' | 'secretObjectValue' | 'generateSecretString'
  > {
  /** The secret's name under `revops/<stage>/`. */
  readonly name: string;
  /** Why no Secrets Manager rotation Lambda rotates it (acknowledges AwsSolutions-SMG4). */
  readonly rotatedElsewhere: string;
}

/** A channel's secret, `revops/<stage>/<name>`, rotated outside Secrets Manager. */
export function channelSecret(
  stack: Stack,
  id: string,
  stage: string,
  { name, rotatedElsewhere, ...secret }: ChannelSecretProps,
): secretsmanager.Secret {
  const created = new secretsmanager.Secret(stack, id, {
    secretName: `revops/${stage}/${name}`,
    ...secret,
  });
  Validations.of(created).acknowledge({ id: 'AwsSolutions-SMG4', reason: rotatedElsewhere });
  return created;
}

export interface ChannelProcessingProps {
  readonly queueName: string;
  readonly dlqName: string;
  /** Deliveries of a queued question before it moves to the dead-letter queue. */
  readonly maxReceiveCount: number;
  /** The processor's variable carrying `maxReceiveCount` (it reports a last delivery's failure). */
  readonly maxReceiveCountVariable: string;
  /** The processor; its environment comes after the agents' runtime variables. */
  readonly processor: Omit<RevbotFunctionProps, 'stage'>;
}

/** The channel's queue (+DLQ) and its processor, which asks the agents: construct id `Processing`. */
export function channelProcessing(
  stack: Stack,
  props: ChannelStackProps,
  { maxReceiveCount, maxReceiveCountVariable, processor, ...queues }: ChannelProcessingProps,
): QueueProcessor {
  return new QueueProcessor(stack, 'Processing', {
    stage: props.config.stage,
    ...queues,
    maxReceiveCount,
    maxConcurrency: props.config.processorMaxConcurrency,
    processor: {
      ...processor,
      environment: {
        ...props.agents.runtimeEnvironment,
        ...processor.environment,
        [maxReceiveCountVariable]: String(maxReceiveCount),
      },
    },
  });
}

export interface ChannelApiProps extends Pick<LoggedRestApiProps, 'description' | 'throttle'> {
  readonly routeThrottles: NonNullable<LoggedRestApiProps['routeThrottles']>;
  /** The API's name within the stage, e.g. `slack-api` (→ `revops-<stage>-slack-api`). */
  readonly name: string;
  /** The Lambda behind every route (proxy integration). */
  readonly handler: RevbotFunction;
}

/** The channel's logged REST API on the stage, and the proxy integration of its one Lambda. */
export function channelApi(
  stack: Stack,
  id: string,
  stage: string,
  { name, handler, ...api }: ChannelApiProps,
): { gateway: LoggedRestApi; integration: apigateway.LambdaIntegration } {
  const gateway = new LoggedRestApi(stack, id, {
    restApiName: resourceName(stage, name),
    ...api,
    stageName: stage,
  });
  return { gateway, integration: new apigateway.LambdaIntegration(handler.function) };
}

/** `<prefix>QueueUrl` and `<prefix>DlqUrl`: where `revbot` finds the channel's queues. */
export function channelQueueOutputs(
  stack: Stack,
  prefix: string,
  processing: QueueProcessor,
): void {
  new CfnOutput(stack, `${prefix}QueueUrl`, { value: processing.queue.queueUrl });
  new CfnOutput(stack, `${prefix}DlqUrl`, { value: processing.deadLetterQueue.queueUrl });
}
