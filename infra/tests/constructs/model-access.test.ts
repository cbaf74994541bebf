import type { ModelDefinition } from '@revbot/agents';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  foundationModelArn,
  grantInvokeModels,
  inferenceProfileArn,
} from '../../constructs/model-access';
import {
  bareStack,
  bedrockArnInBareStack,
  INVOKE_AND_DESCRIBE_ACTIONS,
  INVOKE_MODEL_ACTIONS,
} from './bare-stack';

const SONNET: ModelDefinition = {
  key: 'default',
  inferenceProfileId: 'us.anthropic.claude-sonnet-4-6',
  foundationModelId: 'anthropic.claude-sonnet-4-6',
};
const HAIKU: ModelDefinition = {
  key: 'fast',
  inferenceProfileId: 'us.anthropic.claude-haiku-4-5',
  foundationModelId: 'anthropic.claude-haiku-4-5',
};

const profile = (id: string) => bedrockArnInBareStack(`inference-profile/${id}`);
const foundation = (id: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:bedrock:*::foundation-model/${id}`]],
});

describe('grantInvokeModels', () => {
  let stack: Stack;
  let role: iam.Role;
  beforeEach(() => {
    stack = bareStack();
    role = new iam.Role(stack, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
  });

  it('allows the inference profiles, and their foundation models only through those profiles', () => {
    // WHEN
    grantInvokeModels(stack, role, [SONNET, HAIKU]);

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 1);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: INVOKE_MODEL_ACTIONS,
            Effect: 'Allow',
            Resource: [
              profile('us.anthropic.claude-sonnet-4-6'),
              profile('us.anthropic.claude-haiku-4-5'),
            ],
          },
          {
            Action: INVOKE_MODEL_ACTIONS,
            Effect: 'Allow',
            Resource: [
              foundation('anthropic.claude-sonnet-4-6'),
              foundation('anthropic.claude-haiku-4-5'),
            ],
            Condition: {
              StringEquals: {
                'bedrock:InferenceProfileArn': [
                  profile('us.anthropic.claude-sonnet-4-6'),
                  profile('us.anthropic.claude-haiku-4-5'),
                ],
              },
            },
          },
        ],
      },
    });
  });

  it('adds GetInferenceProfile on the profiles when asked to describe them', () => {
    // WHEN
    grantInvokeModels(stack, role, [SONNET], { describe: true });

    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: INVOKE_AND_DESCRIBE_ACTIONS,
            Resource: profile('us.anthropic.claude-sonnet-4-6'),
          }),
          Match.objectLike({
            Action: INVOKE_MODEL_ACTIONS,
          }),
        ],
      },
    });
  });

  it("names the profile in the stack's Region and account, the foundation model in any Region", () => {
    // GIVEN
    const pinned = new Stack(new App(), 'Pinned', {
      env: { account: '123456789012', region: 'eu-west-1' },
    });

    // THEN
    expect(pinned.resolve(inferenceProfileArn(pinned, SONNET))).toEqual({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':bedrock:eu-west-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-6',
        ],
      ],
    });
    expect(pinned.resolve(foundationModelArn(pinned, SONNET))).toEqual(
      foundation('anthropic.claude-sonnet-4-6'),
    );
  });

  it('refuses an empty model list, naming it', () => {
    // WHEN / THEN
    expect(() => grantInvokeModels(stack, role, [])).toThrow('Default: prop "models"');
  });
});
