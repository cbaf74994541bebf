/**
 * One Lambda per tool of the catalogue (`agents/src/tools/`), each speaking Bedrock's
 * action-group event and response, with only the permissions its downstream needs: a tool that
 * calls a third-party API gets its own Secrets Manager secret, readable by that Lambda alone;
 * timeouts follow the downstream (Firebolt's statement timeout, Gong's paging and back-off);
 * Gong and web search get reserved concurrency so RevBot cannot exceed their rate limits.
 *
 * Settings come from CDK context (`-c fireboltAccount=…`), read and validated once here.
 */
import { TOOL_NAMES, TOOLS, type ToolName } from '@revbot/agents';
import { Annotations, Duration, Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, type Node } from 'constructs';
import { z } from 'zod';
import { parseContext } from '../lib/config';
import { checkStage, InvalidPropError } from '../lib/prop-validation';
import { RevbotFunction } from './revbot-function';

/** Tool settings as CDK context keys; every one optional. */
const toolSettingsSchema = z.object({
  /** Firebolt account, database and engine the warehouse tools use. */
  fireboltAccount: z.string().default(''),
  fireboltDatabase: z.string().default(''),
  fireboltEngine: z.string().default(''),
  /** Firebolt API host, only to override `api.app.firebolt.io`. */
  fireboltApiEndpoint: z.string().min(1).optional(),
  /** The customer's Gong API base URL (Gong shows it on the API settings page). */
  gongBaseUrl: z.url().default('https://api.gong.io'),
  /** Web search provider (Tavily) base URL. */
  searchBaseUrl: z.url().default('https://api.tavily.com'),
  /** Reserved concurrency; 0 reserves none (new accounts with a concurrency quota of 10 need 0). */
  gongReservedConcurrency: z.coerce.number().int().min(0).max(50).default(3),
  searchReservedConcurrency: z.coerce.number().int().min(0).max(50).default(5),
  /** Comma-separated outbound allowlist (the webhook channel's setting, shared). */
  webhookAllowedUrls: z.string().default(''),
  /** Where send_notification posts (a team channel's incoming webhook); allowed implicitly. */
  notificationWebhookUrl: z.string().default(''),
  /** Seconds a warehouse query may run before Firebolt cancels it. */
  queryTimeoutSeconds: z.coerce.number().int().min(1).max(60).default(20),
});
export type ToolSettings = z.infer<typeof toolSettingsSchema>;

/** Reads the tool settings from context; a bad value stops the synth with one line naming it. */
export function toolSettingsFromContext(node: Node): ToolSettings {
  return parseContext(node, toolSettingsSchema);
}

export interface ToolFunctionsProps {
  /** Deployment stage; each tool Lambda is named `revops-<stage>-tool-<tool folder>`. */
  readonly stage: string;
  /**
   * Downstream settings of the tools, validated like the context keys they mirror.
   * @default - read from CDK context (`toolSettingsFromContext`)
   */
  readonly settings?: ToolSettings;
}

interface ToolSpec {
  timeout: Duration;
  memorySize: number;
  /**
   * The tool's secret: placeholder JSON with the keys the handler expects (an operator fills in
   * the provider's credentials), or a generated Standard Webhooks signing key.
   */
  secret?: { kind: 'credentials'; template: Record<string, string> } | { kind: 'signing-key' };
  /** Environment variable that carries the secret's ARN. */
  secretEnv?: string;
  environment: (settings: ToolSettings) => Record<string, string>;
  reservedConcurrency?: (settings: ToolSettings) => number;
}

const firebolt = (settings: ToolSettings): Record<string, string> => ({
  FIREBOLT_ACCOUNT: settings.fireboltAccount,
  FIREBOLT_DATABASE: settings.fireboltDatabase,
  FIREBOLT_ENGINE: settings.fireboltEngine,
  ...(settings.fireboltApiEndpoint ? { FIREBOLT_API_ENDPOINT: settings.fireboltApiEndpoint } : {}),
});

const FIREBOLT_SECRET = {
  client_id: 'REPLACE_WITH_SERVICE_ACCOUNT_ID',
  client_secret: 'REPLACE_WITH_SERVICE_ACCOUNT_SECRET',
};

export const TOOL_SPECS: Record<ToolName, ToolSpec> = {
  firebolt_query: {
    // The statement timeout plus connecting (token, engine URL) and a margin.
    timeout: Duration.seconds(40),
    memorySize: 512,
    secret: { kind: 'credentials', template: FIREBOLT_SECRET },
    secretEnv: 'FIREBOLT_SECRET_ID',
    environment: (s) => ({
      ...firebolt(s),
      QUERY_TIMEOUT_MS: String(s.queryTimeoutSeconds * 1000),
    }),
  },
  firebolt_writer: {
    timeout: Duration.seconds(30),
    memorySize: 256,
    secret: { kind: 'credentials', template: FIREBOLT_SECRET },
    secretEnv: 'FIREBOLT_SECRET_ID',
    environment: firebolt,
  },
  gong_retrieval: {
    // Up to twenty pages at Gong's 3 requests per second, with room for a Retry-After wait.
    timeout: Duration.seconds(60),
    memorySize: 256,
    secret: {
      kind: 'credentials',
      template: {
        access_key: 'REPLACE_WITH_GONG_ACCESS_KEY',
        access_key_secret: 'REPLACE_WITH_GONG_ACCESS_KEY_SECRET',
      },
    },
    secretEnv: 'GONG_SECRET_ID',
    environment: (s) => ({ GONG_BASE_URL: s.gongBaseUrl }),
    reservedConcurrency: (s) => s.gongReservedConcurrency,
  },
  web_search: {
    timeout: Duration.seconds(30),
    memorySize: 256,
    secret: { kind: 'credentials', template: { api_key: 'REPLACE_WITH_TAVILY_API_KEY' } },
    secretEnv: 'SEARCH_SECRET_ID',
    environment: (s) => ({ SEARCH_BASE_URL: s.searchBaseUrl }),
    reservedConcurrency: (s) => s.searchReservedConcurrency,
  },
  webhook_executor: {
    // Three delivery attempts within a 20 s budget (see TOOL_RETRY_POLICY).
    timeout: Duration.seconds(30),
    memorySize: 256,
    secret: { kind: 'signing-key' },
    secretEnv: 'WEBHOOK_SIGNING_SECRET_ARN',
    environment: (s) => ({
      WEBHOOK_ALLOWED_URLS: s.webhookAllowedUrls,
      NOTIFICATION_WEBHOOK_URL: s.notificationWebhookUrl,
    }),
  },
};

export class ToolFunctions extends Construct {
  readonly byName: Record<ToolName, RevbotFunction>;
  /** Each tool's own secret, for the tools that call an external API. */
  readonly secrets: Partial<Record<ToolName, secretsmanager.Secret>>;
  readonly settings: ToolSettings;

  constructor(scope: Construct, id: string, props: ToolFunctionsProps) {
    super(scope, id);
    checkStage(this, props.stage);
    const settings = props.settings
      ? this.checkedSettings(props.settings)
      : toolSettingsFromContext(this.node);
    this.settings = settings;
    if (!settings.fireboltAccount || !settings.fireboltDatabase || !settings.fireboltEngine) {
      Annotations.of(this).addWarningV2(
        'revbot:fireboltNotConfigured',
        'Firebolt is not configured (context fireboltAccount, fireboltDatabase, fireboltEngine): the firebolt_query and firebolt_writer tools will fail at start-up until it is.',
      );
    }

    const secrets: Partial<Record<ToolName, secretsmanager.Secret>> = {};
    const entries = TOOL_NAMES.map((toolName) => {
      const tool = TOOLS[toolName];
      const spec = TOOL_SPECS[toolName];
      const secret = spec.secret
        ? this.secretFor(props.stage, tool.lambdaDir, spec.secret)
        : undefined;
      const reserved = spec.reservedConcurrency?.(settings);
      const fn = new RevbotFunction(this, tool.lambdaDir, {
        stage: props.stage,
        name: `tool-${tool.lambdaDir}`,
        entry: `tools/${tool.lambdaDir}/handler.ts`,
        description: tool.description.slice(0, 256),
        timeout: spec.timeout,
        memorySize: spec.memorySize,
        reservedConcurrentExecutions: reserved ? reserved : undefined,
        environment: {
          ...spec.environment(settings),
          ...(secret && spec.secretEnv ? { [spec.secretEnv]: secret.secretArn } : {}),
        },
      });
      if (secret) {
        secret.grantRead(fn.role);
        secrets[toolName] = secret;
      }
      return [toolName, fn] as const;
    });
    this.byName = Object.fromEntries(entries) as Record<ToolName, RevbotFunction>;
    this.secrets = secrets;
  }

  private checkedSettings(settings: ToolSettings): ToolSettings {
    const parsed = toolSettingsSchema.safeParse(settings);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const key = issue?.path.join('.') ?? '';
    throw new InvalidPropError(
      this.node.path,
      `settings.${key}`,
      issue?.message ?? 'is invalid',
      (settings as Record<string, unknown>)[key],
    );
  }

  /** A secret of this tool alone: provider credentials to fill in, or a generated signing key. */
  private secretFor(
    stage: string,
    lambdaDir: string,
    spec: NonNullable<ToolSpec['secret']>,
  ): secretsmanager.Secret {
    const credentials = spec.kind === 'credentials';
    const secret = new secretsmanager.Secret(this, `${lambdaDir}-secret`, {
      secretName: `revops-${stage}/tools/${lambdaDir}`,
      description: credentials
        ? `Credentials of RevBot's ${lambdaDir} tool (JSON keys: ${Object.keys(spec.template).join(', ')})`
        : `Standard Webhooks signing key of RevBot's ${lambdaDir} tool (whsec_ + this value)`,
      generateSecretString: credentials
        ? {
            secretStringTemplate: JSON.stringify(spec.template),
            // The generated key is overwritten by the operator; it only keeps the JSON shape valid.
            generateStringKey: 'placeholder',
            excludePunctuation: true,
          }
        : // 32 base64-alphabet characters = 24 random bytes, the Standard Webhooks minimum.
          { passwordLength: 32, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: credentials
        ? 'Third-party credentials (Firebolt service account, Gong access key, Tavily API key) are issued by those providers; they are rotated there and updated here, not by a rotation Lambda.'
        : 'Receivers verify deliveries with this key; rotating it needs coordination with every receiver, so rotation is a deliberate operator action.',
    });
    return secret;
  }
}
