/**
 * Turns an InvokeAgent event stream into a conversation record, one event at a time, while the
 * agents run. Processors feed every event to `add`, then call `finish` for the two export files.
 *
 * Attribution: an event belongs to the agent named by `agentId` (or the last `callerChain` ARN),
 * never by `collaboratorName` (it keeps the first-level name deeper down) nor `sessionId` (each
 * collaborator runs in a session of its own). One agent run is one request id (the `traceId`
 * prefix); the parts of one step share a `traceId`.
 */
import type { AgentStreamEvent } from '@revbot/agents';
import { buildMetadata } from './conversation-metadata';
import { PromptGuard } from './prompt-guard';
import { redactRawEvents } from './raw-stream';
import { serializeConversation } from './record-serialization';
import type {
  AgentInvocation,
  Channel,
  Citation,
  CollaboratorCall,
  Conversation,
  ConversationError,
  ConversationStatus,
  GuardrailCheck,
  KnowledgeBaseLookup,
  PromptFingerprint,
  Step,
  StepNote,
  StepPhase,
  ToolCall,
} from './schema';
import { CONVERSATION_SCHEMA_VERSION } from './schema';
import {
  agentIdFromAliasArn,
  asArray,
  asBoolean,
  asNumber,
  asRecord,
  asString,
  clip,
  isoOrNull,
  type Json,
  requestIdOf,
  toMillis,
} from './trace-fields';
import {
  decodeChunkBytes,
  durationBetween,
  guardrailFindings,
  insideCleanText,
  looksLikeFailure,
  metadataTiming,
  parametersOf,
  referencesOf,
  requestBodyOf,
  routingDecision,
  spanOf,
  type Timed,
} from './trace-readers';
import type {
  ChannelContext,
  ConversationContext,
  ConversationRecord,
  RecorderOptions,
} from './types';

const DEFAULT_ROOT_AGENT_NAME = 'Manager';
const DEFAULT_MAX_TEXT_CHARS = 4_000;

const TRACE_KINDS = [
  'orchestrationTrace',
  'routingClassifierTrace',
  'preProcessingTrace',
  'postProcessingTrace',
  'guardrailTrace',
  'failureTrace',
  'customOrchestrationTrace',
] as const;
type TraceKind = (typeof TRACE_KINDS)[number];

const PART_KEYS = [
  'modelInvocationInput',
  'modelInvocationOutput',
  'rationale',
  'invocationInput',
  'observation',
] as const;
type PartKey = (typeof PART_KEYS)[number];

/** The first of `keys` that `record` holds (a loop: this runs for every event). */
function firstKey<K extends string>(record: Json, keys: readonly K[]): K | undefined {
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as K;
    if (record[key] !== undefined) return key;
  }
  return undefined;
}

/** Start/end bounds seen for a span, in epoch ms. */
class Bounds {
  min: number | null = null;
  max: number | null = null;
  see(ms: number | null): void {
    if (ms === null) return;
    if (this.min === null || ms < this.min) this.min = ms;
    if (this.max === null || ms > this.max) this.max = ms;
  }
}

interface StepState extends Timed {
  traceId: string | null;
  phase: StepPhase;
  promptType: string | null;
  model: string | null;
  prompt: PromptFingerprint | null;
  usage: { input_tokens: number; output_tokens: number } | null;
  modelCalls: number;
  rationale: string | null;
  reasoning: string | null;
  modelOutput: string | null;
  modelOutputChars: number;
  modelOutputTruncated: boolean;
  routingDecision: string | null;
  preProcessing: { is_valid: boolean | null; rationale: string | null } | null;
  postProcessingText: string | null;
  notes: StepNote[];
}

interface ToolCallState extends Timed {
  call: Omit<ToolCall, 'started_at' | 'ended_at' | 'duration_ms' | 'status'>;
  status: ToolCall['status'] | 'pending';
  inputMs: number | null;
}

interface KbState extends Timed {
  lookup: Omit<KnowledgeBaseLookup, 'started_at' | 'ended_at' | 'duration_ms' | 'status'>;
  pending: boolean;
  inputMs: number | null;
}

interface CollabState extends Timed {
  ownerIndex: number;
  traceId: string | null;
  via: CollaboratorCall['via'];
  recipient: string;
  recipientAgentId: string | null;
  recipientAliasArn: string | null;
  message: string | null;
  output: string | null;
  status: CollaboratorCall['status'] | 'pending';
  childIndex: number | null;
  inputMs: number | null;
}

interface GuardrailState extends Timed {
  check: Omit<GuardrailCheck, 'started_at' | 'ended_at' | 'duration_ms'>;
}

interface InvocationState {
  index: number;
  agentId: string;
  aliasId: string | null;
  version: string | null;
  name: string;
  sessionId: string | null;
  depth: number;
  callerIndex: number | null;
  requestIds: string[];
  finished: boolean;
  failed: boolean;
  blocked: boolean;
  bounds: Bounds;
  input: string | null;
  output: string | null;
  steps: StepState[];
  stepByTrace: Map<string, StepState>;
  toolCalls: ToolCallState[];
  kbLookups: KbState[];
  collaboratorCalls: CollabState[];
  guardrails: GuardrailState[];
}

export interface RecorderStats {
  events: number;
  traceEvents: number;
  chunkEvents: number;
  returnControlEvents: number;
  unattributedEvents: number;
  misunderstoodEvents: number;
}

function channelOf(context: ChannelContext): Channel {
  switch (context.kind) {
    case 'slack':
      return {
        kind: 'slack',
        team: context.team,
        channel: context.channel,
        thread_ts: context.thread_ts,
        user: context.user,
        event_id: context.event_id,
      };
    case 'webhook':
      return {
        kind: 'webhook',
        tracking_id: context.tracking_id,
        source_system: context.source_system,
        source_process: context.source_process ?? null,
      };
    default:
      return { kind: 'replay', source: context.source };
  }
}

export class ConversationRecorder {
  private readonly context: ConversationContext;
  private readonly options: Required<Pick<RecorderOptions, 'rootAgentName' | 'maxTextChars'>> &
    RecorderOptions;
  private readonly guard = new PromptGuard();
  private readonly flow: InvocationState[] = [];
  private readonly byAgent = new Map<string, InvocationState[]>();
  /** agent id → request id → run. */
  private readonly byRequest = new Map<string, Map<string, InvocationState>>();
  private readonly names = new Map<string, string>();
  private readonly pendingCalls: CollabState[] = [];
  private readonly errors: ConversationError[] = [];
  private readonly citations: Citation[] = [];
  private readonly rawEvents: unknown[] = [];
  private readonly promptFingerprints = new WeakMap<object, PromptFingerprint>();
  private readonly decoder = new TextDecoder('utf-8');
  private readonly streamBounds = new Bounds();
  private root: InvocationState | null = null;
  private chunkText = '';
  private chunkSeen = false;
  private firstChunkMs: number | null = null;
  private lastEventMs: number | null = null;
  private returnedControl = false;
  private streamFailed = false;
  private finished = false;
  private readonly stats: RecorderStats = {
    events: 0,
    traceEvents: 0,
    chunkEvents: 0,
    returnControlEvents: 0,
    unattributedEvents: 0,
    misunderstoodEvents: 0,
  };

  constructor(context: ConversationContext, options: RecorderOptions = {}) {
    if (typeof context.conversationId !== 'string' || context.conversationId.trim() === '') {
      throw new TypeError('ConversationRecorder needs a non-empty conversationId');
    }
    this.context = context;
    this.options = {
      ...options,
      rootAgentName: options.rootAgentName ?? DEFAULT_ROOT_AGENT_NAME,
      maxTextChars: options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS,
    };
    for (const [id, name] of Object.entries(options.agentNames ?? {})) this.names.set(id, name);
    this.guard.allow(context.userQuery);
  }

  /** Agent id → name as learned so far (for progress hints at any depth). */
  get agentNames(): ReadonlyMap<string, string> {
    return this.names;
  }

  /** Feeds one stream event. Never throws: odd events are recorded as errors. */
  add(event: AgentStreamEvent | unknown): void {
    if (this.finished) return;
    this.stats.events++;
    if (this.options.keepRawEvents) this.rawEvents.push(event);
    try {
      this.dispatch(event);
    } catch (error) {
      // Defensive: a shape no reader anticipated must not lose the rest of the conversation.
      this.misunderstood(
        'malformed_event',
        `event ${this.stats.events} could not be read: ${String(error)}`,
      );
    }
  }

  /** Records why the stream ended early (the runtime threw); the record stays exportable. */
  recordFailure(error: unknown): void {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.streamFailed = true;
    this.errors.push({
      kind: 'stream_error',
      message: message.split('\n')[0] ?? message,
      agent_index: null,
      trace_id: null,
      at: isoOrNull(this.lastEventMs),
    });
  }

  private misunderstood(
    kind: ConversationError['kind'],
    message: string,
    traceId: string | null = null,
  ): void {
    this.stats.misunderstoodEvents++;
    this.errors.push({
      kind,
      message,
      agent_index: null,
      trace_id: traceId,
      at: isoOrNull(this.lastEventMs),
    });
  }

  private dispatch(event: unknown): void {
    const e = asRecord(event);
    if (!e) {
      this.misunderstood('malformed_event', `event ${this.stats.events} is not an object`);
      return;
    }
    if (e.trace !== undefined) {
      this.stats.traceEvents++;
      const trace = asRecord(e.trace);
      if (trace) this.onTrace(trace);
      else
        this.misunderstood('malformed_event', `event ${this.stats.events}: trace is not an object`);
    } else if (e.chunk !== undefined) {
      this.stats.chunkEvents++;
      this.onChunk(asRecord(e.chunk));
    } else if (e.returnControl !== undefined) {
      this.stats.returnControlEvents++;
      this.onReturnControl(asRecord(e.returnControl));
    } else {
      const exception = Object.keys(e).find((key) => key.endsWith('Exception'));
      if (exception) {
        this.streamFailed = true;
        const message = asString(asRecord(e[exception])?.message);
        this.errors.push({
          kind: 'stream_error',
          message: message ? `${exception}: ${message}` : exception,
          agent_index: null,
          trace_id: null,
          at: isoOrNull(this.lastEventMs),
        });
      } else if (e.files === undefined) {
        this.misunderstood(
          'malformed_event',
          `event ${this.stats.events} has none of trace, chunk or returnControl`,
        );
      }
    }
  }

  // ── traces ────────────────────────────────────────────────────────────────────────────────

  private onTrace(part: Json): void {
    const eventMs = toMillis(part.eventTime);
    if (eventMs !== null) {
      this.streamBounds.see(eventMs);
      this.lastEventMs = this.lastEventMs === null ? eventMs : Math.max(this.lastEventMs, eventMs);
    }
    const inner = asRecord(part.trace);
    const kind = inner ? firstKey(inner, TRACE_KINDS) : undefined;
    if (!inner || !kind) {
      const found = inner ? Object.keys(inner).join(', ') || 'nothing' : 'no trace body';
      this.misunderstood('unrecognized_trace', `trace event ${this.stats.events} holds ${found}`);
      return;
    }
    const body = asRecord(inner[kind]);
    if (!body) {
      this.misunderstood(
        'malformed_event',
        `${kind} of event ${this.stats.events} is not an object`,
      );
      return;
    }
    let partKey: PartKey | undefined;
    let partBody: Json | undefined = body;
    if (
      kind !== 'guardrailTrace' &&
      kind !== 'failureTrace' &&
      kind !== 'customOrchestrationTrace'
    ) {
      partKey = firstKey(body, PART_KEYS);
      partBody = partKey ? asRecord(body[partKey]) : undefined;
      if (!partKey || !partBody) {
        this.misunderstood(
          'unrecognized_trace',
          `${kind} of event ${this.stats.events} holds ${Object.keys(body).join(', ') || 'nothing'}`,
        );
        return;
      }
    }
    const traceId = asString(partBody.traceId);
    const invocation = this.resolveInvocation(part, traceId);
    invocation.bounds.see(eventMs);

    switch (kind) {
      case 'guardrailTrace':
        this.onGuardrail(invocation, body, traceId, eventMs);
        return;
      case 'failureTrace':
        this.onFailure(invocation, body, traceId, eventMs);
        return;
      case 'customOrchestrationTrace': {
        const step = this.stepFor(invocation, traceId, 'custom_orchestration');
        const text = asString(asRecord(body.event)?.text);
        step.notes.push({
          type: 'custom_orchestration',
          text: clip(text, this.options.maxTextChars).text,
          source: null,
        });
        return;
      }
      default:
        this.onPart(invocation, kind, partKey as PartKey, partBody, traceId, eventMs);
    }
  }

  private resolveInvocation(part: Json, traceId: string | null): InvocationState {
    const chain = asArray(part.callerChain);
    const lastCaller = asRecord(chain[chain.length - 1]);
    let agentId = asString(part.agentId) ?? agentIdFromAliasArn(lastCaller?.agentAliasArn);
    if (agentId === null) {
      this.stats.unattributedEvents++;
      if (this.root) return this.root;
      agentId = 'unknown';
    }
    const depth =
      chain.length > 0 ? chain.length : this.root && this.root.agentId !== agentId ? 2 : 1;
    const requestId = requestIdOf(traceId);
    if (requestId !== null) {
      const known = this.byRequest.get(agentId)?.get(requestId);
      if (known) return this.remember(known, requestId, part);
    }
    if (depth <= 1 && this.root && this.root.agentId === agentId) {
      return this.remember(this.root, requestId, part);
    }
    const pending = this.takePendingCall(agentId, asString(part.collaboratorName), depth);
    const latest = this.byAgent.get(agentId)?.at(-1);
    if (!pending && latest && (!latest.finished || requestId === null)) {
      return this.remember(latest, requestId, part);
    }
    return this.remember(this.open(agentId, depth, chain, part, pending), requestId, part);
  }

  /** Notes the request id and identity fields a run's traces carry. */
  private remember(
    invocation: InvocationState,
    requestId: string | null,
    part: Json,
  ): InvocationState {
    if (requestId !== null && !invocation.requestIds.includes(requestId)) {
      invocation.requestIds.push(requestId);
      let runs = this.byRequest.get(invocation.agentId);
      if (!runs) {
        runs = new Map();
        this.byRequest.set(invocation.agentId, runs);
      }
      runs.set(requestId, invocation);
    }
    if (invocation.sessionId === null) invocation.sessionId = asString(part.sessionId);
    if (invocation.aliasId === null) invocation.aliasId = asString(part.agentAliasId);
    if (invocation.version === null) invocation.version = asString(part.agentVersion);
    return invocation;
  }

  private takePendingCall(
    agentId: string,
    collaboratorName: string | null,
    depth: number,
  ): CollabState | null {
    let at = this.pendingCalls.findIndex((call) => call.recipientAgentId === agentId);
    if (at < 0) {
      const known = this.names.get(agentId);
      at = this.pendingCalls.findIndex(
        (call) =>
          call.recipientAgentId === null &&
          (call.recipient === known || (depth === 2 && call.recipient === collaboratorName)),
      );
    }
    if (at < 0) return null;
    const [call] = this.pendingCalls.splice(at, 1);
    return call ?? null;
  }

  private open(
    agentId: string,
    chainDepth: number,
    chain: unknown[],
    part: Json,
    call: CollabState | null,
  ): InvocationState {
    const owner = call ? this.flow[call.ownerIndex] : undefined;
    let callerIndex: number | null = owner ? owner.index : null;
    if (callerIndex === null && chain.length > 1) {
      const callerId = agentIdFromAliasArn(asRecord(chain[chain.length - 2])?.agentAliasArn);
      callerIndex = callerId ? (this.byAgent.get(callerId)?.at(-1)?.index ?? null) : null;
    }
    const depth = chain.length > 0 ? chainDepth : owner ? owner.depth + 1 : chainDepth;
    const name =
      this.options.agentNames?.[agentId] ??
      call?.recipient ??
      this.names.get(agentId) ??
      (depth === 1 ? this.options.rootAgentName : null) ??
      (depth === 2 ? asString(part.collaboratorName) : null) ??
      agentId;
    this.names.set(agentId, name);
    const invocation: InvocationState = {
      index: this.flow.length,
      agentId,
      aliasId: asString(part.agentAliasId),
      version: asString(part.agentVersion),
      name,
      sessionId: asString(part.sessionId),
      depth,
      callerIndex,
      requestIds: [],
      finished: false,
      failed: false,
      blocked: false,
      bounds: new Bounds(),
      input: call?.message ?? null,
      output: null,
      steps: [],
      stepByTrace: new Map(),
      toolCalls: [],
      kbLookups: [],
      collaboratorCalls: [],
      guardrails: [],
    };
    this.flow.push(invocation);
    const list = this.byAgent.get(agentId);
    if (list) list.push(invocation);
    else this.byAgent.set(agentId, [invocation]);
    if (call) call.childIndex = invocation.index;
    if (depth === 1 && this.root === null) this.root = invocation;
    return invocation;
  }

  private stepFor(
    invocation: InvocationState,
    traceId: string | null,
    phase: StepPhase,
  ): StepState {
    if (traceId !== null) {
      const known = invocation.stepByTrace.get(traceId);
      if (known) return known;
    } else {
      const last = invocation.steps.at(-1);
      if (last && last.phase === phase) return last;
    }
    const step: StepState = {
      traceId,
      phase,
      promptType: null,
      model: null,
      prompt: null,
      startMs: null,
      endMs: null,
      durationMs: null,
      usage: null,
      modelCalls: 0,
      rationale: null,
      reasoning: null,
      modelOutput: null,
      modelOutputChars: 0,
      modelOutputTruncated: false,
      routingDecision: null,
      preProcessing: null,
      postProcessingText: null,
      notes: [],
    };
    invocation.steps.push(step);
    if (traceId !== null) invocation.stepByTrace.set(traceId, step);
    return step;
  }

  private onPart(
    invocation: InvocationState,
    kind: TraceKind,
    partKey: PartKey,
    part: Json,
    traceId: string | null,
    eventMs: number | null,
  ): void {
    const basePhase: StepPhase =
      kind === 'preProcessingTrace'
        ? 'pre_processing'
        : kind === 'postProcessingTrace'
          ? 'post_processing'
          : kind === 'routingClassifierTrace'
            ? 'routing_classifier'
            : 'orchestration';
    switch (partKey) {
      case 'modelInvocationInput': {
        const promptType = asString(part.type);
        const phase =
          promptType === 'KNOWLEDGE_BASE_RESPONSE_GENERATION'
            ? 'knowledge_base_response_generation'
            : basePhase;
        const step = this.stepFor(invocation, traceId, phase);
        step.phase = phase;
        step.promptType = promptType ?? step.promptType;
        step.model = asString(part.foundationModel) ?? step.model;
        const text = asString(part.text);
        if (text !== null) {
          step.prompt = this.guard.fingerprint(text);
          if (this.options.keepRawEvents) this.promptFingerprints.set(part, step.prompt);
        }
        if (step.startMs === null) step.startMs = eventMs;
        return;
      }
      case 'modelInvocationOutput':
        this.onModelOutput(invocation, this.stepFor(invocation, traceId, basePhase), part);
        return;
      case 'rationale': {
        const step = this.stepFor(invocation, traceId, basePhase);
        const text = asString(part.text);
        if (text !== null)
          step.rationale = step.rationale === null ? text : `${step.rationale}\n${text}`;
        return;
      }
      case 'invocationInput':
        this.onInvocationInput(invocation, kind, part, traceId, eventMs);
        return;
      case 'observation':
        this.onObservation(invocation, part, traceId, eventMs);
        return;
    }
  }

  private onModelOutput(invocation: InvocationState, step: StepState, part: Json): void {
    const metadata = asRecord(part.metadata);
    const timing = metadataTiming(metadata);
    if (timing.startMs !== null) step.startMs = timing.startMs;
    step.endMs = timing.endMs ?? step.endMs;
    step.durationMs = timing.durationMs ?? step.durationMs;
    invocation.bounds.see(timing.startMs);
    invocation.bounds.see(timing.endMs);
    step.modelCalls++;
    const usage = asRecord(metadata?.usage);
    if (usage) {
      const input = Math.max(0, Math.trunc(asNumber(usage.inputTokens) ?? 0));
      const output = Math.max(0, Math.trunc(asNumber(usage.outputTokens) ?? 0));
      step.usage = {
        input_tokens: (step.usage?.input_tokens ?? 0) + input,
        output_tokens: (step.usage?.output_tokens ?? 0) + output,
      };
    }
    const raw = asString(asRecord(part.rawResponse)?.content);
    if (raw !== null) {
      const clipped = clip(raw, this.options.maxTextChars);
      step.modelOutput = clipped.text;
      step.modelOutputChars = clipped.chars;
      step.modelOutputTruncated = clipped.truncated;
      if (step.phase === 'routing_classifier') step.routingDecision = routingDecision(raw);
    }
    const reasoning = asString(asRecord(asRecord(part.reasoningContent)?.reasoningText)?.text);
    if (reasoning !== null) step.reasoning = clip(reasoning, this.options.maxTextChars).text;
    const parsed = asRecord(part.parsedResponse);
    if (parsed && step.phase === 'pre_processing') {
      step.preProcessing = {
        is_valid: asBoolean(parsed.isValid),
        rationale: asString(parsed.rationale),
      };
    } else if (parsed && step.phase === 'post_processing') {
      step.postProcessingText = asString(parsed.text);
    }
  }

  private onInvocationInput(
    invocation: InvocationState,
    kind: TraceKind,
    part: Json,
    traceId: string | null,
    eventMs: number | null,
  ): void {
    const actionGroup = asRecord(part.actionGroupInvocationInput);
    const knowledgeBase = asRecord(part.knowledgeBaseLookupInput);
    const collaborator = asRecord(part.agentCollaboratorInvocationInput);
    const codeInterpreter = asRecord(part.codeInterpreterInvocationInput);
    if (actionGroup) {
      invocation.toolCalls.push(
        this.newToolCall(traceId, 'action_group', eventMs, {
          action_group: asString(actionGroup.actionGroupName),
          function: asString(actionGroup.function),
          api_path: asString(actionGroup.apiPath),
          http_method: asString(actionGroup.verb),
          execution_type: asString(actionGroup.executionType),
          invocation_id: asString(actionGroup.invocationId),
          parameters: parametersOf(actionGroup.parameters),
          request_body: requestBodyOf(actionGroup.requestBody),
        }),
      );
    } else if (codeInterpreter) {
      invocation.toolCalls.push(
        this.newToolCall(traceId, 'code_interpreter', eventMs, {
          action_group: 'CodeInterpreter',
          code: clip(asString(codeInterpreter.code), this.options.maxTextChars).text,
          parameters: asArray(codeInterpreter.files)
            .filter((f): f is string => typeof f === 'string')
            .map((file) => ({ name: 'file', type: 'string', value: file })),
        }),
      );
    } else if (knowledgeBase) {
      invocation.kbLookups.push({
        lookup: {
          trace_id: traceId,
          knowledge_base_id: asString(knowledgeBase.knowledgeBaseId),
          query: asString(knowledgeBase.text),
          reference_count: 0,
          references: [],
        },
        pending: true,
        inputMs: eventMs,
        startMs: eventMs,
        endMs: null,
        durationMs: null,
      });
    } else if (collaborator) {
      const arn = asString(collaborator.agentCollaboratorAliasArn);
      const recipientAgentId = agentIdFromAliasArn(arn);
      const recipient =
        asString(collaborator.agentCollaboratorName) ??
        (recipientAgentId ? this.names.get(recipientAgentId) : undefined) ??
        recipientAgentId ??
        'unknown';
      if (recipientAgentId && !this.options.agentNames?.[recipientAgentId]) {
        this.names.set(recipientAgentId, recipient);
      }
      const call: CollabState = {
        ownerIndex: invocation.index,
        traceId,
        via: kind === 'routingClassifierTrace' ? 'routing_classifier' : 'supervisor',
        recipient,
        recipientAgentId,
        recipientAliasArn: arn,
        message: asString(asRecord(collaborator.input)?.text),
        output: null,
        status: 'pending',
        childIndex: null,
        inputMs: eventMs,
        startMs: eventMs,
        endMs: null,
        durationMs: null,
      };
      invocation.collaboratorCalls.push(call);
      this.pendingCalls.push(call);
    } else if (asString(part.invocationType) !== 'FINISH') {
      this.misunderstood(
        'unrecognized_trace',
        `invocationInput of type ${asString(part.invocationType) ?? 'unknown'} carries no input`,
        traceId,
      );
    }
  }

  private newToolCall(
    traceId: string | null,
    kind: ToolCall['kind'],
    eventMs: number | null,
    fields: Partial<ToolCallState['call']>,
  ): ToolCallState {
    return {
      call: {
        trace_id: traceId,
        kind,
        action_group: null,
        function: null,
        api_path: null,
        http_method: null,
        execution_type: null,
        invocation_id: null,
        parameters: [],
        request_body: null,
        code: null,
        result: null,
        result_chars: 0,
        result_truncated: false,
        ...fields,
      },
      status: kind === 'return_control' ? 'returned_control' : 'pending',
      inputMs: eventMs,
      startMs: eventMs,
      endMs: null,
      durationMs: null,
    };
  }

  private pendingTool(
    invocation: InvocationState,
    traceId: string | null,
    kind: ToolCall['kind'],
  ): ToolCallState | undefined {
    return (
      invocation.toolCalls.find(
        (t) => t.status === 'pending' && t.call.kind === kind && t.call.trace_id === traceId,
      ) ??
      (traceId === null
        ? undefined
        : invocation.toolCalls.find((t) => t.status === 'pending' && t.call.kind === kind))
    );
  }

  private settleTool(
    invocation: InvocationState,
    traceId: string | null,
    kind: ToolCall['kind'],
    result: string | null,
    failed: boolean,
    metadata: Json | undefined,
    eventMs: number | null,
  ): void {
    let tool = this.pendingTool(invocation, traceId, kind);
    if (!tool) {
      this.misunderstood(
        'unmatched_observation',
        `a ${kind} result arrived with no matching call`,
        traceId,
      );
      tool = this.newToolCall(traceId, kind, null, {});
      invocation.toolCalls.push(tool);
    }
    const clipped = clip(result, this.options.maxTextChars);
    tool.call.result = clipped.text;
    tool.call.result_chars = clipped.chars;
    tool.call.result_truncated = clipped.truncated;
    tool.status = failed || looksLikeFailure(result) ? 'failure' : 'success';
    const timing = metadataTiming(metadata);
    tool.startMs = timing.startMs ?? tool.inputMs;
    tool.endMs = timing.endMs ?? eventMs;
    tool.durationMs = timing.durationMs;
    invocation.bounds.see(timing.startMs);
    invocation.bounds.see(timing.endMs);
  }

  private onObservation(
    invocation: InvocationState,
    part: Json,
    traceId: string | null,
    eventMs: number | null,
  ): void {
    const type = asString(part.type);
    const actionGroup = asRecord(part.actionGroupInvocationOutput);
    const knowledgeBase = asRecord(part.knowledgeBaseLookupOutput);
    const collaborator = asRecord(part.agentCollaboratorInvocationOutput);
    const codeInterpreter = asRecord(part.codeInterpreterInvocationOutput);
    const finalResponse = asRecord(part.finalResponse);
    const reprompt = asRecord(part.repromptResponse);

    if (actionGroup) {
      this.settleTool(
        invocation,
        traceId,
        'action_group',
        asString(actionGroup.text),
        false,
        asRecord(actionGroup.metadata),
        eventMs,
      );
    }
    if (codeInterpreter) {
      const error = asString(codeInterpreter.executionError);
      const output = asString(codeInterpreter.executionOutput);
      const timedOut = codeInterpreter.executionTimeout === true;
      this.settleTool(
        invocation,
        traceId,
        'code_interpreter',
        error ?? output ?? (timedOut ? 'execution timed out' : null),
        error !== null || timedOut,
        asRecord(codeInterpreter.metadata),
        eventMs,
      );
    }
    if (knowledgeBase) this.settleKnowledgeBase(invocation, traceId, knowledgeBase, eventMs);
    if (collaborator) this.settleCollaborator(invocation, traceId, collaborator, eventMs);
    if (reprompt) {
      this.stepFor(invocation, traceId, 'orchestration').notes.push({
        type: 'reprompt',
        text: asString(reprompt.text),
        source: asString(reprompt.source),
      });
    }
    if (finalResponse) {
      const text = asString(finalResponse.text);
      const timing = metadataTiming(asRecord(finalResponse.metadata));
      invocation.bounds.see(timing.startMs);
      invocation.bounds.see(timing.endMs);
      if (type === 'ASK_USER') {
        this.stepFor(invocation, traceId, 'orchestration').notes.push({
          type: 'ask_user',
          text,
          source: null,
        });
      }
      invocation.output = text ?? invocation.output;
      invocation.finished = true;
    } else if (type === 'FINISH') {
      invocation.finished = true;
    } else if (type === 'ASK_USER') {
      this.stepFor(invocation, traceId, 'orchestration').notes.push({
        type: 'ask_user',
        text: null,
        source: null,
      });
    }
    if (
      !actionGroup &&
      !codeInterpreter &&
      !knowledgeBase &&
      !collaborator &&
      !finalResponse &&
      !reprompt &&
      type !== 'FINISH' &&
      type !== 'ASK_USER'
    ) {
      this.misunderstood(
        'unrecognized_trace',
        `observation of type ${type ?? 'unknown'} carries no output`,
        traceId,
      );
    }
  }

  private settleKnowledgeBase(
    invocation: InvocationState,
    traceId: string | null,
    output: Json,
    eventMs: number | null,
  ): void {
    let lookup =
      invocation.kbLookups.find((k) => k.pending && k.lookup.trace_id === traceId) ??
      invocation.kbLookups.find((k) => k.pending);
    if (!lookup) {
      this.misunderstood(
        'unmatched_observation',
        'a knowledge-base result arrived with no matching lookup',
        traceId,
      );
      lookup = {
        lookup: {
          trace_id: traceId,
          knowledge_base_id: null,
          query: null,
          reference_count: 0,
          references: [],
        },
        pending: true,
        inputMs: null,
        startMs: null,
        endMs: null,
        durationMs: null,
      };
      invocation.kbLookups.push(lookup);
    }
    const { references, count } = referencesOf(output.retrievedReferences);
    lookup.lookup.references = references;
    lookup.lookup.reference_count = count;
    lookup.pending = false;
    const timing = metadataTiming(asRecord(output.metadata));
    lookup.startMs = timing.startMs ?? lookup.inputMs;
    lookup.endMs = timing.endMs ?? eventMs;
    lookup.durationMs = timing.durationMs;
    invocation.bounds.see(timing.startMs);
    invocation.bounds.see(timing.endMs);
  }

  private settleCollaborator(
    invocation: InvocationState,
    traceId: string | null,
    output: Json,
    eventMs: number | null,
  ): void {
    const name = asString(output.agentCollaboratorName);
    const arn = asString(output.agentCollaboratorAliasArn);
    const childAgentId = agentIdFromAliasArn(arn);
    const isMatch = (c: CollabState) =>
      c.status === 'pending' &&
      (name === null || c.recipient === name) &&
      (childAgentId === null || c.recipientAgentId === null || c.recipientAgentId === childAgentId);
    let call =
      invocation.collaboratorCalls.find((c) => isMatch(c) && c.traceId === traceId) ??
      invocation.collaboratorCalls.find(isMatch);
    if (!call) {
      this.misunderstood(
        'unmatched_observation',
        `an answer from ${name ?? 'a collaborator'} arrived with no matching call`,
        traceId,
      );
      call = {
        ownerIndex: invocation.index,
        traceId,
        via: 'supervisor',
        recipient: name ?? childAgentId ?? 'unknown',
        recipientAgentId: childAgentId,
        recipientAliasArn: arn,
        message: null,
        output: null,
        status: 'pending',
        childIndex: null,
        inputMs: null,
        startMs: null,
        endMs: null,
        durationMs: null,
      };
      invocation.collaboratorCalls.push(call);
    }
    const pendingAt = this.pendingCalls.indexOf(call);
    if (pendingAt >= 0) this.pendingCalls.splice(pendingAt, 1);
    const payload = asRecord(output.output);
    call.output = asString(payload?.text);
    const returnControl = asRecord(payload?.returnControlPayload);
    call.status = returnControl ? 'returned_control' : 'success';
    const metadata = asRecord(output.metadata);
    const timing = metadataTiming(metadata);
    call.startMs = timing.startMs ?? call.inputMs;
    call.endMs = timing.endMs ?? eventMs;
    call.durationMs = timing.durationMs;
    invocation.bounds.see(timing.startMs);
    invocation.bounds.see(timing.endMs);
    // The child run's request id is the clientRequestId the caller reports: the surest link.
    const childRequest = requestIdOf(asString(metadata?.clientRequestId));
    const agentId = childAgentId ?? call.recipientAgentId;
    const child =
      (agentId && childRequest ? this.byRequest.get(agentId)?.get(childRequest) : undefined) ??
      (call.childIndex !== null ? this.flow[call.childIndex] : undefined);
    if (child) {
      call.childIndex = child.index;
      child.finished = true;
      if (child.output === null) child.output = call.output;
    }
    if (returnControl) this.onReturnControl(returnControl, child ?? invocation);
  }

  private onGuardrail(
    invocation: InvocationState,
    body: Json,
    traceId: string | null,
    eventMs: number | null,
  ): void {
    const inputs = asArray(body.inputAssessments);
    const outputs = asArray(body.outputAssessments);
    const stage: GuardrailCheck['stage'] = traceId?.includes('guardrail-pre')
      ? 'input'
      : traceId?.includes('guardrail-post')
        ? 'output'
        : inputs.length > 0
          ? 'input'
          : outputs.length > 0
            ? 'output'
            : 'unknown';
    const action = asString(body.action);
    const intervened = action === 'INTERVENED';
    const timing = metadataTiming(asRecord(body.metadata));
    invocation.bounds.see(timing.startMs);
    invocation.bounds.see(timing.endMs);
    invocation.guardrails.push({
      check: {
        trace_id: traceId,
        stage,
        action,
        intervened,
        findings: guardrailFindings([...inputs, ...outputs]),
      },
      startMs: timing.startMs ?? eventMs,
      endMs: timing.endMs ?? eventMs,
      durationMs: timing.durationMs,
    });
    if (intervened && stage === 'input') invocation.blocked = true;
  }

  private onFailure(
    invocation: InvocationState,
    body: Json,
    traceId: string | null,
    eventMs: number | null,
  ): void {
    invocation.failed = true;
    const reason = asString(body.failureReason) ?? 'the agent reported a failure without a reason';
    const code = asNumber(body.failureCode);
    this.errors.push({
      kind: 'agent_failure',
      message: code === null ? reason : `${reason} (code ${code})`,
      agent_index: invocation.index,
      trace_id: traceId,
      at: isoOrNull(eventMs),
    });
  }

  // ── chunks and return control ─────────────────────────────────────────────────────────────

  private onChunk(chunk: Json | undefined): void {
    if (!chunk) {
      this.misunderstood('malformed_event', `chunk of event ${this.stats.events} is not an object`);
      return;
    }
    if (!this.chunkSeen) {
      this.chunkSeen = true;
      // Chunks carry no timestamp: the stream's own clock at that point is the best estimate.
      this.firstChunkMs = this.lastEventMs;
    }
    if (chunk.bytes !== undefined) {
      const bytes = decodeChunkBytes(chunk.bytes);
      if (typeof bytes === 'string') this.chunkText += this.decoder.decode() + bytes;
      else if (bytes) this.chunkText += this.decoder.decode(bytes, { stream: true });
      else
        this.misunderstood(
          'malformed_event',
          `chunk of event ${this.stats.events} has unreadable bytes`,
        );
    }
    for (const item of asArray(asRecord(chunk.attribution)?.citations)) {
      const citation = asRecord(item);
      if (!citation) continue;
      const textPart = asRecord(asRecord(citation.generatedResponsePart)?.textResponsePart);
      const span = asRecord(textPart?.span);
      const start = asNumber(span?.start);
      const end = asNumber(span?.end);
      this.citations.push({
        text: asString(textPart?.text),
        span:
          start !== null && end !== null
            ? { start: Math.trunc(start), end: Math.trunc(end) }
            : null,
        references: referencesOf(citation.retrievedReferences).references,
      });
    }
  }

  private onReturnControl(payload: Json | undefined, owner?: InvocationState): void {
    if (!payload) {
      this.misunderstood(
        'malformed_event',
        `returnControl of event ${this.stats.events} is not an object`,
      );
      return;
    }
    this.returnedControl = true;
    const invocationId = asString(payload.invocationId);
    for (const item of asArray(payload.invocationInputs)) {
      const member = asRecord(item);
      const fn = asRecord(member?.functionInvocationInput);
      const api = asRecord(member?.apiInvocationInput);
      const input = fn ?? api;
      if (!input) continue;
      const agentId = asString(input.agentId);
      const target =
        owner ??
        (agentId ? this.byAgent.get(agentId)?.at(-1) : undefined) ??
        this.root ??
        this.open('unknown', 1, [], {}, null);
      target.toolCalls.push(
        this.newToolCall(null, 'return_control', this.lastEventMs, {
          action_group: asString(input.actionGroup),
          function: asString(fn?.function),
          api_path: asString(api?.apiPath),
          http_method: asString(api?.httpMethod),
          invocation_id: invocationId,
          parameters: parametersOf(input.parameters),
          request_body: requestBodyOf(api?.requestBody),
        }),
      );
    }
  }

  // ── finish ────────────────────────────────────────────────────────────────────────────────

  /** Closes the record: pairs what is left, checks quality, and returns both export files. */
  finish(): ConversationRecord {
    if (this.finished) throw new Error('ConversationRecorder.finish() was already called');
    this.finished = true;
    const tail = this.decoder.decode();
    if (tail) this.chunkText += tail;
    const guard = this.guard;
    let leaksKept = 0;
    // Messages between agents reappear as the callee's input and output: scan each text once.
    const scrubbed = new Map<string, string | null>();
    const scrubOnce = (text: string | null): string | null => {
      if (text === null) return null;
      let result = scrubbed.get(text);
      if (result === undefined) {
        result = guard.scrub(text);
        scrubbed.set(text, result);
      }
      return result;
    };
    const keep = (text: string | null): string | null => {
      leaksKept += guard.countLeaks(text);
      return text;
    };

    const flow: AgentInvocation[] = this.flow.map((inv) => {
      const toolCalls: ToolCall[] = inv.toolCalls.map((t) => {
        if (t.status === 'pending') {
          this.errors.push({
            kind: 'tool_call_without_result',
            message: `${inv.name} called ${t.call.action_group ?? 'a tool'}${t.call.function ? `.${t.call.function}` : ''} and no result was recorded`,
            agent_index: inv.index,
            trace_id: t.call.trace_id,
            at: isoOrNull(t.inputMs),
          });
        }
        return {
          ...t.call,
          // Parameters and code are model-written: scrubbed like any model output.
          parameters: t.call.parameters.map((p) => ({ ...p, value: guard.scrub(p.value) })),
          code: guard.scrub(t.call.code),
          result: keep(t.call.result),
          status: t.status === 'pending' ? 'no_result' : t.status,
          ...spanOf(t),
        };
      });
      const steps: Step[] = inv.steps.map((s) => {
        if (s.usage === null && s.modelCalls > 0) s.usage = { input_tokens: 0, output_tokens: 0 };
        const modelOutput = guard.scrub(s.modelOutput);
        return {
          trace_id: s.traceId,
          phase: s.phase,
          prompt_type: s.promptType,
          model: s.model,
          prompt: s.prompt,
          ...spanOf(s),
          usage: s.usage,
          model_output: modelOutput,
          // The rationale is usually the <thinking> part of the raw output scanned just above.
          rationale: insideCleanText(s.rationale, s.modelOutput, modelOutput)
            ? s.rationale
            : guard.scrub(s.rationale),
          reasoning: guard.scrub(s.reasoning),
          model_output_chars: s.modelOutputChars,
          model_output_truncated: s.modelOutputTruncated,
          routing_decision: s.routingDecision,
          pre_processing: s.preProcessing && {
            is_valid: s.preProcessing.is_valid,
            rationale: guard.scrub(s.preProcessing.rationale),
          },
          post_processing_text: guard.scrub(s.postProcessingText),
          notes: s.notes.map((n) => ({ ...n, text: guard.scrub(n.text) })),
        };
      });
      const kbLookups: KnowledgeBaseLookup[] = inv.kbLookups.map((k) => ({
        ...k.lookup,
        query: guard.scrub(k.lookup.query),
        references: k.lookup.references.map((r) => ({ ...r, excerpt: keep(r.excerpt) })),
        status: k.pending ? 'no_result' : 'success',
        ...spanOf(k),
      }));
      const collaboratorCalls: CollaboratorCall[] = inv.collaboratorCalls.map((c) => ({
        trace_id: c.traceId,
        via: c.via,
        recipient: c.recipient,
        recipient_agent_id: c.recipientAgentId,
        recipient_alias_arn: c.recipientAliasArn,
        message: scrubOnce(c.message),
        output: scrubOnce(c.output),
        status: c.status === 'pending' ? 'no_result' : c.status,
        invocation_index: c.childIndex,
        ...spanOf(c),
      }));
      const usage = { input_tokens: 0, output_tokens: 0, total_tokens: 0, model_calls: 0 };
      for (const s of inv.steps) {
        usage.input_tokens += s.usage?.input_tokens ?? 0;
        usage.output_tokens += s.usage?.output_tokens ?? 0;
        usage.model_calls += s.modelCalls;
      }
      usage.total_tokens = usage.input_tokens + usage.output_tokens;
      const status: AgentInvocation['status'] = inv.blocked
        ? 'blocked'
        : inv.failed
          ? 'failed'
          : inv.finished
            ? 'completed'
            : 'incomplete';
      if (status === 'incomplete' && !this.returnedControl) {
        this.errors.push({
          kind: 'incomplete_invocation',
          message: `${inv.name} never finished: the stream ended before its final response`,
          agent_index: inv.index,
          trace_id: null,
          at: isoOrNull(inv.bounds.max),
        });
      }
      const caller = inv.callerIndex !== null ? this.flow[inv.callerIndex] : undefined;
      return {
        index: inv.index,
        agent_id: inv.agentId,
        agent_alias_id: inv.aliasId,
        agent_version: inv.version,
        agent_name: inv.name,
        session_id: inv.sessionId,
        depth: inv.depth,
        caller_index: caller ? caller.index : null,
        caller_name: caller ? caller.name : null,
        request_ids: inv.requestIds,
        status,
        started_at: isoOrNull(inv.bounds.min),
        ended_at: isoOrNull(inv.bounds.max),
        duration_ms: durationBetween(inv.bounds.min, inv.bounds.max),
        input: scrubOnce(inv.input),
        output: scrubOnce(inv.output),
        steps,
        tool_calls: toolCalls,
        knowledge_base_lookups: kbLookups,
        collaborator_calls: collaboratorCalls,
        guardrails: inv.guardrails.map((g) => ({ ...g.check, ...spanOf(g) })),
        usage,
      };
    });

    const finalFromChunks = this.chunkSeen ? this.chunkText : null;
    const finalText = scrubOnce(finalFromChunks ?? this.root?.output ?? null);
    const finalSource =
      finalFromChunks !== null ? 'chunks' : finalText !== null ? 'finish_trace' : 'none';
    const citations = this.citations.map((c) => ({
      text: guard.scrub(c.text),
      span: c.span,
      references: c.references.map((r) => ({ ...r, excerpt: keep(r.excerpt) })),
    }));
    keep(this.context.userQuery);

    const startedAtMs = toMillis(this.context.startedAt ?? null);
    const agentStart = this.flow.reduce<number | null>(
      (min, inv) =>
        inv.bounds.min !== null && (min === null || inv.bounds.min < min) ? inv.bounds.min : min,
      this.streamBounds.min,
    );
    const agentEnd = this.flow.reduce<number | null>(
      (max, inv) =>
        inv.bounds.max !== null && (max === null || inv.bounds.max > max) ? inv.bounds.max : max,
      this.streamBounds.max,
    );
    const startMs = startedAtMs ?? agentStart;
    const endMs =
      agentEnd === null ? null : startMs === null ? agentEnd : Math.max(agentEnd, startMs);

    const conversation: Conversation = {
      schema_version: CONVERSATION_SCHEMA_VERSION,
      conversation_id: this.context.conversationId,
      session_id: this.context.sessionId ?? this.root?.sessionId ?? null,
      channel: channelOf(this.context.channel),
      user_query: this.context.userQuery,
      status: this.conversationStatus(finalText !== null),
      final_response: { text: finalText, source: finalSource, citations },
      timing: {
        started_at: isoOrNull(startMs),
        agent_started_at: isoOrNull(agentStart),
        first_chunk_at: isoOrNull(this.firstChunkMs),
        ended_at: isoOrNull(endMs),
        duration_ms: durationBetween(startMs, endMs),
        agent_duration_ms: durationBetween(agentStart, agentEnd),
        time_to_first_chunk_ms: durationBetween(startMs, this.firstChunkMs),
      },
      usage: this.usageTotals(flow),
      agent_flow: flow,
      collaboration_map: collaborationMap(flow),
      errors: this.errors,
    };

    const rawEvents = this.options.keepRawEvents
      ? redactRawEvents(this.rawEvents, guard, this.promptFingerprints)
      : undefined;
    const body = serializeConversation(conversation);
    const metadata = buildMetadata({
      conversation,
      body,
      stats: this.stats,
      leaksKept,
      promptsFingerprinted: guard.promptsFingerprinted,
      fragmentsRedacted: guard.fragmentsRedacted,
      rawEvents,
      exportedAt: (this.options.now ?? (() => new Date()))(),
    });
    return rawEvents ? { conversation, metadata, rawEvents } : { conversation, metadata };
  }

  private conversationStatus(hasFinalResponse: boolean): ConversationStatus {
    const root = this.root;
    if (
      root?.blocked ||
      this.flow.some((inv) => inv.guardrails.some((g) => g.check.intervened) && !root?.finished)
    ) {
      return 'blocked_by_guardrail';
    }
    if (this.returnedControl) return 'returned_control';
    if (this.streamFailed || this.flow.some((inv) => inv.failed)) return 'failed';
    if (root ? root.finished : hasFinalResponse) return 'completed';
    return 'incomplete';
  }

  private usageTotals(flow: AgentInvocation[]): Conversation['usage'] {
    const byModel = new Map<
      string,
      { input_tokens: number; output_tokens: number; model_calls: number }
    >();
    for (const inv of this.flow) {
      for (const step of inv.steps) {
        if (step.modelCalls === 0 && step.usage === null) continue;
        const model = step.model ?? 'unknown';
        const entry = byModel.get(model) ?? { input_tokens: 0, output_tokens: 0, model_calls: 0 };
        entry.input_tokens += step.usage?.input_tokens ?? 0;
        entry.output_tokens += step.usage?.output_tokens ?? 0;
        entry.model_calls += step.modelCalls;
        byModel.set(model, entry);
      }
    }
    const prices = this.options.modelPrices;
    let allPriced = byModel.size > 0;
    const by_model = [...byModel.entries()].map(([model, e]) => {
      const price = prices?.[model];
      if (!price) allPriced = false;
      const cost = price
        ? (e.input_tokens * price.inputPerMillion + e.output_tokens * price.outputPerMillion) / 1e6
        : null;
      return {
        model,
        ...e,
        total_tokens: e.input_tokens + e.output_tokens,
        estimated_cost_usd: cost,
      };
    });
    const totals = flow.reduce(
      (acc, inv) => ({
        input_tokens: acc.input_tokens + inv.usage.input_tokens,
        output_tokens: acc.output_tokens + inv.usage.output_tokens,
        model_calls: acc.model_calls + inv.usage.model_calls,
      }),
      { input_tokens: 0, output_tokens: 0, model_calls: 0 },
    );
    return {
      ...totals,
      total_tokens: totals.input_tokens + totals.output_tokens,
      estimated_cost_usd: allPriced
        ? by_model.reduce((sum, m) => sum + (m.estimated_cost_usd ?? 0), 0)
        : null,
      by_model,
    };
  }
}

function collaborationMap(flow: AgentInvocation[]): Conversation['collaboration_map'] {
  const edges = new Map<string, Conversation['collaboration_map'][number]>();
  for (const inv of flow) {
    for (const call of inv.collaborator_calls) {
      const key = `${inv.agent_id}\u0000${call.recipient}\u0000${call.via}`;
      const edge = edges.get(key);
      if (edge) edge.count++;
      else {
        edges.set(key, {
          from: inv.agent_name,
          from_agent_id: inv.agent_id,
          to: call.recipient,
          to_agent_id: call.recipient_agent_id,
          via: call.via,
          count: 1,
        });
      }
    }
  }
  return [...edges.values()];
}
