/**
 * Optional raw-stream saving (off by default): a copy of every event, for replay with
 * `revbot export`, with what must not be stored removed. Prompts become a fingerprint
 * placeholder (replays read the fingerprint back), model text is scrubbed of instruction
 * fragments, guardrail matches (often PII) are dropped; Dates and bytes become JSON text.
 */
import type { PromptGuard } from './prompt-guard';
import { redactedPromptPlaceholder } from './prompt-guard';
import type { PromptFingerprint } from './schema';

const REDACTED = '[redacted]';
const utf8 = new TextDecoder('utf-8');

export function redactRawEvents(
  events: unknown[],
  guard: PromptGuard,
  fingerprints: WeakMap<object, PromptFingerprint>,
): unknown[] {
  const copy = (value: unknown, key: string | null): unknown => {
    if (typeof value === 'string') {
      return key === 'match' ? REDACTED : guard.scrub(value, { count: false });
    }
    if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
    if (value instanceof Uint8Array) return utf8.decode(value);
    if (Array.isArray(value)) return value.map((item) => copy(item, null));
    if (typeof value !== 'object') return undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = copy(v, k);
    if (key === 'modelInvocationInput' && typeof (value as { text?: unknown }).text === 'string') {
      const text = (value as { text: string }).text;
      const fingerprint = fingerprints.get(value) ?? guard.fingerprintOnly(text);
      out.text = redactedPromptPlaceholder(fingerprint);
    }
    return out;
  };
  return events.map((event) => copy(event, null));
}
