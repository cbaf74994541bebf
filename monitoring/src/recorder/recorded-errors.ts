/**
 * The errors a conversation record carries: events the recorder could not read, a stream that
 * ended in an exception, and failures an agent reported in a failure trace.
 */
import type { ConversationError } from '../schema';
import { asNumber, asString, isoOrNull, type Json } from '../trace-fields';
import type { RecorderState, TracePoint } from './recorder-state';

/** Notes an event the recorder could not make sense of; the rest of the stream still counts. */
export function misunderstood(
  state: RecorderState,
  kind: ConversationError['kind'],
  message: string,
  traceId: string | null = null,
): void {
  state.stats.misunderstoodEvents++;
  state.errors.push({
    kind,
    message,
    agent_index: null,
    trace_id: traceId,
    at: isoOrNull(state.lastEventMs),
  });
}

/** A part of the current event (`chunk`, `returnControl`, a trace kind) that is not an object. */
export function notAnObject(state: RecorderState, part: string): void {
  misunderstood(
    state,
    'malformed_event',
    `${part} of event ${state.stats.events} is not an object`,
  );
}

/** The stream itself broke (an exception event, or the runtime threw). */
export function recordStreamError(state: RecorderState, message: string): void {
  state.streamFailed = true;
  state.errors.push({
    kind: 'stream_error',
    message,
    agent_index: null,
    trace_id: null,
    at: isoOrNull(state.lastEventMs),
  });
}

/** A failureTrace: the agent run failed, for the reason and code it gives. */
export function onFailureTrace(at: TracePoint, body: Json): void {
  const { state, invocation, traceId, eventMs } = at;
  invocation.failed = true;
  const reason = asString(body.failureReason) ?? 'the agent reported a failure without a reason';
  const code = asNumber(body.failureCode);
  state.errors.push({
    kind: 'agent_failure',
    message: code === null ? reason : `${reason} (code ${code})`,
    agent_index: invocation.index,
    trace_id: traceId,
    at: isoOrNull(eventMs),
  });
}
