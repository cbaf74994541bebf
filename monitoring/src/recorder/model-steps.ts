/**
 * The steps of an agent run: one per trace id, whatever its phase (orchestration,
 * pre-processing, post-processing, routing classifier, knowledge-base answer generation). A step
 * holds the prompt's fingerprint, the model's output, usage and timing, rationale and reasoning.
 */
import type { StepPhase } from '../schema';
import { asBoolean, asNumber, asRecord, asString, clip, type Json } from '../trace-fields';
import { metadataTiming, routingDecision } from '../trace-readers';
import type { InvocationState, RecorderState, StepState, TracePoint } from './recorder-state';

/** The step of `traceId`, or (without a trace id) the last one of the same phase; else a new one. */
export function stepFor(
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

/** modelInvocationInput: the prompt is kept only as a fingerprint. */
export function onModelInput(at: TracePoint, basePhase: StepPhase, part: Json): void {
  const { state, invocation, traceId, eventMs } = at;
  const promptType = asString(part.type);
  const phase =
    promptType === 'KNOWLEDGE_BASE_RESPONSE_GENERATION'
      ? 'knowledge_base_response_generation'
      : basePhase;
  const step = stepFor(invocation, traceId, phase);
  step.phase = phase;
  step.promptType = promptType ?? step.promptType;
  step.model = asString(part.foundationModel) ?? step.model;
  const text = asString(part.text);
  if (text !== null) {
    step.prompt = state.guard.fingerprint(text);
    if (state.options.keepRawEvents) state.promptFingerprints.set(part, step.prompt);
  }
  if (step.startMs === null) step.startMs = eventMs;
}

const tokens = (value: unknown): number | undefined => {
  const n = asNumber(value);
  return n === null || n === undefined ? undefined : Math.max(0, Math.trunc(n));
};

/**
 * A call's usage added to the step's. Cache counts come from `metadata.usage` under Converse's
 * names (RevBot's runtime puts them there); Bedrock Agents reports them only inside the
 * Anthropic response body (`cache_read_input_tokens`, `cache_creation_input_tokens`).
 */
function addUsage(
  sum: StepState['usage'],
  usage: Json,
  raw: string | null,
): NonNullable<StepState['usage']> {
  let read = tokens(usage.cacheReadInputTokens);
  let write = tokens(usage.cacheWriteInputTokens);
  if (read === undefined && write === undefined && raw?.includes('cache_read_input_tokens')) {
    const body = parseJsonRecord(raw);
    const anthropic = asRecord(body?.usage);
    read = tokens(anthropic?.cache_read_input_tokens);
    write = tokens(anthropic?.cache_creation_input_tokens);
  }
  const next: NonNullable<StepState['usage']> = {
    input_tokens: (sum?.input_tokens ?? 0) + (tokens(usage.inputTokens) ?? 0),
    output_tokens: (sum?.output_tokens ?? 0) + (tokens(usage.outputTokens) ?? 0),
  };
  if (read !== undefined || sum?.cache_read_input_tokens !== undefined) {
    next.cache_read_input_tokens = (sum?.cache_read_input_tokens ?? 0) + (read ?? 0);
  }
  if (write !== undefined || sum?.cache_write_input_tokens !== undefined) {
    next.cache_write_input_tokens = (sum?.cache_write_input_tokens ?? 0) + (write ?? 0);
  }
  return next;
}

function parseJsonRecord(text: string): Json | null {
  try {
    return asRecord(JSON.parse(text)) ?? null;
  } catch {
    return null;
  }
}

/** modelInvocationOutput: timing, usage, the raw output (clipped) and the parsed response. */
export function onModelOutput(
  state: RecorderState,
  invocation: InvocationState,
  step: StepState,
  part: Json,
): void {
  const metadata = asRecord(part.metadata);
  const timing = metadataTiming(metadata);
  if (timing.startMs !== null) step.startMs = timing.startMs;
  step.endMs = timing.endMs ?? step.endMs;
  step.durationMs = timing.durationMs ?? step.durationMs;
  invocation.bounds.see(timing.startMs);
  invocation.bounds.see(timing.endMs);
  step.modelCalls++;
  const raw = asString(asRecord(part.rawResponse)?.content);
  const usage = asRecord(metadata?.usage);
  if (usage) step.usage = addUsage(step.usage, usage, raw);
  if (raw !== null) {
    const clipped = clip(raw, state.options.maxTextChars);
    step.modelOutput = clipped.text;
    step.modelOutputChars = clipped.chars;
    step.modelOutputTruncated = clipped.truncated;
    if (step.phase === 'routing_classifier') step.routingDecision = routingDecision(raw);
  }
  const reasoning = asString(asRecord(asRecord(part.reasoningContent)?.reasoningText)?.text);
  if (reasoning !== null) step.reasoning = clip(reasoning, state.options.maxTextChars).text;
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

/** rationale: appended to the step's, one line per part. */
export function onRationale(
  invocation: InvocationState,
  basePhase: StepPhase,
  part: Json,
  traceId: string | null,
): void {
  const step = stepFor(invocation, traceId, basePhase);
  const text = asString(part.text);
  if (text !== null) step.rationale = step.rationale === null ? text : `${step.rationale}\n${text}`;
}
