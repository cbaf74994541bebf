/** Guardrail checks of an agent run; an intervention on the input blocks the run. */
import type { GuardrailCheck } from '../schema';
import { asArray, asRecord, asString, type Json } from '../trace-fields';
import { guardrailFindings, metadataTiming } from '../trace-readers';
import type { TracePoint } from './recorder-state';

/** guardrailTrace: its stage comes from the trace id (`guardrail-pre`/`-post`), else the assessments. */
export function onGuardrailTrace(at: TracePoint, body: Json): void {
  const { invocation, traceId, eventMs } = at;
  const inputs = asArray(body.inputAssessments);
  const outputs = asArray(body.outputAssessments);
  const stage: GuardrailCheck['stage'] = traceId?.includes('guardrail-pre')
    ? 'input'
    : traceId?.includes('guardrail-post')
      ? 'output'
      : inputs.length > 0
        ? 'input'
        : outputs.length > 0
          ? 'output'
          : 'unknown';
  const action = asString(body.action);
  const intervened = action === 'INTERVENED';
  const timing = metadataTiming(asRecord(body.metadata));
  invocation.bounds.see(timing.startMs);
  invocation.bounds.see(timing.endMs);
  invocation.guardrails.push({
    check: {
      trace_id: traceId,
      stage,
      action,
      intervened,
      findings: guardrailFindings([...inputs, ...outputs]),
    },
    startMs: timing.startMs ?? eventMs,
    endMs: timing.endMs ?? eventMs,
    durationMs: timing.durationMs,
  });
  if (intervened && stage === 'input') invocation.blocked = true;
}
