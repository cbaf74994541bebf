/**
 * Creates the agent runtime a processor asks, from its environment (set by the agents stack's
 * `runtimeEnvironment`) and injected clients. One switch on `AGENT_RUNTIME`; each runtime reads
 * and validates its own variables, so a misconfigured processor stops at start-up with one line.
 *
 * - `bedrock-agents`: InvokeAgent on the Manager alias (`MANAGER_AGENT_ID`, `MANAGER_AGENT_ALIAS_ID`;
 *   optional `AWS_REGION`, `AGENT_IDLE_TIMEOUT_MS`). `AGENT_DECISION_LOG_FUNCTION` (the
 *   firebolt_writer Lambda's ARN): each approval decision a resume carries is logged through it;
 *   unset, through the in-process tools when given (`deps.tools`), else not logged.
 * - `converse`, `openai`, `offline`: RevBot's own orchestrator (`orchestrator.ts`) running the
 *   agents of `agents/` with a model provider:
 *   - `converse`: Bedrock ConverseStream. `AGENT_MODEL_ID` (required): the inference profile the
 *     entry agent's model runs on, e.g. `us.anthropic.claude-sonnet-4-6`.
 *   - `openai`: any OpenAI-compatible chat completions API. `OPENAI_MODEL` (required);
 *     `OPENAI_BASE_URL` (default `https://api.openai.com/v1`); the key from `OPENAI_API_KEY` or
 *     from the Secrets Manager secret `OPENAI_API_KEY_SECRET_ID` (neither for a local server).
 *   - `offline`: the deterministic offline model, no network (see `providers/offline.ts`).
 *     `OFFLINE_TODAY` (optional, YYYY-MM-DD): the date "this quarter" is counted from.
 *   Shared by the three:
 *   - `AGENT_TOOL_FUNCTIONS`: JSON object of tool name → Lambda ARN; tools are then invoked with
 *     `lambda:Invoke`. Unset: the tools run in process (`deps.tools`, the local stack's).
 *   - `KNOWLEDGE_BASE_ID`: the Bedrock knowledge base, searched with `Retrieve`. Unset: a local
 *     full-text search over `KNOWLEDGE_BASE_DIR` (default: the repository's `knowledge_base/`).
 *   - `AGENT_SESSION_TABLE`: the DynamoDB table of conversation history. Unset: in memory.
 *   - `AGENTS_DIR`: read the agent definitions from this folder (default: the repository's
 *     `agents/`, or the copy bundled with the code in a Lambda).
 *   - Bounds: `AGENT_MAX_STEPS` (model calls per agent run, default 10), `AGENT_DEADLINE_MS`
 *     (whole question, default 240000), `AGENT_MAX_TOKENS` (per response, default 4096),
 *     `AGENT_TOKEN_BUDGET` (all model calls of a question, default 400000), `AGENT_TEMPERATURE`
 *     (default 0).
 *   - `AGENT_PROMPT_CACHING` (`converse`, default `true`): prompt-cache points after each agent's
 *     system prompt and tool definitions, on models that support caching.
 *   - `AWS_REGION`; `REVBOT_STAGE` (agent names in action-group events, default `local`).
 */
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { parseEnv } from '@revbot/core';
import { z } from 'zod';
import type { AgentRuntime } from './agent-runtime';
import {
  BEDROCK_AGENTS_RUNTIME,
  BedrockAgentsRuntime,
  DEFAULT_IDLE_TIMEOUT_MS,
} from './bedrock-agents';
import {
  createPortableRuntime,
  isInvoker,
  PORTABLE_RUNTIMES,
  type PortableRuntimeDeps,
} from './portable-runtime';
import { InProcessToolInvoker, LambdaToolInvoker, type ToolInvoker } from './tool-invoker';

export const AGENT_RUNTIME_KINDS = [BEDROCK_AGENTS_RUNTIME, ...PORTABLE_RUNTIMES] as const;
export type AgentRuntimeKind = (typeof AGENT_RUNTIME_KINDS)[number];

/** Clients and hooks a runtime may be given instead of building its own (tests, local stack). */
export interface AgentRuntimeDeps extends PortableRuntimeDeps {
  bedrockAgentRuntime?: BedrockAgentRuntimeClient;
  newSessionId?: () => string;
}

type Env = Record<string, string | undefined>;

const runtimeKindSchema = z.object({
  AGENT_RUNTIME: z.enum(AGENT_RUNTIME_KINDS).default(BEDROCK_AGENTS_RUNTIME),
});

const bedrockId = (what: string) =>
  z.string().regex(/^[0-9a-zA-Z]{10}$/, `must be a Bedrock ${what} id (10 letters or digits)`);

export const bedrockAgentsEnvSchema = z.object({
  MANAGER_AGENT_ID: bedrockId('agent'),
  MANAGER_AGENT_ALIAS_ID: bedrockId('agent alias'),
  AWS_REGION: z.string().min(1).optional(),
  /** Longest silence from InvokeAgent before the call is abandoned (and retried). */
  AGENT_IDLE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1_000)
    .max(900_000)
    .default(DEFAULT_IDLE_TIMEOUT_MS),
  AGENT_DECISION_LOG_FUNCTION: z.string().min(1).optional(),
});

/** Builds one runtime per container; call it outside the handler. */
export function createAgentRuntime(
  env: Env = process.env,
  deps: AgentRuntimeDeps = {},
): AgentRuntime {
  const { AGENT_RUNTIME } = parseEnv(runtimeKindSchema, env);
  switch (AGENT_RUNTIME) {
    case 'bedrock-agents':
      return createBedrockAgentsRuntime(env, deps);
    default:
      return createPortableRuntime(AGENT_RUNTIME, env, deps);
  }
}

function createBedrockAgentsRuntime(env: Env, deps: AgentRuntimeDeps): BedrockAgentsRuntime {
  const config = parseEnv(bedrockAgentsEnvSchema, env);
  const client =
    deps.bedrockAgentRuntime ??
    new BedrockAgentRuntimeClient({
      region: config.AWS_REGION,
      // The client's HTTP/2 handler, one session per event stream; its own stream timeout is a
      // backstop behind the runtime's idle timeout, which also catches a stream ended early.
      requestHandler: {
        requestTimeout: config.AGENT_IDLE_TIMEOUT_MS + 30_000,
        disableConcurrentStreams: true,
      },
    });
  return new BedrockAgentsRuntime({
    client,
    agentId: config.MANAGER_AGENT_ID,
    agentAliasId: config.MANAGER_AGENT_ALIAS_ID,
    newSessionId: deps.newSessionId,
    idleTimeoutMs: config.AGENT_IDLE_TIMEOUT_MS,
    decisionLog: decisionLog(config, deps),
    logger: deps.logger,
  });
}

/** Where a Bedrock Agents resume logs its decision: the writer's Lambda, or the local tools. */
function decisionLog(
  config: z.infer<typeof bedrockAgentsEnvSchema>,
  deps: AgentRuntimeDeps,
): ToolInvoker | undefined {
  if (config.AGENT_DECISION_LOG_FUNCTION) {
    return new LambdaToolInvoker({
      client: deps.lambda ?? new LambdaClient({ region: config.AWS_REGION }),
      functions: { firebolt_writer: config.AGENT_DECISION_LOG_FUNCTION },
    });
  }
  if (!deps.tools) return undefined;
  return isInvoker(deps.tools) ? deps.tools : new InProcessToolInvoker(deps.tools);
}
