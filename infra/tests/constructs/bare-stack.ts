/**
 * The bare stack every construct test starts from. An empty bundling list makes NodejsFunction
 * skip esbuild (the template is the same), so a construct test synthesizes in milliseconds.
 */
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export const bareStack = (context: Record<string, unknown> = {}): Stack =>
  new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } }));

/** The template id of an L1 resource, or of an L2 construct's main resource. */
export const logicalId = (construct: IConstruct): string =>
  Stack.of(construct).getLogicalId((construct.node.defaultChild ?? construct) as CfnElement);

/**
 * How a bare stack (no env) renders `arn:<partition>:bedrock:<region>:<account>:<resource>`;
 * `account: false` for account-less ARNs such as a foundation model's.
 */
export const bedrockArnInBareStack = (resource: string, { account = true } = {}) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':bedrock:',
      { Ref: 'AWS::Region' },
      ...(account ? [':', { Ref: 'AWS::AccountId' }, `:${resource}`] : [`::${resource}`]),
    ],
  ],
});
