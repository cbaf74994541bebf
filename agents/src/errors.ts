/**
 * Errors of the agents package, all under `@revbot/core`'s RevbotError: `retryable` tells a queue
 * processor whether asking again can help.
 */
import { RevbotError } from '@revbot/core';
import type { AgentProblem } from './loader';

/** The agent definitions under `agents/` break a rule of the loader or of Bedrock. */
export class AgentDefinitionError extends RevbotError {
  constructor(readonly problems: AgentProblem[]) {
    super(
      `Invalid agent definitions (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems
        .map((p) => `- ${p.agent}: ${p.field}: ${p.message}`)
        .join('\n')}`,
      { code: 'INVALID_AGENT_DEFINITIONS' },
    );
    this.name = 'AgentDefinitionError';
  }
}

/** A runtime failure; `retryable` tells a queue processor whether to retry the question. */
export class AgentRuntimeError extends RevbotError {
  constructor(message: string, code: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, { code, retryable, cause: options?.cause });
    this.name = 'AgentRuntimeError';
  }
}

/**
 * The run was cancelled by its caller's AbortSignal (Stop button, shutdown). Its code stays
 * `TIMEOUT`, retryable, as a cancelled InvokeAgent reads, so queue processors treat both alike.
 */
export class AgentRunCancelledError extends AgentRuntimeError {
  constructor(options?: { cause?: unknown }) {
    super('The question was cancelled by its caller', 'TIMEOUT', true, options);
    this.name = 'AgentRunCancelledError';
  }
}

/**
 * A model provider failure. `retryable`: worth another attempt of the whole question
 * (throttling, 5xx, a dropped stream); otherwise the request itself is wrong (bad model id, no
 * access).
 */
export class ModelProviderError extends RevbotError {
  constructor(message: string, code: string, retryable: boolean, options?: { cause?: unknown }) {
    super(message, { code, retryable, cause: options?.cause });
    this.name = 'ModelProviderError';
  }
}

/** The tool gave no usable answer (crashed, unreachable, malformed): reported to the model. */
export class ToolInvocationError extends RevbotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { code: 'TOOL_INVOCATION_FAILED', cause: options?.cause });
    this.name = 'ToolInvocationError';
  }
}
