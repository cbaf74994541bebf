/**
 * @revbot/agents/runtime: the agent runtime and every implementation. `createAgentRuntime` picks
 * one from the environment (Bedrock Agents, or RevBot's own orchestrator on Converse, an
 * OpenAI-compatible API or the offline model); the pieces are exported for the local stack,
 * tests and benchmarks that assemble a runtime themselves. The interface every runtime
 * implements (`AgentRuntime`, `AgentStreamEvent`) is part of `@revbot/agents` itself.
 */

export { OfflineProvider } from '../offline/offline-provider';
export {
  bundledAgentDefinitionsFile,
  runtimeAgents,
  writeBundledAgentDefinitions,
} from './agent-definitions';
export {
  APPROVAL_ATTRIBUTES,
  DEFAULT_APPROVAL_TIMEOUT_SECONDS,
  DENIED_RESULT,
} from './approval-gate';
export { BedrockAgentsRuntime, toAgentRuntimeError, toBedrockSessionId } from './bedrock-agents';
export {
  AGENT_RUNTIME_KINDS,
  type AgentRuntimeDeps,
  type AgentRuntimeKind,
  bedrockAgentsEnvSchema,
  createAgentRuntime,
} from './create-agent-runtime';
export type {
  ContentBlock,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  StopReason,
} from './model-provider';
export {
  DEFAULT_LIMITS,
  Orchestrator,
  type OrchestratorOptions,
  type RuntimeLimits,
} from './orchestrator';
export {
  DynamoPausedRunStore,
  InMemoryPausedRunStore,
  type PausedRun,
  type PausedRunStore,
  type PendingAction,
} from './paused-run-store';
export { createPortableRuntime, type PortableRuntimeDeps } from './portable-runtime';
export { ConverseProvider } from './providers/converse';
export { OpenAIProvider } from './providers/openai';
export {
  type ConversationTurn,
  DynamoSessionStore,
  InMemorySessionStore,
  type SessionStore,
} from './session-store';
export {
  type InProcessTool,
  InProcessToolInvoker,
  LambdaToolInvoker,
  type ToolInvoker,
} from './tool-invoker';
export { markUntrusted, neutralizeMarkers, UNTRUSTED_TAG, unmarkUntrusted } from './untrusted-data';
