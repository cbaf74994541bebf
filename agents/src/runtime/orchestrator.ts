/**
 * RevBot's own supervisor orchestrator: runs the agents defined in `agents/` the way Bedrock's
 * multi-agent collaboration does, on any model provider, and streams the InvokeAgent events.
 *
 * - The entry agent (the Manager) sees each collaborator as a tool
 *   (`AgentCommunication__<name>`, described by its collaboration instructions), its own action
 *   groups (`<action group>__<function>`) and the knowledge base
 *   (`GET__x_amz_knowledgebase_<id>__Search`), as Bedrock names them.
 * - A collaborator call runs that agent's own tool loop with its own instructions, action groups
 *   and knowledge base, under its own session id and a callerChain one level deeper. With
 *   `relayConversationHistory` it sees the user's conversation so far; otherwise its own past
 *   exchanges in this session.
 * - Action groups are invoked with exactly Bedrock's action-group event; a tool's error, REPROMPT
 *   or FAILURE goes back to the model as an error tool result, never ends the run.
 * - Bounded: model steps per agent run, a deadline for the whole question, a token budget and a
 *   per-response token limit. Hitting one ends with a clear partial answer.
 */

import { createHash, randomUUID } from 'node:crypto';
import type { RetrievedReference } from '@aws-sdk/client-bedrock-agent-runtime';
import type { Logger } from '@revbot/core';
import { buildFunctionEvent } from '../action-group/action-group-event';
import { readActionGroupResponse } from '../action-group/action-group-response';
import {
  agentDeniedMessage,
  DENIED_AGENTS_ATTRIBUTE,
  isAgentDenied,
} from '../action-group/agent-access';
import {
  AgentRunCancelledError,
  AgentRuntimeError,
  ModelProviderError,
  ToolInvocationError,
} from '../errors';

import type { KnowledgeBase } from '../knowledge-base/knowledge-base';
import type { AgentDefinition, AgentSet, CollaboratorDefinition } from '../loader';
import type { ToolFunction, ToolName } from '../tools';
import { ALL_ACTIONS_NEED_APPROVAL, type ApprovalPolicy } from '../tools/approval-policy';
import type {
  AgentRuntime,
  AgentStreamEvent,
  AskInput,
  ConfirmationDecision,
} from './agent-runtime';
import { AnswerStream, rationaleOf, withoutThinking } from './answer-stream';
import {
  APPROVAL_ATTRIBUTES,
  ApprovalRequired,
  DEFAULT_APPROVAL_TIMEOUT_SECONDS,
  DENIED_RESULT,
  decisionNote,
  recordDecision,
  returnControlEvent,
} from './approval-gate';
import { toBedrockSessionId } from './bedrock-agents';
import {
  type ModelMessage,
  type ModelProvider,
  type ModelResponse,
  type ModelTool,
  type ToolInputSchema,
  type ToolResultBlock,
  type ToolUseBlock,
  textOf,
  toolUsesOf,
  totalTokensOf,
} from './model-provider';
import { InMemoryPausedRunStore, type PausedFrame, type PausedRunStore } from './paused-run-store';
import { ROUTING_MAX_TOKENS, routingDecision, routingRequest } from './routing-classifier';
import type { ConversationTurn, SessionStore } from './session-store';
import type { ToolInvoker } from './tool-invoker';
import {
  type AgentIdentity,
  type ArnContext,
  agentIdentity,
  chunkEvent,
  LOCAL_ARN_CONTEXT,
  type TraceScope,
  TraceWriter,
} from './trace-events';
import { markUntrusted, neutralizeMarkers } from './untrusted-data';

export interface RuntimeLimits {
  /** Model calls one agent may make in one run (Bedrock's orchestration iterations). */
  maxStepsPerAgent: number;
  /** Time for the whole question, collaborators included, in milliseconds. */
  deadlineMs: number;
  /** `maxTokens` of each model response. */
  maxTokensPerResponse: number;
  /** Input plus output tokens across every model call of one question. */
  tokenBudget: number;
  /** Past turns given to an agent (its own, or the relayed conversation). */
  maxHistoryTurns: number;
  temperature: number;
}

export const DEFAULT_LIMITS: RuntimeLimits = {
  maxStepsPerAgent: 10,
  // Inside the Slack processor's 300 s timeout, with room to post the answer.
  deadlineMs: 240_000,
  maxTokensPerResponse: 4_096,
  tokenBudget: 400_000,
  maxHistoryTurns: 10,
  temperature: 0,
};

export interface ModelSelection {
  /** Model id sent to the provider (default: the agent's inference profile). */
  modelId(agent: AgentDefinition): string;
  /** Model named in traces as `foundationModel` (default: the agent's foundation model). */
  foundationModel(agent: AgentDefinition): string;
}

export interface OrchestratorOptions {
  agents: AgentSet;
  provider: ModelProvider;
  tools: ToolInvoker;
  sessions: SessionStore;
  /** Needed when an agent uses the knowledge base; without it the lookup tool is not offered. */
  knowledgeBase?: KnowledgeBase;
  limits?: Partial<RuntimeLimits>;
  models?: Partial<ModelSelection>;
  /** Account and region of the alias ARNs in traces (default: a local placeholder). */
  arn?: ArnContext;
  /** Deployment stage: agents are named `revops-<stage>-<agent>` in action-group events. */
  stage?: string;
  /** Runtime name for logs (default: the provider's). */
  name?: string;
  clock?: () => number;
  newId?: () => string;
  logger?: Logger;
  /** Which actions wait for a person's approval (default: every action). */
  approvals?: ApprovalPolicy;
  /** Where paused runs wait for the decision (default: in memory, this process only). */
  pausedRuns?: PausedRunStore;
  /** How long a paused run can be resumed (default a day). */
  approvalTimeoutSeconds?: number;
}

export const COLLABORATOR_TOOL_PREFIX = 'AgentCommunication__';
const TOOL_NAME_MAX = 64;

/** The tool a supervisor calls a collaborator through. */
export function collaboratorToolName(collaborator: Pick<CollaboratorDefinition, 'name'>): string {
  const name = `${COLLABORATOR_TOOL_PREFIX}${collaborator.name}`;
  if (name.length <= TOOL_NAME_MAX) return name;
  const hash = createHash('sha256').update(collaborator.name).digest('hex').slice(0, 8);
  return `${name.slice(0, TOOL_NAME_MAX - 9)}_${hash}`;
}

/** Bedrock's name for an action-group function in the model's tool list. */
export const actionGroupToolName = (actionGroup: string, fn: string): string =>
  `${actionGroup}__${fn}`;

/** Bedrock's name for the knowledge-base search tool. */
export const knowledgeBaseToolName = (knowledgeBaseId: string): string =>
  `GET__x_amz_knowledgebase_${knowledgeBaseId}__Search`;

/** A collaborator's session: its own id, stable for the same conversation (UUID format). */
export function collaboratorSessionId(sessionId: string, agentKey: string): string {
  const hex = createHash('sha256').update(`${sessionId}\u0000${agentKey}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

type Bound = 'steps' | 'deadline' | 'tokens';

/** The shared limits of one question: deadline timer, token count, cancellation. */
class QuestionBudget {
  readonly signal: AbortSignal;
  private readonly deadline = new AbortController();
  /** Aborted when the run ends, however it ends: no model or tool call outlives it. */
  private readonly ended = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout>;
  readonly deadlineAt: number;
  tokensUsed = 0;

  constructor(
    readonly limits: RuntimeLimits,
    private readonly clock: () => number,
    readonly callerSignal: AbortSignal | undefined,
  ) {
    this.deadlineAt = clock() + limits.deadlineMs;
    this.timer = setTimeout(() => this.deadline.abort(), limits.deadlineMs);
    this.signal = AbortSignal.any(
      callerSignal
        ? [callerSignal, this.deadline.signal, this.ended.signal]
        : [this.deadline.signal, this.ended.signal],
    );
  }

  get cancelledByCaller(): boolean {
    return this.callerSignal?.aborted ?? false;
  }

  /** The bound a run has hit before its next model call, if any. */
  exceeded(stepsTaken: number): Bound | undefined {
    if (this.deadline.signal.aborted || this.clock() >= this.deadlineAt) return 'deadline';
    if (this.tokensUsed >= this.limits.tokenBudget) return 'tokens';
    if (stepsTaken >= this.limits.maxStepsPerAgent) return 'steps';
    return undefined;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.ended.abort();
  }
}

interface RunContext {
  budget: QuestionBudget;
  /** The user's conversation so far (the entry agent's history), for relayed collaborators. */
  conversation: ConversationTurn[];
  question: string;
  sessionAttributes: Record<string, string>;
  promptSessionAttributes: Record<string, string>;
  /** When resuming a paused run: the decision, and the frames below the entry agent's. */
  resume?: { decision: ConfirmationDecision; toolUseId: string; frames: PausedFrame[] };
}

interface AgentRun {
  agent: AgentDefinition;
  identity: AgentIdentity;
  scope: TraceScope;
  message: string;
  history: ConversationTurn[];
  /** Set on the run whose answer is the final answer: its text streams to the caller. */
  answer?: AnswerStream;
  /** The run's request id, when its caller already chose it (router fallback). */
  requestId?: string;
  /** Continue this paused run instead of starting afresh. */
  resume?: PausedFrame;
}

export interface AgentRunResult {
  text: string;
  /** The run's request id: the prefix of its traceIds and its caller's `clientRequestId`. */
  requestId: string;
  /** Set when a bound ended the run early. */
  bound?: Bound;
}

/** What a run did, for a partial answer: collaborator replies and the tools it ran. */
interface RunNotes {
  findings: string[];
  steps: string[];
  lastRationale?: string;
}

/** What a tool name offered to the model runs. */
type ToolTarget =
  | { kind: 'action-group'; tool: ToolName; fn: ToolFunction }
  | { kind: 'collaborator'; collaborator: CollaboratorDefinition }
  | { kind: 'knowledge-base' };

export class Orchestrator implements AgentRuntime {
  readonly name: string;
  private readonly limits: RuntimeLimits;
  private readonly clock: () => number;
  private readonly newId: () => string;
  private readonly identities = new Map<string, AgentIdentity>();
  private readonly models: ModelSelection;
  private readonly approvals: ApprovalPolicy;
  private readonly pausedRuns: PausedRunStore;

  constructor(private readonly options: OrchestratorOptions) {
    this.approvals = options.approvals ?? ALL_ACTIONS_NEED_APPROVAL;
    this.pausedRuns = options.pausedRuns ?? new InMemoryPausedRunStore(options.clock);
    this.name = options.name ?? options.provider.name;
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.clock = options.clock ?? Date.now;
    this.newId = options.newId ?? randomUUID;
    this.models = {
      modelId: options.models?.modelId ?? ((agent) => agent.model.inferenceProfileId),
      foundationModel:
        options.models?.foundationModel ?? ((agent) => agent.model.foundationModelId),
    };
    for (const agent of options.agents.agents) {
      this.identities.set(agent.key, agentIdentity(agent.key, options.arn ?? LOCAL_ARN_CONTEXT));
    }
  }

  /** The ids each agent's traces carry, by agent id → display name (for the monitoring recorder). */
  agentNames(): Record<string, string> {
    const names: Record<string, string> = {};
    for (const agent of this.options.agents.agents) {
      names[this.identity(agent.key).agentId] = agent.displayName;
    }
    return names;
  }

  identity(agentKey: string): AgentIdentity {
    const identity = this.identities.get(agentKey);
    if (!identity) throw new Error(`Unknown agent "${agentKey}"`);
    return identity;
  }

  ask(input: AskInput): AsyncIterable<AgentStreamEvent> {
    return this.answer(input);
  }

  private async *answer(input: AskInput): AsyncGenerator<AgentStreamEvent> {
    if (input.confirmation) return yield* this.resume(input, input.confirmation);
    const question = input.question?.trim() ?? '';
    if (question === '') {
      throw new AgentRuntimeError('The question is empty', 'INVALID_INPUT', false);
    }
    const sessionId = toBedrockSessionId(input.sessionId, this.newId);
    const entry = this.options.agents.entry;
    const budget = new QuestionBudget(this.limits, this.clock, input.signal);
    try {
      const conversation = await this.options.sessions.load(sessionId, entry.key);
      const context: RunContext = {
        budget,
        conversation,
        question,
        sessionAttributes: { ...input.sessionAttributes },
        promptSessionAttributes: {},
      };
      yield* this.runEntry(context, sessionId);
    } finally {
      budget.dispose();
    }
  }

  /** The entry agent's run (fresh or resumed): ends with the answer, or paused for approval. */
  private async *runEntry(
    context: RunContext,
    sessionId: string,
    resume?: PausedFrame,
  ): AsyncGenerator<AgentStreamEvent> {
    const entry = this.options.agents.entry;
    const answer = new AnswerStream();
    let result: AgentRunResult;
    try {
      if (resume && resume.agentKey !== entry.key) {
        // Paused inside the collaborator a router chose: its answer is the final answer.
        const child = this.options.agents.get(resume.agentKey);
        result = yield* this.runAgent(context, this.resumedRun(child, resume, answer));
        if (!result.bound)
          await this.remember(resume.sessionId, child, resume.message, result.text);
      } else {
        const identity = this.identity(entry.key);
        const run: AgentRun = {
          agent: entry,
          identity,
          scope: { identity, sessionId, callerChain: [identity.agentAliasArn] },
          message: context.question,
          history: context.conversation,
          answer,
          resume,
        };
        result =
          entry.collaboration === 'SUPERVISOR_ROUTER' && !resume
            ? yield* this.routeThenRun(context, run)
            : yield* this.runAgent(context, run);
      }
    } catch (error) {
      if (!(error instanceof ApprovalRequired)) throw error;
      yield await this.pause(context, sessionId, error);
      return;
    }
    // Saved before the rest of the answer goes out, so a reader that stops there loses no turn.
    await this.remember(sessionId, entry, context.question, result.text);
    const rest = answer.rest(result.text);
    if (rest) yield chunkEvent(rest);
  }

  /** A paused collaborator run, continued where it stopped. */
  private resumedRun(agent: AgentDefinition, frame: PausedFrame, answer: AnswerStream): AgentRun {
    const identity = this.identity(agent.key);
    return {
      agent,
      identity,
      scope: {
        identity,
        sessionId: frame.sessionId,
        callerChain: frame.callerChain,
        collaboratorName: frame.collaboratorName,
      },
      message: frame.message,
      history: [],
      answer,
      resume: frame,
    };
  }

  /** Saves the paused run and returns the returnControl event that asks for the decision. */
  private async pause(
    context: RunContext,
    sessionId: string,
    paused: ApprovalRequired,
  ): Promise<AgentStreamEvent> {
    const now = this.clock();
    const ttl = this.options.approvalTimeoutSeconds ?? DEFAULT_APPROVAL_TIMEOUT_SECONDS;
    const run = {
      invocationId: this.newId(),
      sessionId,
      question: context.question,
      sessionAttributes: context.sessionAttributes,
      promptSessionAttributes: context.promptSessionAttributes,
      frames: paused.frames,
      pending: paused.pending,
      pausedAt: new Date(now).toISOString(),
      expiresAt: now + ttl * 1000,
    };
    await this.pausedRuns.save(run);
    return returnControlEvent(run);
  }

  /** Continues a paused run with the person's decision; a run is resumed at most once. */
  private async *resume(
    input: AskInput,
    decision: ConfirmationDecision,
  ): AsyncGenerator<AgentStreamEvent> {
    const sessionId = toBedrockSessionId(input.sessionId, this.newId);
    const run = await this.pausedRuns.take(sessionId, decision.invocationId);
    if (
      !run ||
      run.pending.actionGroup !== decision.actionGroup ||
      run.pending.function !== decision.function
    ) {
      throw new AgentRuntimeError(
        'No action is waiting for this decision: it was already decided, it expired, or it names another action',
        'APPROVAL_NOT_PENDING',
        false,
      );
    }
    const [entryFrame, ...frames] = run.frames;
    const budget = new QuestionBudget(this.limits, this.clock, input.signal);
    try {
      const context: RunContext = {
        budget,
        conversation: await this.options.sessions.load(sessionId, this.options.agents.entry.key),
        question: run.question,
        sessionAttributes: { ...run.sessionAttributes },
        promptSessionAttributes: { ...run.promptSessionAttributes },
        resume: { decision, toolUseId: run.pending.toolUseId, frames },
      };
      yield* this.runEntry(context, sessionId, entryFrame);
    } finally {
      budget.dispose();
    }
  }

  private async remember(
    sessionId: string,
    agent: AgentDefinition,
    user: string,
    assistant: string,
  ): Promise<void> {
    try {
      await this.options.sessions.append(
        sessionId,
        agent.key,
        { user, assistant, at: new Date(this.clock()).toISOString() },
        agent.idleSessionTtlSeconds,
      );
    } catch (error) {
      // The answer still goes out; a lost turn only costs a follow-up its context.
      this.options.logger?.warn('conversation history not saved', {
        sessionId,
        agent: agent.key,
        error: (error as Error).message,
      });
    }
  }

  /**
   * SUPERVISOR_ROUTER: one routing decision, then the chosen collaborator answers the user
   * directly (its answer is the final answer, streamed as it comes); when the classifier is
   * unsure, the supervisor runs as a SUPERVISOR under the same request id, as Bedrock does.
   */
  private async *routeThenRun(
    context: RunContext,
    run: AgentRun,
  ): AsyncGenerator<AgentStreamEvent, AgentRunResult> {
    const { agent } = run;
    const { budget } = context;
    const requestId = this.newId();
    const traceId = `${requestId}-routing-0`;
    const writer = new TraceWriter(run.scope, this.clock, 'routingClassifierTrace');
    const started = this.clock();
    const { system, messages } = routingRequest(
      agent.collaborators,
      run.history.slice(-this.limits.maxHistoryTurns),
      run.message,
    );
    const maxTokens = Math.min(ROUTING_MAX_TOKENS, this.limits.maxTokensPerResponse);
    yield writer.modelInvocationInput({
      traceId,
      text: JSON.stringify({ system, messages }),
      foundationModel: this.models.foundationModel(agent),
      maximumLength: maxTokens,
      temperature: 0,
    });
    let response: ModelResponse;
    try {
      response = await this.options.provider.complete({
        agent: { key: agent.key, name: agent.displayName },
        modelId: this.models.modelId(agent),
        system,
        messages,
        tools: [],
        inference: { maxTokens, temperature: 0 },
        signal: budget.signal,
        purpose: 'routing',
      });
    } catch (error) {
      if (budget.cancelledByCaller) throw cancelled(error);
      if (budget.exceeded(0) === 'deadline') return yield* this.runAgent(context, run);
      const failure = toRuntimeError(error);
      yield writer.failure(traceId, failure.message, { startMs: started, endMs: this.clock() });
      throw failure;
    }
    budget.tokensUsed += response.usage.inputTokens + response.usage.outputTokens;
    yield writer.modelInvocationOutput({
      traceId,
      raw: response.raw,
      timing: { startMs: started, endMs: this.clock() },
      usage: response.usage,
      clientRequestId: response.requestId ?? this.newId(),
    });
    const chosen = routingDecision(textOf(response.content), agent.collaborators);
    if (!chosen) return yield* this.runAgent(context, { ...run, requestId });

    // A collaborator the asker may not use is no answer: the supervisor runs and says so.
    if (isAgentDenied(context.sessionAttributes, chosen.agentKey)) {
      return yield* this.runAgent(context, { ...run, requestId });
    }
    const reply = yield* this.callCollaborator(context, run, writer, traceId, chosen, run.message, {
      collaboratorName: chosen.name,
      answer: run.answer,
    });
    yield writer.finish(traceId, reply.text, { startMs: started, endMs: this.clock() });
    return { text: reply.text, requestId, bound: reply.bound };
  }

  /**
   * One call of a collaborator, as the supervisor's tool or the router's choice: its input and
   * output traces around its run, and its turn remembered in its own session.
   */
  private async *callCollaborator(
    context: RunContext,
    run: AgentRun,
    writer: TraceWriter,
    traceId: string,
    collaborator: Pick<CollaboratorDefinition, 'agentKey' | 'name' | 'relayConversationHistory'>,
    message: string,
    options: { collaboratorName: string; answer?: AnswerStream; resumeFrom?: boolean },
  ): AsyncGenerator<AgentStreamEvent, AgentRunResult> {
    const child = this.options.agents.get(collaborator.agentKey);
    const identity = this.identity(child.key);
    const recipient = { name: collaborator.name, aliasArn: identity.agentAliasArn };
    yield writer.collaboratorInput(traceId, recipient, message);
    const started = this.clock();
    const sessionId = collaboratorSessionId(run.scope.sessionId, child.key);
    const history = collaborator.relayConversationHistory
      ? context.conversation
      : await this.options.sessions.load(sessionId, child.key);
    const reply = yield* this.runAgent(context, {
      agent: child,
      identity,
      scope: {
        identity,
        sessionId,
        callerChain: [...run.scope.callerChain, identity.agentAliasArn],
        collaboratorName: options.collaboratorName,
      },
      message,
      history,
      ...(options.answer ? { answer: options.answer } : {}),
      ...(options.resumeFrom ? { resume: resumedFrame(context, child.key, sessionId) } : {}),
    });
    yield writer.collaboratorOutput(
      traceId,
      recipient,
      reply.text,
      { startMs: started, endMs: this.clock() },
      reply.requestId,
    );
    if (!reply.bound) await this.remember(sessionId, child, message, reply.text);
    return reply;
  }

  /** One agent's tool-use loop; yields its traces (and its collaborators'), returns its answer. */
  private async *runAgent(
    context: RunContext,
    run: AgentRun,
  ): AsyncGenerator<AgentStreamEvent, AgentRunResult> {
    const { agent, resume, answer: stream } = run;
    const { budget } = context;
    const requestId = resume?.requestId ?? run.requestId ?? this.newId();
    const writer = new TraceWriter(run.scope, this.clock);
    const started = this.clock();
    const { tools, targets } = this.toolsFor(agent);
    const system = this.systemPrompt(agent);
    const messages: ModelMessage[] = resume?.messages ?? [
      ...historyMessages(run.history.slice(-this.limits.maxHistoryTurns)),
      { role: 'user', content: [{ type: 'text', text: run.message }] },
    ];
    const notes: RunNotes = resume?.notes ?? { findings: [], steps: [] };
    const modelId = this.models.modelId(agent);
    const tooling = { context, run, writer, targets, notes, requestId, messages };
    if (resume) {
      // Finish the tool round that paused, then go on with the next model step.
      messages.push({
        role: 'user',
        content: yield* this.runTools(tooling, resume.step, resume.uses, resume.results),
      });
    }

    for (let step = resume ? resume.step + 1 : 0; ; step++) {
      const traceId = `${requestId}-${step}`;
      if (budget.cancelledByCaller) throw cancelled();
      stream?.beginTurn();
      const bound = budget.exceeded(step);
      if (bound) {
        if (budget.cancelledByCaller) throw cancelled();
        const partial = this.partialAnswer(agent, bound, notes);
        const text = stream ? stream.compose(partial) : partial;
        yield writer.finish(traceId, text, { startMs: started, endMs: this.clock() });
        return { text, requestId, bound };
      }

      yield writer.modelInvocationInput({
        traceId,
        text: JSON.stringify({ system, messages, tools }),
        foundationModel: this.models.foundationModel(agent),
        maximumLength: this.limits.maxTokensPerResponse,
        temperature: this.limits.temperature,
      });
      const callStarted = this.clock();
      let response: ModelResponse;
      try {
        const call = this.options.provider.complete({
          agent: { key: agent.key, name: agent.displayName },
          modelId,
          system,
          messages,
          tools,
          inference: {
            maxTokens: this.limits.maxTokensPerResponse,
            temperature: this.limits.temperature,
          },
          signal: budget.signal,
          ...(stream
            ? {
                onTextDelta: (delta: string) => stream.text(delta),
                onToolUseStart: () => stream.toolUse(),
              }
            : {}),
        });
        response = stream ? yield* stream.during(call, budget.signal, cancelled) : await call;
      } catch (error) {
        if (budget.cancelledByCaller) throw cancelled(error);
        if (budget.exceeded(0) === 'deadline') continue; // ends the run with a partial answer
        const failure = toRuntimeError(error);
        yield writer.failure(traceId, failure.message, {
          startMs: callStarted,
          endMs: this.clock(),
        });
        throw failure;
      }
      budget.tokensUsed += totalTokensOf(response.usage);
      yield writer.modelInvocationOutput({
        traceId,
        raw: response.raw,
        timing: { startMs: callStarted, endMs: this.clock() },
        usage: response.usage,
        clientRequestId: response.requestId ?? this.newId(),
      });

      const text = textOf(response.content);
      const uses = toolUsesOf(response.content);
      if (uses.length === 0) {
        const said = withoutThinking(text);
        const answer = finalText(
          stream ? stream.compose(said) : said,
          response,
          this.limits.maxTokensPerResponse,
        );
        yield writer.finish(traceId, answer, { startMs: started, endMs: this.clock() });
        return { text: answer, requestId };
      }
      stream?.toolUse();
      const rationale = rationaleOf(text);
      if (rationale) {
        notes.lastRationale = rationale;
        yield writer.rationale(traceId, rationale);
      }
      messages.push({ role: 'assistant', content: response.content });
      messages.push({ role: 'user', content: yield* this.runTools(tooling, step, uses, []) });
    }
  }

  /**
   * Runs one model step's tool uses after those already `done`. A use that waits for approval
   * unwinds with ApprovalRequired, to which this agent adds its frame.
   */
  private async *runTools(
    tooling: {
      context: RunContext;
      run: AgentRun;
      writer: TraceWriter;
      targets: ReadonlyMap<string, ToolTarget>;
      notes: RunNotes;
      requestId: string;
      messages: ModelMessage[];
    },
    step: number,
    uses: ToolUseBlock[],
    done: ToolResultBlock[],
  ): AsyncGenerator<AgentStreamEvent, ToolResultBlock[]> {
    const { context, run, writer, targets, notes, requestId, messages } = tooling;
    const traceId = `${requestId}-${step}`;
    const results = [...done];
    for (const use of uses.slice(done.length)) {
      try {
        results.push(yield* this.runTool(context, run, writer, traceId, use, targets, notes));
      } catch (error) {
        if (error instanceof ApprovalRequired) {
          error.frames.unshift({
            agentKey: run.agent.key,
            sessionId: run.scope.sessionId,
            callerChain: run.scope.callerChain,
            collaboratorName: run.scope.collaboratorName,
            requestId,
            step,
            message: run.message,
            messages: structuredClone(messages),
            uses,
            results: [...results],
            notes: structuredClone(notes),
          });
        }
        throw error;
      }
    }
    return results;
  }

  private async *runTool(
    context: RunContext,
    run: AgentRun,
    writer: TraceWriter,
    traceId: string,
    use: ToolUseBlock,
    targets: ReadonlyMap<string, ToolTarget>,
    notes: RunNotes,
  ): AsyncGenerator<AgentStreamEvent, ToolResultBlock> {
    const target = targets.get(use.name);
    const result = (content: string, status: ToolResultBlock['status'] = 'success') =>
      ({ type: 'toolResult', toolUseId: use.toolUseId, content, status }) as const;
    if (!target) {
      return result(
        `There is no tool named ${use.name}. Use one of: ${[...targets.keys()].join(', ')}.`,
        'error',
      );
    }
    if (context.budget.exceeded(0) === 'deadline') {
      if (context.budget.cancelledByCaller) throw cancelled();
      return result('Not run: the time limit for this question was reached.', 'error');
    }

    if (target.kind === 'collaborator') {
      const { collaborator } = target;
      const content = stringInput(use.input.content);
      if (!content) {
        return result('content is required: the full message for the collaborator.', 'error');
      }
      const child = this.options.agents.get(collaborator.agentKey);
      // Refused before it runs: the channel's access policy denies this agent to the asker.
      if (isAgentDenied(context.sessionAttributes, child.key)) {
        notes.steps.push(`${collaborator.name} (not allowed)`);
        return result(agentDeniedMessage(collaborator.name), 'error');
      }
      const reply = yield* this.callCollaborator(
        context,
        run,
        writer,
        traceId,
        collaborator,
        content,
        {
          collaboratorName: run.scope.collaboratorName ?? collaborator.name,
          resumeFrom: true,
        },
      );
      notes.findings.push(reply.text);
      notes.steps.push(`${collaborator.name}${reply.bound ? ' (incomplete)' : ''}`);
      // The reply is the collaborator's own work, not marked as data (a Bedrock supervisor sees
      // it unmarked too), but it may quote tool data: it cannot open or close a marker.
      return result(neutralizeMarkers(reply.text));
    }

    if (target.kind === 'knowledge-base') {
      const knowledgeBase = this.options.knowledgeBase!;
      const query = stringInput(use.input.searchQuery);
      if (!query) return result('searchQuery is required: what to look up.', 'error');
      yield writer.knowledgeBaseInput(traceId, knowledgeBase.id, query);
      const started = this.clock();
      let references: RetrievedReference[] = [];
      let failure: string | undefined;
      try {
        references = await knowledgeBase.retrieve(query, { signal: context.budget.signal });
      } catch (error) {
        failure = `The knowledge base could not be searched (${(error as Error).name}). Answer without it and say so.`;
      }
      yield writer.knowledgeBaseOutput(
        traceId,
        references,
        { startMs: started, endMs: this.clock() },
        this.newId(),
      );
      notes.steps.push(`knowledge base search${failure ? ' (failed)' : ''}`);
      return failure ? result(failure, 'error') : result(formatReferences(references));
    }

    const parameters = toEventParameters(use.input, target.fn);
    const event = buildFunctionEvent({
      tool: target.tool,
      function: target.fn.name,
      parameters,
      agent: {
        name: agentName(this.options.stage, run.agent.key),
        id: run.identity.agentId,
        alias: run.identity.agentAliasId,
        version: run.identity.agentVersion,
      },
      sessionId: run.scope.sessionId,
      inputText: context.question,
      sessionAttributes: context.sessionAttributes,
      promptSessionAttributes: context.promptSessionAttributes,
    });
    const decision = this.approvalGate(context, run, target, use, event.parameters);
    // The decision goes to this call only, never into the session's attributes.
    if (decision) {
      event.sessionAttributes = { ...event.sessionAttributes, ...decisionAttributes(decision) };
      await recordDecision(this.options.tools, event, decision, this.options.logger);
    }
    yield writer.actionGroupInput(traceId, {
      actionGroupName: event.actionGroup,
      function: event.function,
      parameters: event.parameters,
    });
    const started = this.clock();
    let body: string;
    let failed: boolean;
    if (decision?.confirmationState === 'DENY') {
      yield writer.actionGroupOutput(
        traceId,
        `${decisionNote(decision)} Not run.`,
        { startMs: started, endMs: this.clock() },
        this.newId(),
      );
      notes.steps.push(`${event.actionGroup}.${event.function} (rejected)`);
      return result(DENIED_RESULT, 'error');
    }
    try {
      const response = await this.options.tools.invoke(event, context.budget.signal);
      const read = readActionGroupResponse(response);
      body = read.body;
      failed = read.responseState !== undefined;
      // Tools may update the session's attributes, as they can with Bedrock (not the access policy).
      if (response.sessionAttributes) {
        const { [DENIED_AGENTS_ATTRIBUTE]: _policy, ...updates } = response.sessionAttributes;
        Object.assign(context.sessionAttributes, updates);
      }
      if (response.promptSessionAttributes) {
        Object.assign(context.promptSessionAttributes, response.promptSessionAttributes);
      }
    } catch (error) {
      if (context.budget.cancelledByCaller) throw cancelled(error);
      body =
        error instanceof ToolInvocationError
          ? `${error.message}. Try again once if it may be temporary; otherwise answer without it and say what is missing.`
          : `The ${event.actionGroup} tool failed unexpectedly. Answer without it and say what is missing.`;
      failed = true;
    }
    yield writer.actionGroupOutput(
      traceId,
      decision ? `${decisionNote(decision)}\n${body}` : body,
      { startMs: started, endMs: this.clock() },
      this.newId(),
    );
    notes.steps.push(`${event.actionGroup}.${event.function}${failed ? ' (failed)' : ''}`);
    // The trace keeps the tool's text; the model reads it marked as data, never instructions.
    const source = `${event.actionGroup}.${event.function}`;
    return result(markUntrusted(body, source), failed ? 'error' : 'success');
  }

  /**
   * Lets an action run only with a person's decision: returns the decision when this use is the
   * one a resume answers, throws ApprovalRequired when the action still needs one, and returns
   * undefined for calls that need none.
   */
  private approvalGate(
    context: RunContext,
    run: AgentRun,
    target: Extract<ToolTarget, { kind: 'action-group' }>,
    use: ToolUseBlock,
    parameters: { name: string; type: string; value: string }[],
  ): ConfirmationDecision | undefined {
    if (!this.approvals.requiresApproval(target.tool, target.fn.name)) return undefined;
    const resume = context.resume;
    if (resume && resume.toolUseId === use.toolUseId) {
      context.resume = undefined; // one decision answers one call
      return resume.decision;
    }
    throw new ApprovalRequired({
      toolUseId: use.toolUseId,
      agentKey: run.agent.key,
      agentId: run.identity.agentId,
      collaboratorName: run.scope.collaboratorName,
      actionGroup: target.tool,
      function: target.fn.name,
      parameters: parameters.map((p) => ({ name: p.name, type: p.type, value: p.value })),
    });
  }

  /** The tools an agent is offered, and what each name runs. */
  private toolsFor(agent: AgentDefinition) {
    const tools: ModelTool[] = [];
    const targets = new Map<string, ToolTarget>();
    for (const collaborator of agent.collaborators) {
      const name = collaboratorToolName(collaborator);
      tools.push({
        name,
        description: collaborator.instruction,
        inputSchema: {
          type: 'object',
          properties: {
            content: {
              type: 'string',
              description: collaborator.relayConversationHistory
                ? `The request for ${collaborator.name}, with every name, id, figure and period it needs. It also sees the conversation so far.`
                : `The request for ${collaborator.name}, complete on its own: it does not see this conversation, so include every name, id, figure and period it needs.`,
            },
          },
          required: ['content'],
        },
      });
      targets.set(name, { kind: 'collaborator', collaborator });
    }
    for (const group of agent.actionGroups) {
      for (const fn of group.functions) {
        const name = actionGroupToolName(group.name, fn.name);
        tools.push({ name, description: fn.description, inputSchema: inputSchemaOf(fn) });
        targets.set(name, { kind: 'action-group', tool: group.tool.name, fn });
      }
    }
    if (agent.knowledgeBase && this.options.knowledgeBase) {
      const name = knowledgeBaseToolName(this.options.knowledgeBase.id);
      tools.push({
        name,
        description: `Search the knowledge base: ${agent.knowledgeBase.description}`,
        inputSchema: {
          type: 'object',
          properties: {
            searchQuery: { type: 'string', description: 'What to look up, in a few words.' },
          },
          required: ['searchQuery'],
        },
      });
      targets.set(name, { kind: 'knowledge-base' });
    }
    return { tools, targets };
  }

  private systemPrompt(agent: AgentDefinition): string {
    const today = new Date(this.clock()).toISOString().slice(0, 10);
    const lines = [
      agent.instructions,
      '',
      '<guidelines>',
      `- Today's date is ${today}.`,
      '- Think through the request and the conversation before you act; before and after each tool call, say briefly what you are doing and why, inside <thinking></thinking> tags. Write the answer itself outside the tags.',
      '- Never assume a parameter value: take it from the request, the conversation or an earlier tool result, or ask for it.',
      '- When a tool reports an error, read it, correct the call if you can, and otherwise answer without that data and say what is missing.',
      '- When you have the answer, reply with it as plain text, without calling a tool.',
      agent.collaborators.length > 0
        ? '- Your collaborators are the AgentCommunication__ tools. They do not know about each other: you are the only intermediary. Never mention them, tools or internal steps in your answer.'
        : '- Never mention tools or internal steps in your answer.',
      '</guidelines>',
    ];
    return lines.join('\n');
  }

  private partialAnswer(agent: AgentDefinition, bound: Bound, notes: RunNotes): string {
    const reason =
      bound === 'steps'
        ? `the limit of ${this.limits.maxStepsPerAgent} steps for the ${agent.displayName} agent`
        : bound === 'deadline'
          ? `the time limit of ${seconds(this.limits.deadlineMs)} seconds for one question`
          : `the budget of ${this.limits.tokenBudget.toLocaleString('en-US')} model tokens for one question`;
    const parts = [`**Partial answer: RevBot stopped before finishing** (it reached ${reason}).`];
    const found = notes.findings.filter((text) => text.trim() !== '');
    if (found.length > 0) parts.push(`What was found so far:\n\n${found.join('\n\n')}`);
    else if (notes.lastRationale) parts.push(`Last step: ${notes.lastRationale}`);
    if (notes.steps.length > 0) parts.push(`Steps completed: ${notes.steps.join(', ')}.`);
    else parts.push('No step was completed.');
    parts.push('Ask again with a narrower question, or ask for the rest.');
    return parts.join('\n\n');
  }
}

/** The paused frame of this collaborator run, when a resume is on its way down to it. */
function resumedFrame(
  context: RunContext,
  agentKey: string,
  sessionId: string,
): PausedFrame | undefined {
  const next = context.resume?.frames[0];
  if (!next || next.agentKey !== agentKey || next.sessionId !== sessionId) return undefined;
  context.resume!.frames.shift();
  return next;
}

/** Who decided, what and when, for the tools (the action log takes it from here, not the model). */
const decisionAttributes = (decision: ConfirmationDecision): Record<string, string> => ({
  [APPROVAL_ATTRIBUTES.decision]:
    decision.confirmationState === 'CONFIRM' ? 'approved' : 'rejected',
  [APPROVAL_ATTRIBUTES.decidedBy]: decision.decidedBy,
  [APPROVAL_ATTRIBUTES.decidedAt]: decision.decidedAt,
});

/** `revops-<stage>-<agent-key-with-dashes>`, the name the agents stack gives Bedrock agents. */
function agentName(stage: string | undefined, key: string): string {
  return `revops-${stage ?? 'local'}-${key.replaceAll('_', '-')}`;
}

const seconds = (ms: number): string =>
  ms < 10_000 ? String(Number((ms / 1000).toFixed(1))) : String(Math.round(ms / 1000));

function historyMessages(turns: ConversationTurn[]): ModelMessage[] {
  return turns.flatMap((turn): ModelMessage[] => [
    { role: 'user', content: [{ type: 'text', text: turn.user }] },
    { role: 'assistant', content: [{ type: 'text', text: turn.assistant }] },
  ]);
}

function inputSchemaOf(fn: ToolFunction): ToolInputSchema {
  const properties: ToolInputSchema['properties'] = {};
  const required: string[] = [];
  for (const [name, parameter] of Object.entries(fn.parameters)) {
    properties[name] = {
      type: parameter.type,
      description: parameter.description,
      ...(parameter.type === 'array' ? { items: { type: 'string' } } : {}),
    };
    if (parameter.required) required.push(name);
  }
  return { type: 'object', properties, required };
}

/** The model's arguments as action-group parameters: declared ones only, as strings. */
function toEventParameters(
  input: Record<string, unknown>,
  fn: ToolFunction,
): Record<string, string | number | boolean | undefined> {
  const out: Record<string, string | number | boolean | undefined> = {};
  for (const name of Object.keys(fn.parameters)) {
    const value = input[name];
    if (value === undefined || value === null) continue;
    out[name] =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? value
        : JSON.stringify(value);
  }
  return out;
}

function stringInput(value: unknown): string {
  return typeof value === 'string' ? value.trim() : value == null ? '' : JSON.stringify(value);
}

function formatReferences(references: RetrievedReference[]): string {
  if (references.length === 0) return 'No passage in the knowledge base matches.';
  return references
    .map((reference, i) => {
      const source =
        (reference.metadata?.['x-amz-bedrock-kb-source-uri'] as string | undefined) ??
        reference.location?.s3Location?.uri ??
        'unknown source';
      return `<search_result index="${i + 1}" source="${source}">\n${reference.content?.text ?? ''}\n</search_result>`;
    })
    .join('\n');
}

function finalText(text: string, response: ModelResponse, maxTokens: number): string {
  const answer = text || 'I could not produce an answer to this. Please rephrase the question.';
  if (response.stopReason !== 'max_tokens') return answer;
  return `${answer}\n\n_(Cut off at the limit of ${maxTokens.toLocaleString('en-US')} tokens per response.)_`;
}

function cancelled(cause?: unknown): AgentRuntimeError {
  return new AgentRunCancelledError({ cause });
}

function toRuntimeError(error: unknown): AgentRuntimeError {
  if (error instanceof AgentRuntimeError) return error;
  if (error instanceof ModelProviderError) {
    return new AgentRuntimeError(error.message, error.code, error.retryable, { cause: error });
  }
  const name = (error as { name?: string }).name ?? 'Error';
  return new AgentRuntimeError(`The model provider failed (${name})`, 'MODEL_ERROR', true, {
    cause: error,
  });
}
