/**
 * Least-privilege model invocation through a system-defined cross-Region inference profile:
 * the profile in this Region, and its foundation model in whichever Region the profile routes
 * to — but only when the call comes through that profile.
 */
import type { ModelDefinition } from '@revbot/agents';
import { Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';
import { InvalidPropError } from '../lib/prop-validation';

export const inferenceProfileArn = (scope: IConstruct, model: ModelDefinition): string => {
  const stack = Stack.of(scope);
  return stack.formatArn({
    service: 'bedrock',
    resource: 'inference-profile',
    resourceName: model.inferenceProfileId,
  });
};

/** The foundation model in every Region: the profile decides where a request runs. */
export const foundationModelArn = (scope: IConstruct, model: ModelDefinition): string =>
  `arn:${Stack.of(scope).partition}:bedrock:*::foundation-model/${model.foundationModelId}`;

export interface GrantModelOptions {
  /**
   * Also allow `bedrock:GetInferenceProfile` (Bedrock Agents read the profile at prepare time).
   * @default false
   */
  readonly describe?: boolean;
}

/**
 * Allows `grantee` to run `models` (InvokeModel and streaming, which Converse and ConverseStream
 * also authorize with) through their inference profiles and nothing else.
 */
export function grantInvokeModels(
  scope: IConstruct,
  grantee: iam.IGrantable,
  models: readonly ModelDefinition[],
  options: GrantModelOptions = {},
): void {
  // An empty list would render statements without resources, which IAM rejects at deploy time.
  if (models.length === 0) {
    throw new InvalidPropError(scope.node.path, 'models', 'must name at least one model', models);
  }
  const profiles = models.map((m) => inferenceProfileArn(scope, m));
  iam.Grant.addToPrincipal({
    grantee,
    actions: [
      'bedrock:InvokeModel',
      'bedrock:InvokeModelWithResponseStream',
      ...(options.describe ? ['bedrock:GetInferenceProfile'] : []),
    ],
    resourceArns: profiles,
  });
  grantee.grantPrincipal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
      resources: models.map((m) => foundationModelArn(scope, m)),
      conditions: { StringEquals: { 'bedrock:InferenceProfileArn': profiles } },
    }),
  );
  // The finding lands on the grantee's policy; acknowledge it there when it is a construct.
  const principal: unknown = grantee.grantPrincipal;
  if (Construct.isConstruct(principal)) acknowledgeFoundationModelWildcard(principal, models);
}

/** cdk-nag renders the partition as `<AWS::Partition>` in the finding id. */
function acknowledgeFoundationModelWildcard(
  scope: IConstruct,
  models: readonly ModelDefinition[],
): void {
  const partition = Stack.of(scope).partition;
  const shown = Token.isUnresolved(partition) ? '<AWS::Partition>' : partition;
  for (const model of models) {
    Validations.of(scope).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${shown}:bedrock:*::foundation-model/${model.foundationModelId}]`,
      reason:
        'A cross-Region inference profile runs the model in any Region of its geography; the statement is limited to this one model and, by the bedrock:InferenceProfileArn condition, to calls made through RevBot’s profile.',
    });
  }
}
