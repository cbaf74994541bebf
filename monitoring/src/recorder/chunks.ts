/**
 * Chunk events: the final answer's text, decoded across chunk boundaries, and its citations.
 * Chunks carry no timestamp, so the first one is dated by the last trace seen before it.
 */
import { asArray, asNumber, asRecord, asString, type Json } from '../trace-fields';
import { decodeChunkBytes, referencesOf } from '../trace-readers';
import { misunderstood, notAnObject } from './recorded-errors';
import type { RecorderState } from './recorder-state';

export function onChunk(state: RecorderState, chunk: Json | undefined): void {
  if (!chunk) {
    notAnObject(state, 'chunk');
    return;
  }
  if (!state.chunkSeen) {
    state.chunkSeen = true;
    // Chunks carry no timestamp: the stream's own clock at that point is the best estimate.
    state.firstChunkMs = state.lastEventMs;
  }
  if (chunk.bytes !== undefined) {
    const bytes = decodeChunkBytes(chunk.bytes);
    if (typeof bytes === 'string') state.chunkText += state.decoder.decode() + bytes;
    else if (bytes) state.chunkText += state.decoder.decode(bytes, { stream: true });
    else
      misunderstood(
        state,
        'malformed_event',
        `chunk of event ${state.stats.events} has unreadable bytes`,
      );
  }
  for (const item of asArray(asRecord(chunk.attribution)?.citations)) {
    const citation = asRecord(item);
    if (!citation) continue;
    const textPart = asRecord(asRecord(citation.generatedResponsePart)?.textResponsePart);
    const span = asRecord(textPart?.span);
    const start = asNumber(span?.start);
    const end = asNumber(span?.end);
    state.citations.push({
      text: asString(textPart?.text),
      span:
        start !== null && end !== null ? { start: Math.trunc(start), end: Math.trunc(end) } : null,
      references: referencesOf(citation.retrievedReferences).references,
    });
  }
}
