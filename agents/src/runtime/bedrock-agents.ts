/**
 * The `bedrock-agents` agent runtime: InvokeAgent on the Manager agent's alias, with traces and
 * final-response streaming on, yielding the SDK's event stream unchanged.
 *
 * A resume with a person's decision is logged in `agent_action_log` first, through the writer
 * tool's `record_decision` (the portable runtime's path): Bedrock never calls a Lambda for a
 * rejected action, so without this a DENY would leave no row.
 *
 * Failures become AgentRuntimeErrors: throttling, timeouts, 5xx and concurrent use of a session
 * are retryable (the queue tries again); bad requests, missing access and unknown agents are not.
 */

import { createHash, randomUUID } from 'node:crypto';
import {
  type BedrockAgentRuntimeClient,
  InvokeAgentCommand,
  type ResponseStream,
} from '@aws-sdk/client-bedrock-agent-runtime';
import type { Logger } from '@revbot/core';
import { ACTION_GROUP_MESSAGE_VERSION } from '../action-group/action-group-event';
import { APPROVAL_ATTRIBUTES } from '../action-group/approval-attributes';
import { AgentRunCancelledError, AgentRuntimeError } from '../errors';
import type {
  AgentRuntime,
  AgentStreamEvent,
  AskInput,
  ConfirmationDecision,
} from './agent-runtime';
import { recordDecision } from './approval-gate';
import type { ToolInvoker } from './tool-invoker';

export const BEDROCK_AGENTS_RUNTIME = 'bedrock-agents';

export interface BedrockAgentsRuntimeOptions {
  client: BedrockAgentRuntimeClient;
  /** The Manager (supervisor) agent. */
  agentId: string;
  /** Its deployed alias; never the test alias in production. */
  agentAliasId: string;
  /** Makes a session id when a caller passes none (default: a random UUID). */
  newSessionId?: () => string;
  /** Longest wait for the response or the next event before giving up (default 180 s). */
  idleTimeoutMs?: number;
  /** Reaches the firebolt_writer tool, to log each decision a resume carries; unset: not logged. */
  decisionLog?: ToolInvoker;
  logger?: Logger;
}

export const DEFAULT_IDLE_TIMEOUT_MS = 180_000;

/** Bedrock's session id rule: 2-100 letters, digits, `.`, `_`, `:` or `-`. */
const SESSION_ID_PATTERN = /^[0-9a-zA-Z._:-]{2,100}$/;

/**
 * The session id Bedrock accepts for `sessionId`, the same for the same input so follow-ups
 * land in the same session: valid ids pass unchanged, others are cleaned and suffixed with a
 * hash of the original (so two different ids never collide); an empty one gets a fresh id.
 */
export function toBedrockSessionId(
  sessionId: string | undefined,
  newSessionId: () => string = randomUUID,
): string {
  const id = sessionId?.trim() ?? '';
  if (id === '') return newSessionId();
  if (SESSION_ID_PATTERN.test(id)) return id;
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 16);
  const cleaned = id.replace(/[^0-9a-zA-Z._:-]+/g, '-').slice(0, 83);
  return `${cleaned}-${hash}`;
}

export class BedrockAgentsRuntime implements AgentRuntime {
  readonly name = BEDROCK_AGENTS_RUNTIME;

  constructor(private readonly options: BedrockAgentsRuntimeOptions) {}

  ask(input: AskInput): AsyncIterable<AgentStreamEvent> {
    return this.stream(input);
  }

  private async *stream(input: AskInput): AsyncGenerator<AgentStreamEvent> {
    const { client, agentId, agentAliasId, newSessionId } = this.options;
    const idleMs = this.options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    // Ours to cancel the call: on silence, or when the caller stops reading early.
    const cancel = new AbortController();
    const abortSignal = input.signal
      ? AbortSignal.any([input.signal, cancel.signal])
      : cancel.signal;
    const within = <T>(step: Promise<T>) => withinIdleTimeout(step, idleMs, () => cancel.abort());

    const sessionId = toBedrockSessionId(input.sessionId, newSessionId);
    if (input.confirmation && this.options.decisionLog) {
      const sessionState = confirmationState(input.confirmation, input.sessionAttributes);
      await recordDecision(
        this.options.decisionLog,
        {
          messageVersion: ACTION_GROUP_MESSAGE_VERSION,
          // The agent that asked, by its Bedrock id: the runtime does not know agents' names.
          agent: {
            name: input.confirmation.agentId ?? agentId,
            id: input.confirmation.agentId ?? agentId,
            alias: agentAliasId,
            version: 'unknown',
          },
          actionGroup: input.confirmation.actionGroup,
          function: input.confirmation.function,
          parameters: input.confirmation.parameters ?? [],
          sessionId,
          sessionAttributes: sessionState.sessionAttributes,
          promptSessionAttributes: {},
          inputText: '',
        },
        input.confirmation,
        this.options.logger,
        input.confirmation.parameters !== undefined,
      );
    }
    const command = new InvokeAgentCommand({
      agentId,
      agentAliasId,
      sessionId,
      // With returnControlInvocationResults InvokeAgent ignores inputText.
      inputText: input.confirmation ? undefined : input.question,
      enableTrace: true,
      streamingConfigurations: { streamFinalResponse: true },
      sessionState: input.confirmation
        ? confirmationState(input.confirmation, input.sessionAttributes)
        : input.sessionAttributes
          ? { sessionAttributes: input.sessionAttributes }
          : undefined,
    });

    let completion: AsyncIterable<ResponseStream> | undefined;
    try {
      ({ completion } = await within(client.send(command, { abortSignal })));
    } catch (error) {
      if (input.signal?.aborted) throw new AgentRunCancelledError({ cause: error });
      throw toAgentRuntimeError(error);
    }
    if (!completion) {
      throw new AgentRuntimeError('InvokeAgent returned no event stream', 'EMPTY_STREAM', true);
    }

    const events = completion[Symbol.asyncIterator]();
    let answered = false;
    let finished = false;
    try {
      while (true) {
        const next = await within(events.next());
        // A cancelled HTTP/2 stream can end quietly: the answer may be cut short.
        if (input.signal?.aborted) throw new AgentRunCancelledError();
        if (next.done) break;
        const event = next.value;
        if (event.chunk) {
          answered = true;
          yield { chunk: event.chunk };
        } else if (event.trace) yield { trace: event.trace };
        else if (event.returnControl) {
          answered = true;
          yield { returnControl: event.returnControl };
        } else if (event.files) {
          // Code interpreter output: RevBot's agents have no code interpreter.
        } else throw streamedException(event);
      }
      finished = true;
    } catch (error) {
      if (input.signal?.aborted && !(error instanceof AgentRuntimeError)) {
        throw new AgentRunCancelledError({ cause: error });
      }
      throw toAgentRuntimeError(error, { midStream: true });
    } finally {
      if (!finished) cancel.abort();
    }
    // Every complete InvokeAgent stream carries the answer (or a request to return control).
    if (!answered) {
      throw new AgentRuntimeError(
        'InvokeAgent event stream ended without an answer',
        'STREAM_INCOMPLETE',
        true,
      );
    }
  }
}

/**
 * The resume after a user confirmation: the invocation answered, CONFIRM or DENY for its
 * function (Bedrock then runs the action group's Lambda, or not), and who decided in the session
 * attributes the Lambda receives.
 */
function confirmationState(decision: ConfirmationDecision, attributes?: Record<string, string>) {
  return {
    invocationId: decision.invocationId,
    returnControlInvocationResults: [
      {
        functionResult: {
          actionGroup: decision.actionGroup,
          function: decision.function,
          confirmationState: decision.confirmationState,
          ...(decision.agentId ? { agentId: decision.agentId } : {}),
        },
      },
    ],
    sessionAttributes: {
      ...attributes,
      [APPROVAL_ATTRIBUTES.decision]:
        decision.confirmationState === 'CONFIRM' ? 'approved' : 'rejected',
      [APPROVAL_ATTRIBUTES.decidedBy]: decision.decidedBy,
      [APPROVAL_ATTRIBUTES.decidedAt]: decision.decidedAt,
    },
  };
}

/** Rejects with a retryable TIMEOUT if `step` takes longer than `ms`, after calling `onTimeout`. */
async function withinIdleTimeout<T>(
  step: Promise<T>,
  ms: number,
  onTimeout: () => void,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new AgentRuntimeError(`InvokeAgent sent nothing for ${ms} ms`, 'TIMEOUT', true));
    }, ms);
  });
  try {
    return await Promise.race([step, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A modeled exception delivered as an event (`{ throttlingException: {...} }`). */
function streamedException(event: ResponseStream): AgentRuntimeError {
  const [member, value] = Object.entries(event).find(([, v]) => v !== undefined) ?? [];
  const name = member ? member.charAt(0).toUpperCase() + member.slice(1) : 'UnknownEvent';
  const message = (value as { message?: string } | undefined)?.message ?? 'no message';
  return describe(name, message, undefined);
}

/** Exceptions worth another attempt: the service or the network will likely recover. */
const RETRYABLE_EXCEPTIONS = new Set([
  'ThrottlingException',
  'ServiceQuotaExceededException',
  'InternalServerException',
  'BadGatewayException',
  'ModelNotReadyException',
  // Another request is still running in the same session (e.g. a second question in a thread).
  'ConflictException',
  'ServiceUnavailableException',
]);

const NETWORK_ERRORS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
]);

type ErrorLike = {
  name?: string;
  message?: string;
  code?: string;
  cause?: unknown;
  $fault?: string;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: number };
};

/** A failure of the connection itself: refused, reset, an HTTP/2 stream or session torn down. */
const networkCode = (e: ErrorLike): string | undefined => {
  for (let current: ErrorLike | undefined = e; current; current = current.cause as ErrorLike) {
    if (current.code && (NETWORK_ERRORS.has(current.code) || current.code.startsWith('ERR_HTTP2_')))
      return current.code;
    if (current.cause === current) break;
  }
  return undefined;
};

/**
 * Maps anything InvokeAgent or its stream throws to an AgentRuntimeError. `midStream`: the
 * error broke an event stream that had started, so anything but a modeled service exception
 * is an interrupted connection, worth another attempt.
 */
export function toAgentRuntimeError(
  error: unknown,
  options: { midStream?: boolean } = {},
): AgentRuntimeError {
  if (error instanceof AgentRuntimeError) return error;
  const e = (error ?? {}) as ErrorLike;
  const name = e.name ?? 'Error';
  const message = e.message || 'no message';

  if (name === 'AbortError' || name === 'TimeoutError' || e.code === 'ETIMEDOUT') {
    return new AgentRuntimeError(
      `InvokeAgent did not finish in time (${name}): ${message}`,
      'TIMEOUT',
      true,
      { cause: error },
    );
  }
  const network = networkCode(e);
  if (network) {
    return new AgentRuntimeError(
      `InvokeAgent network error (${network}): ${message}`,
      'NETWORK_ERROR',
      true,
      { cause: error },
    );
  }
  const modeled = e.$metadata !== undefined || e.$fault !== undefined;
  if (options.midStream && !modeled) {
    return new AgentRuntimeError(
      `InvokeAgent event stream was interrupted (${name}): ${message}`,
      'STREAM_INTERRUPTED',
      true,
      { cause: error },
    );
  }
  return describe(name, message, error, e.$metadata?.httpStatusCode, e.$fault, e.$retryable);
}

function describe(
  name: string,
  message: string,
  cause: unknown,
  status?: number,
  fault?: string,
  sdkRetryable?: unknown,
): AgentRuntimeError {
  const retryable =
    RETRYABLE_EXCEPTIONS.has(name) ||
    status === 429 ||
    (status !== undefined && status >= 500) ||
    fault === 'server' ||
    Boolean(sdkRetryable);
  const what = retryable ? 'failed, will retry' : 'failed';
  const shown = status ? `${name}, HTTP ${status}` : name;
  return new AgentRuntimeError(`InvokeAgent ${what} (${shown}): ${message}`, name, retryable, {
    cause,
  });
}
