/**
 * A RevBot Lambda: Node.js on arm64, bundled from `lambdas/` by the local esbuild (no Docker),
 * minified ESM with source maps, its own log group and a role that can write only to it.
 *
 * The AWS SDK v3 is bundled on purpose: the lockfile pins the version the tests ran against,
 * instead of whatever version the Lambda runtime ships that month.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { LAZY_MODULES, type LazyModule } from '../lib/lazy-module';
import { METRIC_NAMESPACE, resourceName } from '../lib/naming';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const LAMBDAS_DIR = path.join(REPO_ROOT, 'lambdas');

export interface RevbotFunctionProps {
  stage: string;
  /** Short name, e.g. `slack-handler`; the function is named `revops-<stage>-<name>`. */
  name: string;
  /** Handler file relative to `lambdas/`, e.g. `slack-handler/handler.ts`. */
  entry: string;
  description: string;
  timeout: Duration;
  memorySize: number;
  environment?: Record<string, string>;
  reservedConcurrentExecutions?: number;
  /** Packages bundled beside the handler, compiled only when first imported (`lazy-module.ts`). */
  lazyModules?: LazyModule[];
}

export class RevbotFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: RevbotFunctionProps) {
    super(scope, id);
    const functionName = resourceName(props.stage, props.name);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${functionName}`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // A role of our own instead of AWSLambdaBasicExecutionRole: logs only to this log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
      }),
      description: `Execution role of ${functionName}`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${this.logGroup.logGroupArn}`],
      }),
    );

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName,
      description: props.description,
      entry: path.join(LAMBDAS_DIR, props.entry),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'pnpm-lock.yaml'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        REVBOT_STAGE: props.stage,
        POWERTOOLS_SERVICE_NAME: props.name,
        POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        minify: true,
        logLevel: nodejs.LogLevel.WARNING,
        sourceMap: true,
        sourcesContent: false,
        bundleAwsSDK: true,
        mainFields: ['module', 'main'],
        // The embedded warehouse (DuckDB) is a local-only native module; Lambdas use Firebolt.
        externalModules: ['@duckdb/node-api', ...(props.lazyModules ?? [])],
        commandHooks: lazyModuleHooks(props.lazyModules ?? []),
        // ESM bundles still meet CommonJS dependencies that call require().
        banner:
          "import { createRequire as __revbotCreateRequire } from 'node:module'; const require = __revbotCreateRequire(import.meta.url);",
      },
    });
  }
}

const LAZY_MODULE_SCRIPT = fileURLToPath(new URL('../lib/lazy-module.ts', import.meta.url));

function lazyModuleHooks(modules: LazyModule[]): nodejs.ICommandHooks | undefined {
  if (modules.length === 0) return undefined;
  for (const name of modules) {
    if (!(name in LAZY_MODULES)) throw new Error(`Unknown lazy module ${name}`);
  }
  // Absolute paths: the hook runs in the bundling directory, not the repository.
  const tsx = import.meta.resolve('tsx');
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) =>
      modules.map((name) => `node --import ${tsx} "${LAZY_MODULE_SCRIPT}" ${name} "${outputDir}"`),
  };
}
