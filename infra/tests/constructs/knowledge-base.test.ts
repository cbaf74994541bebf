import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  KNOWLEDGE_BASE_PREFIX,
  KnowledgeBase,
  type KnowledgeBaseProps,
} from '../../constructs/knowledge-base';
import {
  bareStack,
  logicalId,
  PRIVATE_VERSIONED_BUCKET,
  titanS3VectorsKnowledgeBase,
} from './bare-stack';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
/** A folder of markdown standing in for `knowledge_base/`. */
const markdownDir = (content: string): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'revbot-kb-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'schema.md'), content);
  return dir;
};

describe('KnowledgeBase', () => {
  let stack: Stack;
  let props: KnowledgeBaseProps;
  beforeEach(() => {
    stack = bareStack();
    props = { stage: 'test', sourceDir: markdownDir('# Warehouse schema\n') };
  });

  it('indexes the documents with Titan Text Embeddings V2 into an S3 Vectors index of 1024 dimensions', () => {
    // WHEN
    const kb = new KnowledgeBase(stack, 'KnowledgeBase', props);

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Bedrock::KnowledgeBase', 1);
    template.hasResourceProperties('AWS::S3Vectors::Index', {
      IndexName: 'revops-test-knowledge',
      Dimension: 1024,
      DistanceMetric: 'cosine',
      DataType: 'float32',
    });
    template.hasResourceProperties(
      'AWS::Bedrock::KnowledgeBase',
      titanS3VectorsKnowledgeBase(
        'revops-test-knowledge-base',
        { 'Fn::GetAtt': [logicalId(kb.role), 'Arn'] },
        { 'Fn::GetAtt': [logicalId(kb.index), 'IndexArn'] },
      ),
    );
    template.hasResourceProperties('AWS::Bedrock::DataSource', {
      DataSourceConfiguration: {
        Type: 'S3',
        S3Configuration: {
          BucketArn: { 'Fn::GetAtt': [logicalId(kb.bucket), 'Arn'] },
          InclusionPrefixes: [KNOWLEDGE_BASE_PREFIX],
        },
      },
    });
  });

  it('keeps the documents in a private, encrypted, versioned bucket that refuses plain HTTP', () => {
    // WHEN
    new KnowledgeBase(stack, 'KnowledgeBase', props);

    // THEN
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.hasResourceProperties('AWS::S3::Bucket', PRIVATE_VERSIONED_BUCKET);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('lets its service role read only the document prefix, embed with its model and write its index', () => {
    // WHEN
    const kb = new KnowledgeBase(stack, 'KnowledgeBase', props);

    // THEN
    const bucketArn = { 'Fn::GetAtt': [logicalId(kb.bucket), 'Arn'] };
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: logicalId(kb.role) }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: 'bedrock:InvokeModel' }),
          {
            Action: 's3:ListBucket',
            Effect: 'Allow',
            Resource: bucketArn,
            Condition: { StringLike: { 's3:prefix': [`${KNOWLEDGE_BASE_PREFIX}*`] } },
          },
          {
            Action: 's3:GetObject',
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', [bucketArn, `/${KNOWLEDGE_BASE_PREFIX}*`]] },
          },
          {
            Action: [
              's3vectors:GetIndex',
              's3vectors:QueryVectors',
              's3vectors:PutVectors',
              's3vectors:GetVectors',
              's3vectors:DeleteVectors',
            ],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [logicalId(kb.index), 'IndexArn'] },
          },
        ],
      },
    });
  });

  it('starts an ingestion job whose parameters change with the documents', () => {
    // GIVEN
    const other = bareStack();

    // WHEN
    const kb = new KnowledgeBase(stack, 'KnowledgeBase', props);
    const changed = new KnowledgeBase(other, 'KnowledgeBase', {
      ...props,
      sourceDir: markdownDir('# Warehouse schema\n\nA new table.\n'),
    });

    // THEN
    expect(kb.contentHash).not.toBe(changed.contentHash);
    const ingestion = JSON.stringify(Template.fromStack(stack).findResources('Custom::AWS', {}));
    expect(ingestion).toContain('StartIngestionJob');
    expect(ingestion).toContain(`knowledge_base/ at ${kb.contentHash.slice(0, 16)}`);
    expect(ingestion).not.toContain(changed.contentHash.slice(0, 16));
  });

  it('sizes the index for the embedding model it is given', () => {
    // WHEN
    new KnowledgeBase(stack, 'KnowledgeBase', {
      ...props,
      embeddingModel: { modelId: 'cohere.embed-english-v3', dimensions: 1536 },
    });

    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3Vectors::Index', { Dimension: 1536 });
    template.hasResourceProperties('AWS::Bedrock::KnowledgeBase', {
      KnowledgeBaseConfiguration: {
        VectorKnowledgeBaseConfiguration: Match.objectLike({
          EmbeddingModelArn: {
            'Fn::Join': ['', Match.arrayWith(['::foundation-model/cohere.embed-english-v3'])],
          },
        }),
      },
    });
  });

  it.each([
    ['stage', () => ({ stage: 'Test' })],
    ['sourceDir', () => ({ sourceDir: path.join(tmpdir(), 'revbot-kb-missing') })],
    ['sourceDir', () => ({ sourceDir: path.join(markdownDir('x'), 'schema.md') })],
    [
      'embeddingModel.modelId',
      () => ({ embeddingModel: { modelId: 'titan embeddings', dimensions: 1024 } }),
    ],
    [
      'embeddingModel.dimensions',
      () => ({ embeddingModel: { modelId: 'amazon.titan-embed-text-v2:0', dimensions: 0 } }),
    ],
    [
      'embeddingModel.dimensions',
      () => ({ embeddingModel: { modelId: 'amazon.titan-embed-text-v2:0', dimensions: 4097 } }),
    ],
  ] as [string, () => Partial<KnowledgeBaseProps>][])(
    'refuses a wrong %s, naming it',
    (prop, wrong) => {
      // WHEN / THEN
      expect(() => new KnowledgeBase(stack, 'KnowledgeBase', { ...props, ...wrong() })).toThrow(
        `Default/KnowledgeBase: prop "${prop}"`,
      );
    },
  );
});
