/**
 * Which agent run an event belongs to. An event belongs to the agent named by `agentId` (or the
 * last `callerChain` ARN), never by `collaboratorName` (it keeps the first-level name deeper down)
 * nor `sessionId` (each collaborator runs in a session of its own). One agent run is one request
 * id (the `traceId` prefix); a run a collaborator call announced is linked to that call.
 */
import {
  agentIdFromAliasArn,
  asArray,
  asRecord,
  asString,
  type Json,
  requestIdOf,
} from '../trace-fields';
import {
  Bounds,
  type CollabState,
  type InvocationState,
  type RecorderState,
} from './recorder-state';

/** The run a trace belongs to, opening a new one when none known fits. */
export function resolveInvocation(
  state: RecorderState,
  part: Json,
  traceId: string | null,
): InvocationState {
  const chain = asArray(part.callerChain);
  const lastCaller = asRecord(chain[chain.length - 1]);
  let agentId = asString(part.agentId) ?? agentIdFromAliasArn(lastCaller?.agentAliasArn);
  if (agentId === null) {
    state.stats.unattributedEvents++;
    if (state.root) return state.root;
    agentId = 'unknown';
  }
  const depth =
    chain.length > 0 ? chain.length : state.root && state.root.agentId !== agentId ? 2 : 1;
  const requestId = requestIdOf(traceId);
  if (requestId !== null) {
    const known = state.byRequest.get(agentId)?.get(requestId);
    if (known) return remember(state, known, requestId, part);
  }
  if (depth <= 1 && state.root && state.root.agentId === agentId) {
    return remember(state, state.root, requestId, part);
  }
  const pending = takePendingCall(state, agentId, asString(part.collaboratorName), depth);
  const latest = state.byAgent.get(agentId)?.at(-1);
  if (!pending && latest && (!latest.finished || requestId === null)) {
    return remember(state, latest, requestId, part);
  }
  return remember(
    state,
    openInvocation(state, agentId, depth, chain, part, pending),
    requestId,
    part,
  );
}

/** Notes the request id and identity fields a run's traces carry. */
function remember(
  state: RecorderState,
  invocation: InvocationState,
  requestId: string | null,
  part: Json,
): InvocationState {
  if (requestId !== null && !invocation.requestIds.includes(requestId)) {
    invocation.requestIds.push(requestId);
    let runs = state.byRequest.get(invocation.agentId);
    if (!runs) {
      runs = new Map();
      state.byRequest.set(invocation.agentId, runs);
    }
    runs.set(requestId, invocation);
  }
  if (invocation.sessionId === null) invocation.sessionId = asString(part.sessionId);
  if (invocation.aliasId === null) invocation.aliasId = asString(part.agentAliasId);
  if (invocation.version === null) invocation.version = asString(part.agentVersion);
  return invocation;
}

function takePendingCall(
  state: RecorderState,
  agentId: string,
  collaboratorName: string | null,
  depth: number,
): CollabState | null {
  let at = state.pendingCalls.findIndex((call) => call.recipientAgentId === agentId);
  if (at < 0) {
    const known = state.names.get(agentId);
    at = state.pendingCalls.findIndex(
      (call) =>
        call.recipientAgentId === null &&
        (call.recipient === known || (depth === 2 && call.recipient === collaboratorName)),
    );
  }
  if (at < 0) return null;
  const [call] = state.pendingCalls.splice(at, 1);
  return call ?? null;
}

/** Starts a new agent run, named and placed under its caller as well as the stream tells. */
export function openInvocation(
  state: RecorderState,
  agentId: string,
  chainDepth: number,
  chain: unknown[],
  part: Json,
  call: CollabState | null,
): InvocationState {
  const owner = call ? state.flow[call.ownerIndex] : undefined;
  let callerIndex: number | null = owner ? owner.index : null;
  if (callerIndex === null && chain.length > 1) {
    const callerId = agentIdFromAliasArn(asRecord(chain[chain.length - 2])?.agentAliasArn);
    callerIndex = callerId ? (state.byAgent.get(callerId)?.at(-1)?.index ?? null) : null;
  }
  const depth = chain.length > 0 ? chainDepth : owner ? owner.depth + 1 : chainDepth;
  const name =
    state.options.agentNames?.[agentId] ??
    call?.recipient ??
    state.names.get(agentId) ??
    (depth === 1 ? state.options.rootAgentName : null) ??
    (depth === 2 ? asString(part.collaboratorName) : null) ??
    agentId;
  state.names.set(agentId, name);
  const invocation: InvocationState = {
    index: state.flow.length,
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
  state.flow.push(invocation);
  const list = state.byAgent.get(agentId);
  if (list) list.push(invocation);
  else state.byAgent.set(agentId, [invocation]);
  if (call) call.childIndex = invocation.index;
  if (depth === 1 && state.root === null) state.root = invocation;
  return invocation;
}
