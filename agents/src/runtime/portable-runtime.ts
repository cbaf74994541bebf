/**
 * Builds RevBot's own orchestrator for `AGENT_RUNTIME=converse|openai|offline` from the
 * environment (the variables are documented in `index.ts`) and injected clients: which model
 * provider, where the tools run (`lambda:Invoke` of the tool Lambdas, or in process), which
 * knowledge base (Bedrock Retrieve, or the local full-text search) and where sessions live
 * (DynamoDB, or in memory).
 */

import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import {
  ConfigError,
  type Logger,
  parseEnv,
  type SecretReader,
  logger as sharedLogger,
} from '@revbot/core';
import { z } from 'zod';
import {
  BedrockKnowledgeBase,
  type KnowledgeBase,
  LocalKnowledgeBase,
} from '../knowledge-base/knowledge-base';
import type { AgentSet } from '../loader';
import { loadEntityNames } from '../offline/entity-names';
import { OFFLINE_MODEL_ID, OFFLINE_PROVIDER, OfflineProvider } from '../offline/offline-provider';
import { approvalPolicy, parseActionsWithoutApproval } from '../tools/approval-policy';
import { runtimeAgents } from './agent-definitions';
import { DEFAULT_APPROVAL_TIMEOUT_SECONDS } from './approval-gate';
import type { ModelProvider } from './model-provider';
import {
  DEFAULT_LIMITS,
  type ModelSelection,
  Orchestrator,
  type RuntimeLimits,
} from './orchestrator';
import {
  DynamoPausedRunStore,
  InMemoryPausedRunStore,
  type PausedRunStore,
} from './paused-run-store';
import { CONVERSE_PROVIDER, ConverseProvider } from './providers/converse';
import { OPENAI_PROVIDER, OpenAIProvider } from './providers/openai';
import { DynamoSessionStore, InMemorySessionStore, type SessionStore } from './session-store';
import {
  type InProcessTool,
  InProcessToolInvoker,
  LambdaToolInvoker,
  type ToolInvoker,
} from './tool-invoker';
import { type ArnContext, LOCAL_ARN_CONTEXT } from './trace-events';

export const PORTABLE_RUNTIMES = [CONVERSE_PROVIDER, OPENAI_PROVIDER, OFFLINE_PROVIDER] as const;
export type PortableRuntimeKind = (typeof PORTABLE_RUNTIMES)[number];

/** What the portable runtime may be given instead of building it (local stack, tests). */
export interface PortableRuntimeDeps {
  bedrockRuntime?: BedrockRuntimeClient;
  bedrockAgentRuntime?: BedrockAgentRuntimeClient;
  lambda?: LambdaClient;
  dynamodb?: DynamoDBClient;
  /** Reads `OPENAI_API_KEY_SECRET_ID`. */
  secrets?: SecretReader;
  /** Tools run in process (the local stack's) when `AGENT_TOOL_FUNCTIONS` is not set. */
  tools?: ToolInvoker | Readonly<Record<string, InProcessTool | undefined>>;
  knowledgeBase?: KnowledgeBase;
  sessions?: SessionStore;
  /** Where runs wait for approval when `AGENT_SESSION_TABLE` is not set (default: in memory). */
  pausedRuns?: PausedRunStore;
  agents?: AgentSet;
  fetch?: typeof fetch;
  clock?: () => number;
  logger?: Logger;
}

type Env = Record<string, string | undefined>;

const LAMBDA_ARN =
  /^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$/;
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,140}$/;

const toolFunctionsSchema = z.string().transform((text, ctx) => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object of tool name to Lambda ARN' });
    return z.NEVER;
  }
  const parsed = z
    .record(
      z.string().min(1),
      z.string().refine((fn) => LAMBDA_ARN.test(fn) || FUNCTION_NAME.test(fn), {
        message: 'must be a Lambda function ARN or name',
      }),
    )
    .safeParse(value);
  if (!parsed.success) {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object of tool name to Lambda ARN' });
    return z.NEVER;
  }
  return parsed.data;
});

const int = (min: number, max: number, fallback: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const portableEnvSchema = z.object({
  AWS_REGION: z.string().min(1).optional(),
  REVBOT_STAGE: z.string().min(1).default('local'),
  AGENT_TOOL_FUNCTIONS: toolFunctionsSchema.optional(),
  KNOWLEDGE_BASE_ID: z
    .string()
    .regex(/^[0-9a-zA-Z]{10}$/, 'must be a Bedrock knowledge base id (10 letters or digits)')
    .optional(),
  KNOWLEDGE_BASE_DIR: z.string().min(1).optional(),
  AGENT_SESSION_TABLE: z.string().min(3).max(255).optional(),
  AGENTS_DIR: z.string().min(1).optional(),
  AGENT_MAX_STEPS: int(1, 50, DEFAULT_LIMITS.maxStepsPerAgent),
  AGENT_DEADLINE_MS: int(5_000, 900_000, DEFAULT_LIMITS.deadlineMs),
  AGENT_MAX_TOKENS: int(256, 64_000, DEFAULT_LIMITS.maxTokensPerResponse),
  AGENT_TOKEN_BUDGET: int(1_000, 10_000_000, DEFAULT_LIMITS.tokenBudget),
  AGENT_TEMPERATURE: z.coerce.number().min(0).max(1).default(DEFAULT_LIMITS.temperature),
  /** Converse prompt-cache points after each agent's system prompt and tools (`false` turns off). */
  AGENT_PROMPT_CACHING: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** Actions that run without a person's approval (`approval-policy.ts`); default none. */
  AGENT_ACTIONS_WITHOUT_APPROVAL: z.string().optional(),
  /** How long a run waiting for approval can be resumed. */
  APPROVAL_TIMEOUT_SECONDS: int(60, 7 * 86_400, DEFAULT_APPROVAL_TIMEOUT_SECONDS),
});

export const converseEnvSchema = z.object({
  AGENT_MODEL_ID: z
    .string()
    .regex(/^[a-z-]+\.[a-z0-9-]+\.[a-zA-Z0-9.:-]+$|^arn:aws[a-z-]*:bedrock:/, {
      message: 'must be a Bedrock inference profile id or ARN, e.g. us.anthropic.claude-sonnet-4-6',
    }),
});

export const openAIEnvSchema = z.object({
  OPENAI_BASE_URL: z.url().default('https://api.openai.com/v1'),
  OPENAI_MODEL: z.string().min(1),
  /** For local model servers that need no key, leave both key variables unset. */
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_API_KEY_SECRET_ID: z.string().min(1).optional(),
});

export const offlineEnvSchema = z.object({
  OFFLINE_TODAY: z.iso.date('must be a date like 2026-11-23').optional(),
});

export function createPortableRuntime(
  kind: PortableRuntimeKind,
  env: Env,
  deps: PortableRuntimeDeps = {},
): Orchestrator {
  const config = parseEnv(portableEnvSchema, env);
  const agents = deps.agents ?? runtimeAgents(config.AGENTS_DIR);
  const region = config.AWS_REGION;
  const tools = toolInvoker(config, deps);
  const limits: RuntimeLimits = {
    ...DEFAULT_LIMITS,
    maxStepsPerAgent: config.AGENT_MAX_STEPS,
    deadlineMs: config.AGENT_DEADLINE_MS,
    maxTokensPerResponse: config.AGENT_MAX_TOKENS,
    tokenBudget: config.AGENT_TOKEN_BUDGET,
    temperature: config.AGENT_TEMPERATURE,
  };

  let provider: ModelProvider;
  let models: Partial<ModelSelection> | undefined;
  switch (kind) {
    case 'converse': {
      const { AGENT_MODEL_ID } = parseEnv(converseEnvSchema, env);
      provider = new ConverseProvider(deps.bedrockRuntime ?? new BedrockRuntimeClient({ region }), {
        promptCaching: config.AGENT_PROMPT_CACHING,
      });
      // The configured profile replaces the entry agent's model; other models keep their own.
      const entryModel = agents.entry.model.key;
      models = {
        modelId: (agent) =>
          agent.model.key === entryModel ? AGENT_MODEL_ID : agent.model.inferenceProfileId,
      };
      break;
    }
    case 'openai': {
      const openai = parseEnv(openAIEnvSchema, env);
      if (openai.OPENAI_API_KEY_SECRET_ID && !deps.secrets) {
        throw new ConfigError(
          'Invalid configuration: OPENAI_API_KEY_SECRET_ID: set, but no secret reader was given',
        );
      }
      const secretId = openai.OPENAI_API_KEY_SECRET_ID;
      provider = new OpenAIProvider({
        baseUrl: openai.OPENAI_BASE_URL,
        apiKey: secretId ? () => deps.secrets!.read(secretId) : openai.OPENAI_API_KEY,
        fetch: deps.fetch,
      });
      models = { modelId: () => openai.OPENAI_MODEL, foundationModel: () => openai.OPENAI_MODEL };
      break;
    }
    case 'offline': {
      const offline = parseEnv(offlineEnvSchema, env);
      provider = new OfflineProvider({
        today: offline.OFFLINE_TODAY,
        clock: deps.clock,
        entities: () => loadEntityNames(tools),
      });
      models = { modelId: () => OFFLINE_MODEL_ID, foundationModel: () => OFFLINE_MODEL_ID };
      break;
    }
  }

  return new Orchestrator({
    name: kind,
    agents,
    provider,
    tools,
    knowledgeBase: knowledgeBase(config, deps, region),
    sessions: sessionStore(config, deps, region),
    approvals: approvalPolicy(parseActionsWithoutApproval(config.AGENT_ACTIONS_WITHOUT_APPROVAL)),
    pausedRuns: pausedRunStore(config, deps, region),
    approvalTimeoutSeconds: config.APPROVAL_TIMEOUT_SECONDS,
    limits,
    models,
    arn: arnContext(config),
    stage: config.REVBOT_STAGE,
    clock: deps.clock,
    logger: deps.logger ?? sharedLogger,
  });
}

type PortableConfig = z.infer<typeof portableEnvSchema>;

function toolInvoker(config: PortableConfig, deps: PortableRuntimeDeps): ToolInvoker {
  if (config.AGENT_TOOL_FUNCTIONS) {
    return new LambdaToolInvoker({
      client: deps.lambda ?? new LambdaClient({ region: config.AWS_REGION }),
      functions: config.AGENT_TOOL_FUNCTIONS,
    });
  }
  if (deps.tools) {
    return isInvoker(deps.tools) ? deps.tools : new InProcessToolInvoker(deps.tools);
  }
  throw new ConfigError(
    'Invalid configuration: AGENT_TOOL_FUNCTIONS: required (a JSON object of tool name to Lambda ARN) unless the tools run in process',
  );
}

export const isInvoker = (tools: PortableRuntimeDeps['tools']): tools is ToolInvoker =>
  typeof (tools as ToolInvoker).invoke === 'function' &&
  Array.isArray((tools as ToolInvoker).actionGroups);

function knowledgeBase(
  config: PortableConfig,
  deps: PortableRuntimeDeps,
  region: string | undefined,
): KnowledgeBase {
  if (config.KNOWLEDGE_BASE_ID) {
    return new BedrockKnowledgeBase({
      client: deps.bedrockAgentRuntime ?? new BedrockAgentRuntimeClient({ region }),
      knowledgeBaseId: config.KNOWLEDGE_BASE_ID,
    });
  }
  return deps.knowledgeBase ?? new LocalKnowledgeBase({ dir: config.KNOWLEDGE_BASE_DIR });
}

function sessionStore(
  config: PortableConfig,
  deps: PortableRuntimeDeps,
  region: string | undefined,
): SessionStore {
  if (config.AGENT_SESSION_TABLE) {
    return new DynamoSessionStore({
      client: deps.dynamodb ?? new DynamoDBClient({ region }),
      tableName: config.AGENT_SESSION_TABLE,
      clock: deps.clock,
    });
  }
  return deps.sessions ?? new InMemorySessionStore({ clock: deps.clock });
}

function pausedRunStore(
  config: PortableConfig,
  deps: PortableRuntimeDeps,
  region: string | undefined,
): PausedRunStore {
  if (config.AGENT_SESSION_TABLE) {
    return new DynamoPausedRunStore({
      client: deps.dynamodb ?? new DynamoDBClient({ region }),
      tableName: config.AGENT_SESSION_TABLE,
      clock: deps.clock,
    });
  }
  return deps.pausedRuns ?? new InMemoryPausedRunStore(deps.clock);
}

/** Alias ARNs in traces use the account and region of the tool Lambdas when known. */
function arnContext(config: PortableConfig): ArnContext {
  for (const fn of Object.values(config.AGENT_TOOL_FUNCTIONS ?? {})) {
    const match = LAMBDA_ARN.exec(fn);
    if (match) return { partition: match[1], region: match[2]!, account: match[3]! };
  }
  return { ...LOCAL_ARN_CONTEXT, region: config.AWS_REGION ?? LOCAL_ARN_CONTEXT.region };
}
