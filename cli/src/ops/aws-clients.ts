/**
 * AWS SDK v3 clients for the operations commands, configured from the command's options and
 * environment: `--region`/`AWS_REGION`, `--profile`/`AWS_PROFILE`, access keys from the
 * environment or the SDK's default chain, and `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>`
 * as the AWS CLI honours them (LocalStack, VPC endpoints, the tests' local servers).
 */
import { BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';

export interface AwsSettings {
  region?: string;
  profile?: string;
  env: Record<string, string | undefined>;
}

/** Service ids as the SDK spells them in `AWS_ENDPOINT_URL_<ID>`. */
type ServiceId =
  | 'CLOUDFORMATION'
  | 'SQS'
  | 'S3'
  | 'SECRETS_MANAGER'
  | 'CLOUDWATCH_LOGS'
  | 'CLOUDWATCH'
  | 'BEDROCK_AGENT'
  | 'LAMBDA';

export interface AwsClients {
  /** The region the clients were given, when known before the first call. */
  readonly region: string | undefined;
  readonly cloudformation: CloudFormationClient;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
  readonly secrets: SecretsManagerClient;
  readonly logs: CloudWatchLogsClient;
  readonly cloudwatch: CloudWatchClient;
  readonly bedrockAgent: BedrockAgentClient;
  readonly lambda: LambdaClient;
  /** The region the SDK resolved (from the profile when no flag or variable set it). */
  resolveRegion(): Promise<string>;
  destroy(): void;
}

/** Clients are created on first use, so a command pays only for the services it calls. */
export function createAwsClients(settings: AwsSettings): AwsClients {
  const { env } = settings;
  // The SDK's nine-line notice about Node 20 support after January 2027 would bury the one line a
  // command prints; the lockfile pins the SDK, and `engines` says which Node RevBot supports.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const region = settings.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const profile = settings.profile ?? env.AWS_PROFILE;
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  // Keys in the command's environment are used as given, unless a profile is named (flag or
  // AWS_PROFILE), which wins as in the SDK's own chain; otherwise that chain (profile, SSO,
  // container or instance role) finds the credentials.
  const credentials =
    accessKeyId && secretAccessKey && !profile
      ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN }
      : undefined;
  const endpointFor = (service: ServiceId): string | undefined =>
    env[`AWS_ENDPOINT_URL_${service}`] ?? env.AWS_ENDPOINT_URL;
  const common = (service: ServiceId) => {
    const endpoint = endpointFor(service);
    return {
      ...(region ? { region } : {}),
      ...(profile && !credentials ? { profile } : {}),
      ...(credentials ? { credentials } : {}),
      ...(endpoint ? { endpoint } : {}),
      maxAttempts: 3,
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 },
    };
  };

  const made: { destroy(): void }[] = [];
  const lazy = <T extends { destroy(): void }>(create: () => T): (() => T) => {
    let client: T | undefined;
    return () => {
      if (!client) {
        client = create();
        made.push(client);
      }
      return client;
    };
  };
  const cloudformation = lazy(() => new CloudFormationClient(common('CLOUDFORMATION')));
  const sqs = lazy(() => new SQSClient(common('SQS')));
  const s3 = lazy(
    () =>
      new S3Client({
        ...common('S3'),
        // Custom endpoints (LocalStack, local servers) rarely resolve virtual-hosted buckets.
        forcePathStyle: endpointFor('S3') !== undefined,
      }),
  );
  const secrets = lazy(() => new SecretsManagerClient(common('SECRETS_MANAGER')));
  const logs = lazy(() => new CloudWatchLogsClient(common('CLOUDWATCH_LOGS')));
  const cloudwatch = lazy(() => new CloudWatchClient(common('CLOUDWATCH')));
  const bedrockAgent = lazy(() => new BedrockAgentClient(common('BEDROCK_AGENT')));
  const lambda = lazy(() => new LambdaClient(common('LAMBDA')));

  return {
    region,
    get cloudformation() {
      return cloudformation();
    },
    get sqs() {
      return sqs();
    },
    get s3() {
      return s3();
    },
    get secrets() {
      return secrets();
    },
    get logs() {
      return logs();
    },
    get cloudwatch() {
      return cloudwatch();
    },
    get bedrockAgent() {
      return bedrockAgent();
    },
    get lambda() {
      return lambda();
    },
    async resolveRegion() {
      if (region) return region;
      return cloudformation().config.region();
    },
    destroy() {
      for (const client of made) client.destroy();
    },
  };
}
