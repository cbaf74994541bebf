/**
 * Calls from a supervisor (or routing classifier) to a collaborator agent: the message sent, the
 * answer, and the link to the collaborator's own run. A call stays pending until the callee's
 * first trace claims it, so the callee's run knows who called it and with what message.
 */
import { agentIdFromAliasArn, asRecord, asString, type Json, requestIdOf } from '../trace-fields';
import { misunderstood } from './recorded-errors';
import { type CollabState, settleSpan, type TracePoint } from './recorder-state';
import { onReturnControl } from './tool-calls';

/** agentCollaboratorInvocationInput: a call waiting for the callee's run and answer. */
export function openCollaboratorCall(at: TracePoint, input: Json, via: CollabState['via']): void {
  const { state, invocation, traceId, eventMs } = at;
  const arn = asString(input.agentCollaboratorAliasArn);
  const recipientAgentId = agentIdFromAliasArn(arn);
  const recipient =
    asString(input.agentCollaboratorName) ??
    (recipientAgentId ? state.names.get(recipientAgentId) : undefined) ??
    recipientAgentId ??
    'unknown';
  if (recipientAgentId && !state.options.agentNames?.[recipientAgentId]) {
    state.names.set(recipientAgentId, recipient);
  }
  const call: CollabState = {
    ownerIndex: invocation.index,
    traceId,
    via,
    recipient,
    recipientAgentId,
    recipientAliasArn: arn,
    message: asString(asRecord(input.input)?.text),
    output: null,
    status: 'pending',
    childIndex: null,
    inputMs: eventMs,
    startMs: eventMs,
    endMs: null,
    durationMs: null,
  };
  invocation.collaboratorCalls.push(call);
  state.pendingCalls.push(call);
}

/** agentCollaboratorInvocationOutput: the answer, which also finishes the callee's run. */
export function settleCollaboratorCall(at: TracePoint, output: Json): void {
  const { state, invocation, traceId, eventMs } = at;
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
    misunderstood(
      state,
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
  const pendingAt = state.pendingCalls.indexOf(call);
  if (pendingAt >= 0) state.pendingCalls.splice(pendingAt, 1);
  const payload = asRecord(output.output);
  call.output = asString(payload?.text);
  const returnControl = asRecord(payload?.returnControlPayload);
  call.status = returnControl ? 'returned_control' : 'success';
  const metadata = asRecord(output.metadata);
  settleSpan(invocation, call, metadata, eventMs);
  // The child run's request id is the clientRequestId the caller reports: the surest link.
  const childRequest = requestIdOf(asString(metadata?.clientRequestId));
  const agentId = childAgentId ?? call.recipientAgentId;
  const child =
    (agentId && childRequest ? state.byRequest.get(agentId)?.get(childRequest) : undefined) ??
    (call.childIndex !== null ? state.flow[call.childIndex] : undefined);
  if (child) {
    call.childIndex = child.index;
    child.finished = true;
    if (child.output === null) child.output = call.output;
  }
  if (returnControl) onReturnControl(state, returnControl, child ?? invocation);
}
