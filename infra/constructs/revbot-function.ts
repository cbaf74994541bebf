/**
 * A RevBot Lambda: Node.js on arm64, bundled from `lambdas/` by the local esbuild (no Docker),
 * minified ESM with source maps, its own log group and a role that can write only to it.
 *
 * The AWS SDK v3 is bundled on purpose: the lockfile pins the version the tests ran against,
 * instead of whatever version the Lambda runtime ships that month.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import {
  BUNDLE_MAIN_FIELDS,
  ESM_REQUIRE_BANNER,
  LAZY_MODULES,
  type LazyModule,
} from '../lib/lazy-module';
import { METRIC_NAMESPACE, resourceName } from '../lib/naming';
import { checkInteger, checkPattern, checkStage, InvalidPropError } from '../lib/prop-validation';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const LAMBDAS_DIR = path.join(REPO_ROOT, 'lambdas');

export interface RevbotFunctionProps {
  /** Deployment stage; the function is named `revops-<stage>-<name>`. */
  readonly stage: string;
  /** Short kebab-case name, e.g. `slack-handler`. */
  readonly name: string;
  /** Handler file relative to `lambdas/`, e.g. `slack-handler/handler.ts`; it must exist. */
  readonly entry: string;
  /** At most 256 characters (Lambda's limit). */
  readonly description: string;
  /** From 1 second to 15 minutes. */
  readonly timeout: Duration;
  /** MB, from 128 to 10240. */
  readonly memorySize: number;
  /**
   * Variables added to (or overriding) the ones every RevBot Lambda gets.
   * @default - only `NODE_OPTIONS`, `REVBOT_STAGE` and the Powertools service, namespace and level
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Executions reserved for this function (and its ceiling); 0 stops it from running at all.
   * @default - none reserved: the function shares the account's unreserved concurrency
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Packages bundled beside the handler, compiled only when first imported (`lazy-module.ts`).
   * @default - none: every package is bundled into the handler
   */
  readonly lazyModules?: readonly LazyModule[];
}

/** A Lambda function name: letters, digits, dashes and underscores, at most 64 characters. */
const FUNCTION_NAME_PATTERN = /^[a-zA-Z0-9-_]{1,64}$/;
/** What Lambda accepts as an environment variable name. */
const ENV_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]*$/;

export class RevbotFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: RevbotFunctionProps) {
    super(scope, id);
    const functionName = resourceName(props.stage, props.name);
    checkStage(this, props.stage);
    checkPattern(this, 'name', props.name, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'must be kebab-case');
    checkPattern(
      this,
      'name',
      functionName,
      FUNCTION_NAME_PATTERN,
      'makes a function name longer than 64 characters',
    );
    if (!existsSync(path.join(LAMBDAS_DIR, props.entry))) {
      throw new InvalidPropError(
        this.node.path,
        'entry',
        `must be a file under ${LAMBDAS_DIR}`,
        props.entry,
      );
    }
    if (props.description.length > 256) {
      throw new InvalidPropError(
        this.node.path,
        'description',
        'must be at most 256 characters',
        props.description,
      );
    }
    if (!props.timeout.isUnresolved()) {
      checkInteger(this, 'timeout', props.timeout.toSeconds({ integral: false }), 1, 900);
    }
    checkInteger(this, 'memorySize', props.memorySize, 128, 10_240);
    checkInteger(
      this,
      'reservedConcurrentExecutions',
      props.reservedConcurrentExecutions,
      0,
      10_000,
    );
    for (const key of Object.keys(props.environment ?? {})) {
      checkPattern(
        this,
        'environment',
        key,
        ENV_NAME_PATTERN,
        'names must be letters, digits and underscores, starting with a letter',
      );
    }
    for (const name of props.lazyModules ?? []) {
      if (!(name in LAZY_MODULES)) {
        throw new InvalidPropError(
          this.node.path,
          'lazyModules',
          `must name packages of ${Object.keys(LAZY_MODULES).join(', ')}`,
          name,
        );
      }
    }

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
        mainFields: BUNDLE_MAIN_FIELDS,
        // The embedded warehouse (DuckDB) is a local-only native module; Lambdas use Firebolt.
        externalModules: ['@duckdb/node-api', ...(props.lazyModules ?? [])],
        commandHooks: lazyModuleHooks(props.lazyModules ?? []),
        banner: ESM_REQUIRE_BANNER,
      },
    });
  }
}

const LAZY_MODULE_SCRIPT = fileURLToPath(new URL('../lib/lazy-module.ts', import.meta.url));

function lazyModuleHooks(modules: readonly LazyModule[]): nodejs.ICommandHooks | undefined {
  if (modules.length === 0) return undefined;
  // Absolute paths: the hook runs in the bundling directory, not the repository.
  const tsx = import.meta.resolve('tsx');
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) =>
      modules.map((name) => `node --import ${tsx} "${LAZY_MODULE_SCRIPT}" ${name} "${outputDir}"`),
  };
}
