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

/** The trust statement of a role Bedrock assumes for this account's agents whose ARN matches `sourceArn`. */
export const bedrockAgentTrust = (sourceArn: unknown) => ({
  Action: 'sts:AssumeRole',
  Effect: 'Allow',
  Principal: { Service: 'bedrock.amazonaws.com' },
  Condition: {
    StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    ArnLike: { 'aws:SourceArn': sourceArn },
  },
});

/** A bucket's properties when it is encrypted with SSE-S3, blocks all public access and is versioned. */
export const PRIVATE_VERSIONED_BUCKET = {
  BucketEncryption: {
    ServerSideEncryptionConfiguration: [
      { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
    ],
  },
  PublicAccessBlockConfiguration: {
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true,
  },
  VersioningConfiguration: { Status: 'Enabled' },
};

/**
 * The properties a `KnowledgeBase` renders for its `AWS::Bedrock::KnowledgeBase`: Titan Text
 * Embeddings V2 (1024 float32 dimensions) into the S3 Vectors index `indexArn`.
 */
export const titanS3VectorsKnowledgeBase = (name: string, roleArn: unknown, indexArn: unknown) => ({
  Name: name,
  RoleArn: roleArn,
  KnowledgeBaseConfiguration: {
    Type: 'VECTOR',
    VectorKnowledgeBaseConfiguration: {
      EmbeddingModelArn: bedrockArnInBareStack('foundation-model/amazon.titan-embed-text-v2:0', {
        account: false,
      }),
      EmbeddingModelConfiguration: {
        BedrockEmbeddingModelConfiguration: { Dimensions: 1024, EmbeddingDataType: 'FLOAT32' },
      },
    },
  },
  StorageConfiguration: {
    Type: 'S3_VECTORS',
    S3VectorsConfiguration: { IndexArn: indexArn },
  },
});

/** The actions a grant to invoke Bedrock models renders (streaming included). */
export const INVOKE_MODEL_ACTIONS = [
  'bedrock:InvokeModel',
  'bedrock:InvokeModelWithResponseStream',
];

/** The invoke actions and `GetInferenceProfile`, as granted on profiles a caller must describe. */
export const INVOKE_AND_DESCRIBE_ACTIONS = [...INVOKE_MODEL_ACTIONS, 'bedrock:GetInferenceProfile'];
