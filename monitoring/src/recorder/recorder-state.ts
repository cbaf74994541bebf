/**
 * What the recorder accumulates while a stream runs: one state per agent run, with its steps,
 * tool calls, knowledge-base lookups, collaborator calls and guardrail checks, plus what belongs
 * to the stream as a whole. Every trace handler reads and updates this one object.
 */
import { DEFAULT_MODEL_PRICES, type TokenCounts } from '../model-prices';
import { PromptGuard } from '../prompt-guard';
import type {
  Citation,
  CollaboratorCall,
  ConversationError,
  GuardrailCheck,
  KnowledgeBaseLookup,
  PromptFingerprint,
  StepNote,
  StepPhase,
  ToolCall,
} from '../schema';
import type { Json } from '../trace-fields';
import { metadataTiming, type Timed } from '../trace-readers';
import type { ConversationContext, RecorderOptions } from '../types';

const DEFAULT_ROOT_AGENT_NAME = 'Manager';
const DEFAULT_MAX_TEXT_CHARS = 4_000;

/** Start/end bounds seen for a span, in epoch ms. */
export class Bounds {
  min: number | null = null;
  max: number | null = null;
  see(ms: number | null): void {
    if (ms === null) return;
    if (this.min === null || ms < this.min) this.min = ms;
    if (this.max === null || ms > this.max) this.max = ms;
  }
}

export interface StepState extends Timed {
  traceId: string | null;
  phase: StepPhase;
  promptType: string | null;
  model: string | null;
  prompt: PromptFingerprint | null;
  usage: TokenCounts | null;
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

export interface ToolCallState extends Timed {
  call: Omit<ToolCall, 'started_at' | 'ended_at' | 'duration_ms' | 'status'>;
  status: ToolCall['status'] | 'pending';
  inputMs: number | null;
}

export interface KbState extends Timed {
  lookup: Omit<KnowledgeBaseLookup, 'started_at' | 'ended_at' | 'duration_ms' | 'status'>;
  pending: boolean;
  inputMs: number | null;
}

export interface CollabState extends Timed {
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

export interface GuardrailState extends Timed {
  check: Omit<GuardrailCheck, 'started_at' | 'ended_at' | 'duration_ms'>;
}

export interface InvocationState {
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

/** Where one part of a trace event lands: the recorder, the agent run, the trace id and time. */
export interface TracePoint {
  state: RecorderState;
  invocation: InvocationState;
  traceId: string | null;
  eventMs: number | null;
}

export interface RecorderStats {
  events: number;
  traceEvents: number;
  chunkEvents: number;
  returnControlEvents: number;
  unattributedEvents: number;
  misunderstoodEvents: number;
}

export type ResolvedRecorderOptions = Required<
  Pick<RecorderOptions, 'rootAgentName' | 'maxTextChars' | 'modelPrices'>
> &
  RecorderOptions;

export interface RecorderState {
  readonly context: ConversationContext;
  readonly options: ResolvedRecorderOptions;
  readonly guard: PromptGuard;
  /** Every agent run in the order it started. */
  readonly flow: InvocationState[];
  readonly byAgent: Map<string, InvocationState[]>;
  /** agent id → request id → run. */
  readonly byRequest: Map<string, Map<string, InvocationState>>;
  readonly names: Map<string, string>;
  /** Collaborator calls whose callee has not been seen yet. */
  readonly pendingCalls: CollabState[];
  readonly errors: ConversationError[];
  readonly citations: Citation[];
  readonly rawEvents: unknown[];
  readonly promptFingerprints: WeakMap<object, PromptFingerprint>;
  readonly decoder: InstanceType<typeof TextDecoder>;
  readonly streamBounds: Bounds;
  readonly stats: RecorderStats;
  root: InvocationState | null;
  chunkText: string;
  chunkSeen: boolean;
  firstChunkMs: number | null;
  lastEventMs: number | null;
  returnedControl: boolean;
  streamFailed: boolean;
}

export function createRecorderState(
  context: ConversationContext,
  options: RecorderOptions,
): RecorderState {
  const state: RecorderState = {
    context,
    options: {
      ...options,
      rootAgentName: options.rootAgentName ?? DEFAULT_ROOT_AGENT_NAME,
      maxTextChars: options.maxTextChars ?? DEFAULT_MAX_TEXT_CHARS,
      modelPrices: options.modelPrices ?? DEFAULT_MODEL_PRICES,
    },
    guard: new PromptGuard(),
    flow: [],
    byAgent: new Map(),
    byRequest: new Map(),
    names: new Map(),
    pendingCalls: [],
    errors: [],
    citations: [],
    rawEvents: [],
    promptFingerprints: new WeakMap(),
    decoder: new TextDecoder('utf-8'),
    streamBounds: new Bounds(),
    stats: {
      events: 0,
      traceEvents: 0,
      chunkEvents: 0,
      returnControlEvents: 0,
      unattributedEvents: 0,
      misunderstoodEvents: 0,
    },
    root: null,
    chunkText: '',
    chunkSeen: false,
    firstChunkMs: null,
    lastEventMs: null,
    returnedControl: false,
    streamFailed: false,
  };
  for (const [id, name] of Object.entries(options.agentNames ?? {})) state.names.set(id, name);
  state.guard.allow(context.userQuery);
  return state;
}

/**
 * Dates a tool call, lookup or collaborator call from its result's metadata, falling back to
 * when it was asked and when the result arrived; the run's bounds grow to hold it.
 */
export function settleSpan(
  invocation: InvocationState,
  span: Timed & { inputMs: number | null },
  metadata: Json | undefined,
  eventMs: number | null,
): void {
  const timing = metadataTiming(metadata);
  span.startMs = timing.startMs ?? span.inputMs;
  span.endMs = timing.endMs ?? eventMs;
  span.durationMs = timing.durationMs;
  invocation.bounds.see(timing.startMs);
  invocation.bounds.see(timing.endMs);
}
