/**
 * RevBot's knowledge base: the markdown of `knowledge_base/`, deployed to S3 and indexed by a
 * Bedrock knowledge base on S3 Vectors. A deployment that changes the markdown starts an
 * ingestion job, so `cdk deploy` alone keeps what the agents retrieve current.
 */

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  DefaultStackSynthesizer,
  Duration,
  FileSystem,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import * as bedrock from 'aws-cdk-lib/aws-bedrock';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as s3vectors from 'aws-cdk-lib/aws-s3vectors';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { nagForm } from '../lib/grants';
import { resourceName } from '../lib/naming';
import { checkInteger, checkPattern, checkStage, InvalidPropError } from '../lib/prop-validation';
import { REPO_ROOT } from './revbot-function';

export const KNOWLEDGE_BASE_DIR = path.join(REPO_ROOT, 'knowledge_base');
/** Documents live under this prefix of the bucket; the data source reads only it. */
export const KNOWLEDGE_BASE_PREFIX = 'knowledge_base/';

export interface EmbeddingModel {
  /** Bedrock foundation model id of a text embedding model. */
  readonly modelId: string;
  /** Vector size the model produces, from 1 to 4096; the index is created with it. */
  readonly dimensions: number;
}

/** Titan Text Embeddings V2 at its default size. */
export const TITAN_EMBED_TEXT_V2: EmbeddingModel = {
  modelId: 'amazon.titan-embed-text-v2:0',
  dimensions: 1024,
};

export interface KnowledgeBaseProps {
  /** Deployment stage; the knowledge base is named `revops-<stage>-knowledge-base`. */
  readonly stage: string;
  /**
   * Folder of markdown to index; it must exist.
   * @default - the repository's `knowledge_base/` (KNOWLEDGE_BASE_DIR)
   */
  readonly sourceDir?: string;
  /**
   * Model that embeds the documents and the queries.
   * @default TITAN_EMBED_TEXT_V2
   */
  readonly embeddingModel?: EmbeddingModel;
}

export class KnowledgeBase extends Construct {
  readonly bucket: s3.Bucket;
  readonly vectorBucket: s3vectors.CfnVectorBucket;
  readonly index: s3vectors.CfnIndex;
  readonly role: iam.Role;
  readonly knowledgeBase: bedrock.CfnKnowledgeBase;
  readonly dataSource: bedrock.CfnDataSource;
  readonly ingestion: cr.AwsCustomResource;
  /** Fingerprint of the source folder; a new one starts an ingestion job on deploy. */
  readonly contentHash: string;

  constructor(scope: Construct, id: string, props: KnowledgeBaseProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const sourceDir = props.sourceDir ?? KNOWLEDGE_BASE_DIR;
    const embedding = props.embeddingModel ?? TITAN_EMBED_TEXT_V2;
    checkStage(this, props.stage);
    if (!existsSync(sourceDir) || !statSync(sourceDir).isDirectory()) {
      throw new InvalidPropError(this.node.path, 'sourceDir', 'must be a folder', sourceDir);
    }
    checkPattern(
      this,
      'embeddingModel.modelId',
      embedding.modelId,
      /^[a-z0-9-]+\.[a-zA-Z0-9.:_-]+$/,
      'must be a Bedrock model id such as amazon.titan-embed-text-v2:0',
    );
    // S3 Vectors' index dimension range.
    checkInteger(this, 'embeddingModel.dimensions', embedding.dimensions, 1, 4096);
    const name = resourceName(props.stage, 'knowledge-base');

    this.bucket = new s3.Bucket(this, 'Documents', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'Holds only the markdown of the repository’s knowledge_base/ folder, written by the deployment; git is the record of every change and the bucket is versioned.',
    });

    const deployment = new s3deploy.BucketDeployment(this, 'Deploy', {
      sources: [s3deploy.Source.asset(sourceDir, { exclude: ['**/.*'] })],
      destinationBucket: this.bucket,
      destinationKeyPrefix: KNOWLEDGE_BASE_PREFIX,
      prune: true,
      memoryLimit: 256,
    });

    this.vectorBucket = new s3vectors.CfnVectorBucket(this, 'VectorBucket', {
      encryptionConfiguration: { sseType: 'AES256' },
    });
    this.index = new s3vectors.CfnIndex(this, 'Index', {
      vectorBucketArn: this.vectorBucket.attrVectorBucketArn,
      indexName: resourceName(props.stage, 'knowledge'),
      dataType: 'float32',
      dimension: embedding.dimensions,
      distanceMetric: 'cosine',
      // Chunk text and source metadata are large: keep them out of the 2 KB filterable metadata.
      metadataConfiguration: {
        nonFilterableMetadataKeys: ['AMAZON_BEDROCK_TEXT', 'AMAZON_BEDROCK_METADATA'],
      },
    });

    const embeddingModelArn = stack.formatArn({
      service: 'bedrock',
      account: '',
      resource: 'foundation-model',
      resourceName: embedding.modelId,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('bedrock.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: {
          'aws:SourceArn': stack.formatArn({
            service: 'bedrock',
            resource: 'knowledge-base',
            resourceName: '*',
          }),
        },
      }),
      description: `Service role of the ${name} knowledge base`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['bedrock:InvokeModel'], resources: [embeddingModelArn] }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${KNOWLEDGE_BASE_PREFIX}*`] } },
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.bucket.arnForObjects(`${KNOWLEDGE_BASE_PREFIX}*`)],
      }),
    );
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          's3vectors:GetIndex',
          's3vectors:QueryVectors',
          's3vectors:PutVectors',
          's3vectors:GetVectors',
          's3vectors:DeleteVectors',
        ],
        resources: [this.index.attrIndexArn],
      }),
    );
    const cfnBucket = this.bucket.node.defaultChild as s3.CfnBucket;
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(cfnBucket)}.Arn>/${KNOWLEDGE_BASE_PREFIX}*]`,
      reason:
        'Ingestion reads every document under knowledge_base/, whose names change with the repository; read only, that prefix only.',
    });

    this.knowledgeBase = new bedrock.CfnKnowledgeBase(this, 'KnowledgeBase', {
      name,
      description: 'RevBot warehouse schema, SQL patterns, business rules and workflows',
      roleArn: this.role.roleArn,
      knowledgeBaseConfiguration: {
        type: 'VECTOR',
        vectorKnowledgeBaseConfiguration: {
          embeddingModelArn,
          embeddingModelConfiguration: {
            bedrockEmbeddingModelConfiguration: {
              dimensions: embedding.dimensions,
              embeddingDataType: 'FLOAT32',
            },
          },
        },
      },
      storageConfiguration: {
        type: 'S3_VECTORS',
        s3VectorsConfiguration: { indexArn: this.index.attrIndexArn },
      },
    });
    // Bedrock validates access to the index and model when the knowledge base is created.
    this.knowledgeBase.node.addDependency(this.role);

    this.dataSource = new bedrock.CfnDataSource(this, 'DataSource', {
      knowledgeBaseId: this.knowledgeBase.attrKnowledgeBaseId,
      name: resourceName(props.stage, 'knowledge-base-markdown'),
      description: `Markdown of knowledge_base/ deployed to s3://…/${KNOWLEDGE_BASE_PREFIX}`,
      dataSourceConfiguration: {
        type: 'S3',
        s3Configuration: {
          bucketArn: this.bucket.bucketArn,
          inclusionPrefixes: [KNOWLEDGE_BASE_PREFIX],
        },
      },
      vectorIngestionConfiguration: {
        chunkingConfiguration: {
          chunkingStrategy: 'FIXED_SIZE',
          fixedSizeChunkingConfiguration: { maxTokens: 700, overlapPercentage: 15 },
        },
      },
      dataDeletionPolicy: 'DELETE',
    });

    // A new fingerprint changes the call's parameters, so CloudFormation updates the resource
    // and the call runs: one ingestion job per deployment that changed the markdown.
    this.contentHash = FileSystem.fingerprint(sourceDir, { exclude: ['**/.*'] });
    const startIngestion: cr.AwsSdkCall = {
      service: '@aws-sdk/client-bedrock-agent',
      action: 'StartIngestionJob',
      parameters: {
        knowledgeBaseId: this.knowledgeBase.attrKnowledgeBaseId,
        dataSourceId: this.dataSource.attrDataSourceId,
        description: `knowledge_base/ at ${this.contentHash.slice(0, 16)}`,
      },
      physicalResourceId: cr.PhysicalResourceId.fromResponse('ingestionJob.ingestionJobId'),
      outputPaths: ['ingestionJob.ingestionJobId'],
    };
    this.ingestion = new cr.AwsCustomResource(this, 'StartIngestion', {
      onCreate: startIngestion,
      onUpdate: startIngestion,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['bedrock:StartIngestionJob'],
          resources: [this.knowledgeBase.attrKnowledgeBaseArn],
        }),
      ]),
      installLatestAwsSdk: false,
      logGroup: new logs.LogGroup(this, 'StartIngestionLogs', {
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      timeout: Duration.minutes(2),
    });
    // Ingest only once the new documents are in the bucket.
    this.ingestion.node.addDependency(deployment);

    acknowledgeDeploymentHelpers(deployment, this.ingestion, stack.getLogicalId(cfnBucket));
  }

  get knowledgeBaseId(): string {
    return this.knowledgeBase.attrKnowledgeBaseId;
  }

  get knowledgeBaseArn(): string {
    return this.knowledgeBase.attrKnowledgeBaseArn;
  }

  get dataSourceId(): string {
    return this.dataSource.attrDataSourceId;
  }

  /** Allows `grantee` to query the knowledge base (the Retrieve API) and nothing else. */
  grantRetrieve(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['bedrock:Retrieve'],
      resourceArns: [this.knowledgeBaseArn],
    });
  }
}

/**
 * The bucket deployment and the SDK-call custom resource run on CDK's own singleton Lambdas;
 * their findings are acknowledged on those functions, where CDK creates them.
 */
function acknowledgeDeploymentHelpers(
  deployment: s3deploy.BucketDeployment,
  ingestion: cr.AwsCustomResource,
  bucketLogicalId: string,
): void {
  // cdk-nag names the CDK asset bucket as synthesized: pseudo parameters where unresolved.
  const stack = Stack.of(deployment);
  const qualifier =
    (stack.node.tryGetContext('@aws-cdk/core:bootstrapQualifier') as string | undefined) ??
    DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  const assetBucket = `cdk-${qualifier}-assets-${nagForm(stack.account, 'AccountId')}-${nagForm(stack.region, 'Region')}`;
  const functionOf = (principal: unknown) => {
    const scope = principal instanceof iam.Role ? principal.node.scope : undefined;
    if (!scope) throw new Error('CDK helper function not found for its cdk-nag acknowledgements');
    return scope;
  };
  const basicExecution = {
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      'CDK’s own deployment helper writes its logs with the basic execution policy; it runs only during deployments.',
  };

  const copier = functionOf(deployment.handlerRole);
  Validations.of(copier).acknowledge(basicExecution);
  Validations.of(copier).acknowledge({
    id: 'AwsSolutions-L1',
    reason:
      'The runtime of the bucket deployment helper is chosen by aws-cdk-lib and moves with its upgrades.',
  });
  const copyReason =
    'CDK’s bucket deployment copies the knowledge_base/ asset from the CDK asset bucket and syncs it (with pruning) into the knowledge base bucket; CDK scopes it to those two buckets.';
  for (const finding of [
    'Action::s3:GetBucket*',
    'Action::s3:GetObject*',
    'Action::s3:List*',
    'Action::s3:Abort*',
    'Action::s3:DeleteObject*',
    `Resource::arn:<AWS::Partition>:s3:::${assetBucket}/*`,
    `Resource::<${bucketLogicalId}.Arn>/*`,
  ]) {
    Validations.of(copier).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: copyReason });
  }

  Validations.of(functionOf(ingestion.grantPrincipal)).acknowledge(basicExecution);
}
