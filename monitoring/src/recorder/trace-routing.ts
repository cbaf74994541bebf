/**
 * Routes a trace event to the concern it speaks of. A trace holds one trace kind (orchestration,
 * routing classifier, pre/post-processing, guardrail, failure, custom orchestration); all but the
 * last three hold one part (model input or output, rationale, invocation input, observation),
 * and inputs and observations in turn name a tool call, a knowledge-base lookup or a collaborator.
 */
import type { StepPhase } from '../schema';
import { asRecord, asString, clip, type Json, toMillis } from '../trace-fields';
import { metadataTiming } from '../trace-readers';
import { resolveInvocation } from './attribution';
import { openCollaboratorCall, settleCollaboratorCall } from './collaborator-calls';
import { onGuardrailTrace } from './guardrails';
import { openKnowledgeBaseLookup, settleKnowledgeBaseLookup } from './knowledge-base-lookups';
import { onModelInput, onModelOutput, onRationale, stepFor } from './model-steps';
import { misunderstood, notAnObject, onFailureTrace } from './recorded-errors';
import type { RecorderState, TracePoint } from './recorder-state';
import {
  openActionGroupCall,
  openCodeInterpreterCall,
  settleActionGroupCall,
  settleCodeInterpreterCall,
} from './tool-calls';

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

/** One `trace` event: dates the stream, finds the agent run, and hands the body to its handler. */
export function onTrace(state: RecorderState, part: Json): void {
  const eventMs = toMillis(part.eventTime);
  if (eventMs !== null) {
    state.streamBounds.see(eventMs);
    state.lastEventMs = state.lastEventMs === null ? eventMs : Math.max(state.lastEventMs, eventMs);
  }
  const inner = asRecord(part.trace);
  const kind = inner ? firstKey(inner, TRACE_KINDS) : undefined;
  if (!inner || !kind) {
    const found = inner ? Object.keys(inner).join(', ') || 'nothing' : 'no trace body';
    misunderstood(state, 'unrecognized_trace', `trace event ${state.stats.events} holds ${found}`);
    return;
  }
  const body = asRecord(inner[kind]);
  if (!body) {
    notAnObject(state, kind);
    return;
  }
  let partKey: PartKey | undefined;
  let partBody: Json | undefined = body;
  if (kind !== 'guardrailTrace' && kind !== 'failureTrace' && kind !== 'customOrchestrationTrace') {
    partKey = firstKey(body, PART_KEYS);
    partBody = partKey ? asRecord(body[partKey]) : undefined;
    if (!partKey || !partBody) {
      misunderstood(
        state,
        'unrecognized_trace',
        `${kind} of event ${state.stats.events} holds ${Object.keys(body).join(', ') || 'nothing'}`,
      );
      return;
    }
  }
  const traceId = asString(partBody.traceId);
  const invocation = resolveInvocation(state, part, traceId);
  invocation.bounds.see(eventMs);

  const at: TracePoint = { state, invocation, traceId, eventMs };
  switch (kind) {
    case 'guardrailTrace':
      onGuardrailTrace(at, body);
      return;
    case 'failureTrace':
      onFailureTrace(at, body);
      return;
    case 'customOrchestrationTrace': {
      const step = stepFor(invocation, traceId, 'custom_orchestration');
      const text = asString(asRecord(body.event)?.text);
      step.notes.push({
        type: 'custom_orchestration',
        text: clip(text, state.options.maxTextChars).text,
        source: null,
      });
      return;
    }
    default:
      onPart(at, kind, partKey as PartKey, partBody);
  }
}

function onPart(at: TracePoint, kind: TraceKind, partKey: PartKey, part: Json): void {
  const { state, invocation, traceId } = at;
  const basePhase: StepPhase =
    kind === 'preProcessingTrace'
      ? 'pre_processing'
      : kind === 'postProcessingTrace'
        ? 'post_processing'
        : kind === 'routingClassifierTrace'
          ? 'routing_classifier'
          : 'orchestration';
  switch (partKey) {
    case 'modelInvocationInput':
      onModelInput(at, basePhase, part);
      return;
    case 'modelInvocationOutput':
      onModelOutput(state, invocation, stepFor(invocation, traceId, basePhase), part);
      return;
    case 'rationale':
      onRationale(invocation, basePhase, part, traceId);
      return;
    case 'invocationInput':
      onInvocationInput(at, kind, part);
      return;
    case 'observation':
      onObservation(at, part);
      return;
  }
}

function onInvocationInput(at: TracePoint, kind: TraceKind, part: Json): void {
  const { state, traceId } = at;
  const actionGroup = asRecord(part.actionGroupInvocationInput);
  const knowledgeBase = asRecord(part.knowledgeBaseLookupInput);
  const collaborator = asRecord(part.agentCollaboratorInvocationInput);
  const codeInterpreter = asRecord(part.codeInterpreterInvocationInput);
  if (actionGroup) {
    openActionGroupCall(at, actionGroup);
  } else if (codeInterpreter) {
    openCodeInterpreterCall(at, codeInterpreter);
  } else if (knowledgeBase) {
    openKnowledgeBaseLookup(at, knowledgeBase);
  } else if (collaborator) {
    const via = kind === 'routingClassifierTrace' ? 'routing_classifier' : 'supervisor';
    openCollaboratorCall(at, collaborator, via);
  } else if (asString(part.invocationType) !== 'FINISH') {
    misunderstood(
      state,
      'unrecognized_trace',
      `invocationInput of type ${asString(part.invocationType) ?? 'unknown'} carries no input`,
      traceId,
    );
  }
}

/** An observation settles what an input opened, or ends the run (final response, FINISH). */
function onObservation(at: TracePoint, part: Json): void {
  const { state, invocation, traceId } = at;
  const type = asString(part.type);
  const actionGroup = asRecord(part.actionGroupInvocationOutput);
  const knowledgeBase = asRecord(part.knowledgeBaseLookupOutput);
  const collaborator = asRecord(part.agentCollaboratorInvocationOutput);
  const codeInterpreter = asRecord(part.codeInterpreterInvocationOutput);
  const finalResponse = asRecord(part.finalResponse);
  const reprompt = asRecord(part.repromptResponse);

  if (actionGroup) settleActionGroupCall(at, actionGroup);
  if (codeInterpreter) settleCodeInterpreterCall(at, codeInterpreter);
  if (knowledgeBase) settleKnowledgeBaseLookup(at, knowledgeBase);
  if (collaborator) settleCollaboratorCall(at, collaborator);
  if (reprompt) {
    stepFor(invocation, traceId, 'orchestration').notes.push({
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
      stepFor(invocation, traceId, 'orchestration').notes.push({
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
    stepFor(invocation, traceId, 'orchestration').notes.push({
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
    misunderstood(
      state,
      'unrecognized_trace',
      `observation of type ${type ?? 'unknown'} carries no output`,
      traceId,
    );
  }
}
