/** IAM grants shared by several stacks, kept narrower than the L2 `grant*` helpers. */
import { Stack, Token, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { RevbotFunction } from '../constructs/revbot-function';
import type { AgentRuntimeAccess } from './agent-runtime-access';
import type { RevbotConfig } from './config';
import { conversationBucketName } from './naming';

export const CONVERSATION_PREFIX = 'conversation-history/';

/**
 * PutObject under `conversation-history/` only: processors write records, never read or delete.
 * The bucket is addressed by its stage-derived name, so no cross-stack export ties the stacks.
 * Returns the bucket name for the processor's environment.
 */
/**
 * A value as cdk-nag writes it in a finding: an unresolved account or region becomes its pseudo
 * parameter (`<AWS::AccountId>`), so acknowledgements name resources the way findings do.
 */
export const nagForm = (value: string, pseudo: 'AccountId' | 'Region'): string =>
  Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value;

export function grantConversationExport(role: iam.Role, stage: string): string {
  const stack = Stack.of(role);
  const bucketName = conversationBucketName(stage, stack.account, stack.region);
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['s3:PutObject'],
      resources: [`arn:${stack.partition}:s3:::${bucketName}/${CONVERSATION_PREFIX}*`],
    }),
  );
  // cdk-nag renders the pseudo parameters as <AWS::…> in the finding id.
  const nagName = conversationBucketName(
    stage,
    nagForm(stack.account, 'AccountId'),
    nagForm(stack.region, 'Region'),
  );
  Validations.of(role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${nagName}/${CONVERSATION_PREFIX}*]`,
    reason:
      'Each conversation is a new object under conversation-history/; its key is not known in advance. Write only: no read, list or delete.',
  });
  return bucketName;
}

/** GetSecretValue on one secret only (not DescribeSecret, which `grantRead` adds). */
export function grantSecretValue(role: iam.IRole, secret: secretsmanager.ISecret): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: [secret.secretArn],
    }),
  );
}

/**
 * What every channel processor needs to answer: asking the agents, and writing each conversation
 * under `conversation-history/` (its bucket name in `CONVERSATION_BUCKET`).
 */
export function grantAnswering(
  processor: RevbotFunction,
  agents: AgentRuntimeAccess,
  stage: string,
): void {
  processor.function.addEnvironment(
    'CONVERSATION_BUCKET',
    grantConversationExport(processor.role, stage),
  );
  agents.grantAsk(processor.role);
}

/**
 * Daily budgets and prices for a function answering or admitting questions: `BUDGETS` kept in
 * `table` (the channel's own) under the `budget#` prefix, `MODEL_PRICES` for the estimates.
 * With `grantUpdate`, the role may update only the `budget#` items of the table.
 */
export function configureBudgets(
  fn: RevbotFunction,
  config: Pick<RevbotConfig, 'budgets' | 'modelPrices'>,
  table: { table: dynamodb.ITable; key: string; ttl: string; grantUpdate?: boolean },
): void {
  if (config.modelPrices) fn.function.addEnvironment('MODEL_PRICES', config.modelPrices);
  if (!config.budgets) return;
  fn.function.addEnvironment('BUDGETS', config.budgets);
  fn.function.addEnvironment('BUDGET_TABLE', table.table.tableName);
  fn.function.addEnvironment('BUDGET_TABLE_KEY', table.key);
  fn.function.addEnvironment('BUDGET_TABLE_TTL', table.ttl);
  if (!table.grantUpdate) return;
  fn.role.addToPolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:UpdateItem'],
      resources: [table.table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['budget#*'] } },
    }),
  );
}
