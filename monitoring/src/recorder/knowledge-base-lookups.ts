/** Knowledge-base lookups of an agent run: the query when it is asked, the references it returns. */
import { asRecord, asString, type Json } from '../trace-fields';
import { referencesOf } from '../trace-readers';
import { misunderstood } from './recorded-errors';
import { type KbState, settleSpan, type TracePoint } from './recorder-state';

/** knowledgeBaseLookupInput: a lookup waiting for its references. */
export function openKnowledgeBaseLookup(at: TracePoint, input: Json): void {
  const { invocation, traceId, eventMs } = at;
  invocation.kbLookups.push({
    lookup: {
      trace_id: traceId,
      knowledge_base_id: asString(input.knowledgeBaseId),
      query: asString(input.text),
      reference_count: 0,
      references: [],
    },
    pending: true,
    inputMs: eventMs,
    startMs: eventMs,
    endMs: null,
    durationMs: null,
  });
}

/** knowledgeBaseLookupOutput: the references, paired with the lookup of the same trace. */
export function settleKnowledgeBaseLookup(at: TracePoint, output: Json): void {
  const { state, invocation, traceId, eventMs } = at;
  let lookup =
    invocation.kbLookups.find((k) => k.pending && k.lookup.trace_id === traceId) ??
    invocation.kbLookups.find((k) => k.pending);
  if (!lookup) {
    misunderstood(
      state,
      'unmatched_observation',
      'a knowledge-base result arrived with no matching lookup',
      traceId,
    );
    const orphan: KbState = {
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
    lookup = orphan;
    invocation.kbLookups.push(lookup);
  }
  const { references, count } = referencesOf(output.retrievedReferences);
  lookup.lookup.references = references;
  lookup.lookup.reference_count = count;
  lookup.pending = false;
  settleSpan(invocation, lookup, asRecord(output.metadata), eventMs);
}
