/**
 * Turns an InvokeAgent event stream into a conversation record, one event at a time, while the
 * agents run. Processors feed every event to `add`, then call `finish` for the two export files.
 *
 * The recorder only coordinates: it sorts events (trace, chunk, returnControl, exception) to the
 * modules beside it, which share one RecorderState; attribution.ts says which agent run an event
 * belongs to, finish-record.ts builds the record.
 */
import type { AgentStreamEvent } from '@revbot/agents';
import { asRecord, asString } from '../trace-fields';
import type { ConversationContext, ConversationRecord, RecorderOptions } from '../types';
import { onChunk } from './chunks';
import { finishRecord } from './finish-record';
import { misunderstood, recordStreamError } from './recorded-errors';
import { createRecorderState, type RecorderState } from './recorder-state';
import { onReturnControl } from './tool-calls';
import { onTrace } from './trace-routing';

export class ConversationRecorder {
  private readonly state: RecorderState;
  private finished = false;

  constructor(context: ConversationContext, options: RecorderOptions = {}) {
    if (typeof context.conversationId !== 'string' || context.conversationId.trim() === '') {
      throw new TypeError('ConversationRecorder needs a non-empty conversationId');
    }
    this.state = createRecorderState(context, options);
  }

  /** Agent id → name as learned so far (for progress hints at any depth). */
  get agentNames(): ReadonlyMap<string, string> {
    return this.state.names;
  }

  /** Feeds one stream event. Never throws: odd events are recorded as errors. */
  add(event: AgentStreamEvent | unknown): void {
    if (this.finished) return;
    const state = this.state;
    state.stats.events++;
    if (state.options.keepRawEvents) state.rawEvents.push(event);
    try {
      this.dispatch(event);
    } catch (error) {
      // Defensive: a shape no reader anticipated must not lose the rest of the conversation.
      misunderstood(
        state,
        'malformed_event',
        `event ${state.stats.events} could not be read: ${String(error)}`,
      );
    }
  }

  /** Records why the stream ended early (the runtime threw); the record stays exportable. */
  recordFailure(error: unknown): void {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    recordStreamError(this.state, message.split('\n')[0] ?? message);
  }

  /** Closes the record: pairs what is left, checks quality, and returns both export files. */
  finish(): ConversationRecord {
    if (this.finished) throw new Error('ConversationRecorder.finish() was already called');
    this.finished = true;
    return finishRecord(this.state);
  }

  private dispatch(event: unknown): void {
    const state = this.state;
    const e = asRecord(event);
    if (!e) {
      misunderstood(state, 'malformed_event', `event ${state.stats.events} is not an object`);
      return;
    }
    if (e.trace !== undefined) {
      state.stats.traceEvents++;
      const trace = asRecord(e.trace);
      if (trace) onTrace(state, trace);
      else
        misunderstood(
          state,
          'malformed_event',
          `event ${state.stats.events}: trace is not an object`,
        );
    } else if (e.chunk !== undefined) {
      state.stats.chunkEvents++;
      onChunk(state, asRecord(e.chunk));
    } else if (e.returnControl !== undefined) {
      state.stats.returnControlEvents++;
      onReturnControl(state, asRecord(e.returnControl));
    } else {
      const exception = Object.keys(e).find((key) => key.endsWith('Exception'));
      if (exception) {
        const message = asString(asRecord(e[exception])?.message);
        recordStreamError(state, message ? `${exception}: ${message}` : exception);
      } else if (e.files === undefined) {
        misunderstood(
          state,
          'malformed_event',
          `event ${state.stats.events} has none of trace, chunk or returnControl`,
        );
      }
    }
  }
}
