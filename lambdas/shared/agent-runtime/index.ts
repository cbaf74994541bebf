/**
 * Creates the agent runtime a processor asks, from its environment (set by the agents stack's
 * `runtimeEnvironment`) and injected clients. One switch on `AGENT_RUNTIME`; each runtime reads
 * and validates its own variables, so a misconfigured processor stops at start-up with one line.
 *
 * - `bedrock-agents`: InvokeAgent on the Manager alias (`MANAGER_AGENT_ID`, `MANAGER_AGENT_ALIAS_ID`;
 *   optional `AWS_REGION`, `AGENT_IDLE_TIMEOUT_MS`).
 * - `converse`: RevBot's own orchestrator on Bedrock Converse (`AGENT_MODEL_ID`,
 *   `AGENT_TOOL_FUNCTIONS`, `KNOWLEDGE_BASE_ID`, `AGENT_SESSION_TABLE`) — provided by the
 *   portable runtime, registered below when it lands.
 */
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import type { AgentRuntime } from '@revbot/agents';
import { z } from 'zod';
import { parseEnv } from '../env';
import { ConfigError } from '../errors';
import {
  BEDROCK_AGENTS_RUNTIME,
  BedrockAgentsRuntime,
  DEFAULT_IDLE_TIMEOUT_MS,
} from './bedrock-agents';

export { BedrockAgentsRuntime, toAgentRuntimeError, toBedrockSessionId } from './bedrock-agents';

export const AGENT_RUNTIME_KINDS = [BEDROCK_AGENTS_RUNTIME, 'converse'] as const;
export type AgentRuntimeKind = (typeof AGENT_RUNTIME_KINDS)[number];

/** Clients and hooks a runtime may be given instead of building its own (tests, local stack). */
export interface AgentRuntimeDeps {
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
    case 'converse':
      // Seam for the portable runtime: it registers its factory here.
      throw new ConfigError(
        'Invalid configuration: AGENT_RUNTIME: "converse" needs the portable agent runtime, which this build does not include',
      );
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
  });
}
