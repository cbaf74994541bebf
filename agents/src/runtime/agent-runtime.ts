/**
 * The one agent runtime interface both processors code against.
 *
 * Whatever runs the agents (Bedrock InvokeAgent, RevBot's own orchestrator on Converse, an
 * OpenAI-compatible model or the offline model) yields the InvokeAgent response stream format,
 * so Slack progress updates and the monitoring package read a single event shape.
 */
import type {
  PayloadPart,
  ReturnControlPayload,
  TracePart,
} from '@aws-sdk/client-bedrock-agent-runtime';

/** One event of an InvokeAgent response stream, as the AWS SDK yields it. */
export type AgentStreamEvent =
  | { trace: TracePart; chunk?: never; returnControl?: never }
  | { chunk: PayloadPart; trace?: never; returnControl?: never }
  | { returnControl: ReturnControlPayload; trace?: never; chunk?: never };

export interface AskInput {
  /** The user's question, already cleaned of channel syntax (mentions, markup). */
  question: string;
  /** Stable per conversation: a Slack thread or a webhook session. Never empty. */
  sessionId: string;
  /** Attributes the tools receive as `sessionAttributes` (e.g. channel, user, tracking id). */
  sessionAttributes?: Record<string, string>;
  /**
   * Cancels the run (Stop, deadline or shutdown): the model and tool calls in flight are aborted
   * and the stream ends with an `AgentRunCancelledError` (code `TIMEOUT`, retryable).
   */
  signal?: AbortSignal;
  /**
   * A person's decision on the action a `returnControl` event asked about: the run resumes from
   * where it paused (`question` is then ignored, as InvokeAgent ignores `inputText`).
   */
  confirmation?: ConfirmationDecision;
}

/** The answer to a `returnControl` confirmation, as InvokeAgent's `returnControlInvocationResults` carry it. */
export interface ConfirmationDecision {
  /** The `invocationId` of the returnControl event. */
  invocationId: string;
  /** The function it named (`functionInvocationInput`). */
  actionGroup: string;
  function: string;
  /** The agent it came from (a collaborator's id when a collaborator asked). */
  agentId?: string;
  confirmationState: 'CONFIRM' | 'DENY';
  /** Who decided and when (ISO 8601), for the action log and the conversation record. */
  decidedBy: string;
  decidedAt: string;
  /**
   * The action's parameters as the pause showed them, for the decision's row in the action log
   * on Bedrock Agents (whose resume does not carry them); the portable runtime keeps its own.
   */
  parameters?: { name: string; type: string; value: string }[];
}

export interface AgentRuntime {
  /** Which implementation answers, for logs and start-up output. */
  readonly name: string;
  /**
   * The run's events as they happen: each step's traces, and the answer as `chunk`s (many, while
   * it is written, when the model streams), whose text joined is the final answer.
   */
  ask(input: AskInput): AsyncIterable<AgentStreamEvent>;
}
