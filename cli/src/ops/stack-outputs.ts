/**
 * What a deployed stage looks like, read from CloudFormation: the stacks `revops-<stage>-<part>`,
 * their outputs by key and their resources by type. Commands discover queues, agents, the
 * knowledge base and secrets here instead of hard-coding names.
 */

import {
  type CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
  paginateListStackResources,
  type StackResourceSummary,
} from '@aws-sdk/client-cloudformation';
import { OpsError, StackNotFoundError } from '../errors';
import { awsErrorName } from './aws-errors';

export const STACK_PARTS = ['monitoring', 'agents', 'slack-gateway', 'webhook-gateway'] as const;
export type StackPart = (typeof STACK_PARTS)[number];

export const stackName = (stage: string, part: StackPart): string => `revops-${stage}-${part}`;
/** Every RevBot function is named `revops-<stage>-<name>`. */
export const functionPrefix = (stage: string): string => `revops-${stage}-`;

export interface DeployedStack {
  name: string;
  status: string;
  /** Account id, from the stack's ARN. */
  account: string | undefined;
  outputs: ReadonlyMap<string, string>;
}

/** States in which no working deployment exists (first create failed or running, or deleting). */
const UNUSABLE = /^(CREATE_|ROLLBACK_|DELETE_|IMPORT_ROLLBACK_)/;

export async function describeStack(
  client: CloudFormationClient,
  name: string,
  region: string,
): Promise<DeployedStack> {
  let stacks: DescribeStacksCommandOutput;
  try {
    stacks = await client.send(new DescribeStacksCommand({ StackName: name }));
  } catch (error) {
    if (
      awsErrorName(error) === 'ValidationError' &&
      /does not exist/i.test(String((error as Error).message))
    ) {
      throw new StackNotFoundError(name, region);
    }
    throw error;
  }
  const stack = stacks.Stacks?.[0];
  if (!stack || stack.StackStatus === 'DELETE_COMPLETE') throw new StackNotFoundError(name, region);
  const outputs = new Map<string, string>();
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey && output.OutputValue !== undefined) {
      outputs.set(output.OutputKey, output.OutputValue);
    }
  }
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (UNUSABLE.test(status) && status !== 'CREATE_COMPLETE') {
    const advice = status.endsWith('_IN_PROGRESS')
      ? 'wait for it to finish'
      : 'see its events in the CloudFormation console, fix the cause and deploy again';
    throw new OpsError(`stack ${name} is ${status}: ${advice}`);
  }
  return { name, status, account: stack.StackId?.split(':')[4], outputs };
}

/** An output the command cannot work without; missing means the stack predates this version. */
export function requireOutput(stack: DeployedStack, key: string): string {
  const value = stack.outputs.get(key);
  if (value === undefined || value === '') {
    throw new OpsError(
      `stack ${stack.name} has no output ${key}: redeploy it with this version of RevBot (pnpm cdk deploy ${stack.name})`,
    );
  }
  return value;
}

export async function listStackResources(
  client: CloudFormationClient,
  name: string,
): Promise<StackResourceSummary[]> {
  const resources: StackResourceSummary[] = [];
  for await (const page of paginateListStackResources({ client }, { StackName: name })) {
    resources.push(...(page.StackResourceSummaries ?? []));
  }
  return resources;
}

export interface DeployedAgent {
  /** The output key prefix, e.g. `ManagerAgent` (outputs `ManagerAgentId`, `ManagerAgentAliasId`). */
  key: string;
  agentId: string;
  aliasId: string;
}

/**
 * The agents of the agents stack: every output pair `<Name>Id` + `<Name>AliasId`. Other `…Id`
 * outputs (`KnowledgeBaseId`, `KnowledgeBaseDataSourceId`) have no alias and are not agents.
 */
export function agentsFromOutputs(outputs: ReadonlyMap<string, string>): DeployedAgent[] {
  const agents: DeployedAgent[] = [];
  for (const [key, aliasId] of outputs) {
    const match = /^(.+)AliasId$/.exec(key);
    if (!match) continue;
    const prefix = match[1] as string;
    const agentId = outputs.get(`${prefix}Id`);
    if (agentId) agents.push({ key: prefix, agentId, aliasId });
  }
  return agents.sort((a, b) => a.key.localeCompare(b.key));
}

/** Output keys of the agents stack's knowledge base. */
export const KNOWLEDGE_BASE_OUTPUTS = {
  knowledgeBaseId: 'KnowledgeBaseId',
  dataSourceId: 'KnowledgeBaseDataSourceId',
  bucket: 'KnowledgeBaseBucketName',
} as const;

/** Output keys of a channel's queues, by channel. */
export const CHANNEL_QUEUES = {
  slack: { stack: 'slack-gateway', queue: 'SlackQueueUrl', dlq: 'SlackDlqUrl' },
  webhook: { stack: 'webhook-gateway', queue: 'WebhookQueueUrl', dlq: 'WebhookDlqUrl' },
} as const satisfies Record<string, { stack: StackPart; queue: string; dlq: string }>;
export type Channel = keyof typeof CHANNEL_QUEUES;
export const CHANNELS = Object.keys(CHANNEL_QUEUES) as Channel[];

/**
 * Every queue pair with a dead-letter queue `revbot dlq` looks after: the channels' processing
 * queues and the webhook delivery stage's outbound queue (a delivery whose retry schedule ran
 * out waits in its DLQ), each with the function whose logs explain its messages.
 */
export const DEAD_LETTER_QUEUES = {
  slack: { ...CHANNEL_QUEUES.slack, consumer: 'slack-processor' },
  webhook: { ...CHANNEL_QUEUES.webhook, consumer: 'webhook-processor' },
  delivery: {
    stack: 'webhook-gateway',
    queue: 'WebhookDeliveryQueueUrl',
    dlq: 'WebhookDeliveryDlqUrl',
    consumer: 'webhook-delivery',
  },
} as const satisfies Record<
  string,
  { stack: StackPart; queue: string; dlq: string; consumer: string }
>;
export type DeadLetterQueueName = keyof typeof DEAD_LETTER_QUEUES;
export const DEAD_LETTER_QUEUE_NAMES = Object.keys(DEAD_LETTER_QUEUES) as DeadLetterQueueName[];
