/**
 * Tool calls of an agent run: action-group and code-interpreter calls, opened by an
 * invocationInput and settled by the matching observation, and the calls an agent hands back to
 * the caller (returnControl), which never get a result in the stream.
 */
import type { ToolCall } from '../schema';
import { asArray, asRecord, asString, clip, type Json } from '../trace-fields';
import { looksLikeFailure, parametersOf, requestBodyOf } from '../trace-readers';
import { openInvocation } from './attribution';
import { misunderstood, notAnObject } from './recorded-errors';
import {
  type InvocationState,
  type RecorderState,
  settleSpan,
  type ToolCallState,
  type TracePoint,
} from './recorder-state';

function newToolCall(
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

/** actionGroupInvocationInput: the function or API path called and its parameters. */
export function openActionGroupCall(at: TracePoint, input: Json): void {
  const { invocation, traceId, eventMs } = at;
  invocation.toolCalls.push(
    newToolCall(traceId, 'action_group', eventMs, {
      action_group: asString(input.actionGroupName),
      function: asString(input.function),
      api_path: asString(input.apiPath),
      http_method: asString(input.verb),
      execution_type: asString(input.executionType),
      invocation_id: asString(input.invocationId),
      parameters: parametersOf(input.parameters),
      request_body: requestBodyOf(input.requestBody),
    }),
  );
}

/** codeInterpreterInvocationInput: the code (clipped) and the files it was given. */
export function openCodeInterpreterCall(at: TracePoint, input: Json): void {
  const { state, invocation, traceId, eventMs } = at;
  invocation.toolCalls.push(
    newToolCall(traceId, 'code_interpreter', eventMs, {
      action_group: 'CodeInterpreter',
      code: clip(asString(input.code), state.options.maxTextChars).text,
      parameters: asArray(input.files)
        .filter((f): f is string => typeof f === 'string')
        .map((file) => ({ name: 'file', type: 'string', value: file })),
    }),
  );
}

/** actionGroupInvocationOutput: the tool's answer. */
export function settleActionGroupCall(at: TracePoint, output: Json): void {
  const { state, invocation, traceId, eventMs } = at;
  settleTool(
    state,
    invocation,
    traceId,
    'action_group',
    asString(output.text),
    false,
    asRecord(output.metadata),
    eventMs,
  );
}

/** codeInterpreterInvocationOutput: the output, or the error or time-out that replaced it. */
export function settleCodeInterpreterCall(at: TracePoint, output: Json): void {
  const { state, invocation, traceId, eventMs } = at;
  const error = asString(output.executionError);
  const result = asString(output.executionOutput);
  const timedOut = output.executionTimeout === true;
  settleTool(
    state,
    invocation,
    traceId,
    'code_interpreter',
    error ?? result ?? (timedOut ? 'execution timed out' : null),
    error !== null || timedOut,
    asRecord(output.metadata),
    eventMs,
  );
}

function pendingTool(
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

function settleTool(
  state: RecorderState,
  invocation: InvocationState,
  traceId: string | null,
  kind: ToolCall['kind'],
  result: string | null,
  failed: boolean,
  metadata: Json | undefined,
  eventMs: number | null,
): void {
  let tool = pendingTool(invocation, traceId, kind);
  if (!tool) {
    misunderstood(
      state,
      'unmatched_observation',
      `a ${kind} result arrived with no matching call`,
      traceId,
    );
    tool = newToolCall(traceId, kind, null, {});
    invocation.toolCalls.push(tool);
  }
  const clipped = clip(result, state.options.maxTextChars);
  tool.call.result = clipped.text;
  tool.call.result_chars = clipped.chars;
  tool.call.result_truncated = clipped.truncated;
  tool.status = failed || looksLikeFailure(result) ? 'failure' : 'success';
  settleSpan(invocation, tool, metadata, eventMs);
}

/**
 * returnControl: the calls an agent leaves to the caller, recorded on `owner` (a collaborator
 * handing back) or on the run of the agent each call names.
 */
export function onReturnControl(
  state: RecorderState,
  payload: Json | undefined,
  owner?: InvocationState,
): void {
  if (!payload) {
    notAnObject(state, 'returnControl');
    return;
  }
  state.returnedControl = true;
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
      (agentId ? state.byAgent.get(agentId)?.at(-1) : undefined) ??
      state.root ??
      openInvocation(state, 'unknown', 1, [], {}, null);
    target.toolCalls.push(
      newToolCall(null, 'return_control', state.lastEventMs, {
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
