/**
 * Readers for the parts of a trace event the recorder keeps: timings, tool parameters, request
 * bodies, knowledge-base references, guardrail findings, tool outcomes, routing choices, chunk
 * bytes. Pure and defensive: odd input gives an empty or null answer, never an exception.
 */
import type { GuardrailFinding, Reference, ToolCall, ToolParameter } from './schema';
import {
  asArray,
  asNumber,
  asRecord,
  asString,
  clip,
  isoOrNull,
  type Json,
  toMillis,
} from './trace-fields';

const EXCERPT_CHARS = 500;
const REFERENCES_KEPT = 20;

export interface Timed {
  startMs: number | null;
  endMs: number | null;
  durationMs: number | null;
}

export const durationBetween = (start: number | null, end: number | null): number | null =>
  start !== null && end !== null && end >= start ? end - start : null;

export function spanOf(timed: Timed): {
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
} {
  return {
    started_at: isoOrNull(timed.startMs),
    ended_at: isoOrNull(timed.endMs),
    duration_ms: timed.durationMs ?? durationBetween(timed.startMs, timed.endMs),
  };
}

const nonNegative = (n: number | null): number | null => (n !== null && n >= 0 ? n : null);

/** Timing from an SDK `Metadata` block. */
export function metadataTiming(metadata: Json | undefined): Timed {
  return {
    startMs: toMillis(metadata?.startTime),
    endMs: toMillis(metadata?.endTime),
    durationMs: nonNegative(
      asNumber(metadata?.totalTimeMs) ?? asNumber(metadata?.operationTotalTimeMs),
    ),
  };
}

export function parametersOf(value: unknown): ToolParameter[] {
  const out: ToolParameter[] = [];
  for (const item of asArray(value)) {
    const p = asRecord(item);
    if (!p) continue;
    out.push({
      name: asString(p.name),
      type: asString(p.type),
      value:
        typeof p.value === 'string' ? p.value : p.value == null ? null : JSON.stringify(p.value),
    });
  }
  return out;
}

/** `requestBody.content.<mime>` holds a parameter list (traces) or `{properties}` (return control). */
export function requestBodyOf(value: unknown): ToolCall['request_body'] {
  const content = asRecord(asRecord(value)?.content);
  if (!content) return null;
  for (const [contentType, body] of Object.entries(content)) {
    const properties = Array.isArray(body) ? body : asRecord(body)?.properties;
    return { content_type: contentType, properties: parametersOf(properties) };
  }
  return null;
}

export function referencesOf(value: unknown): { references: Reference[]; count: number } {
  const all = asArray(value);
  const references: Reference[] = [];
  for (const item of all.slice(0, REFERENCES_KEPT)) {
    const ref = asRecord(item);
    if (!ref) continue;
    const location = asRecord(ref.location);
    const metadata = asRecord(ref.metadata);
    let uri = asString(metadata?.['x-amz-bedrock-kb-source-uri']);
    if (uri === null && location) {
      for (const [key, loc] of Object.entries(location)) {
        if (key === 'type') continue;
        const l = asRecord(loc);
        uri = asString(l?.uri) ?? asString(l?.url) ?? asString(l?.id) ?? asString(l?.query);
        if (uri !== null) break;
      }
    }
    references.push({
      source_uri: uri,
      location_type: asString(location?.type),
      excerpt: clip(asString(asRecord(ref.content)?.text), EXCERPT_CHARS).text,
    });
  }
  return { references, count: all.length };
}

const FINDING_SOURCES: [string, string, GuardrailFinding['policy'], string][] = [
  ['contentPolicy', 'filters', 'content', 'type'],
  ['topicPolicy', 'topics', 'topic', 'name'],
  ['wordPolicy', 'customWords', 'word', 'type'],
  ['wordPolicy', 'managedWordLists', 'managed_word', 'type'],
  ['sensitiveInformationPolicy', 'piiEntities', 'sensitive_information', 'type'],
  ['sensitiveInformationPolicy', 'regexes', 'regex', 'name'],
];

/** Which policies matched; the matched text (`match`, often PII) is deliberately dropped. */
export function guardrailFindings(assessments: unknown[]): GuardrailFinding[] {
  const findings: GuardrailFinding[] = [];
  for (const item of assessments) {
    const assessment = asRecord(item);
    if (!assessment) continue;
    for (const [policyKey, listKey, policy, typeKey] of FINDING_SOURCES) {
      for (const entry of asArray(asRecord(assessment[policyKey])?.[listKey])) {
        const e = asRecord(entry);
        if (!e) continue;
        findings.push({
          policy,
          type: asString(e[typeKey]) ?? asString(e.type),
          action: asString(e.action),
          confidence: asString(e.confidence),
        });
      }
    }
  }
  return findings;
}

/** A tool result that reports failure: `{success:false}`, `{error:…}`, or text opening with "Error". */
export function looksLikeFailure(result: string | null): boolean {
  if (result === null) return false;
  const head = result.trimStart();
  if (/^(error|exception|failed)\b/i.test(head)) return true;
  // Parse only what could say so: most results carry none of these words.
  const mayReport = head.includes('false') || head.includes('"error"') || head.includes('"status"');
  if (mayReport && head.startsWith('{') && head.length <= 100_000) {
    try {
      const parsed = asRecord(JSON.parse(head));
      if (!parsed) return false;
      if (parsed.success === false || parsed.ok === false) return true;
      if (parsed.error !== undefined && parsed.error !== null && parsed.error !== false)
        return true;
      const status = asString(parsed.status)?.toLowerCase();
      return status === 'error' || status === 'failed' || status === 'failure';
    } catch {
      return false;
    }
  }
  return false;
}

const ROUTING_CHOICE = /<a>([^<]{1,200})<\/a>/g;

export function routingDecision(raw: string | null): string | null {
  if (raw === null) return null;
  let last: string | null = null;
  for (const match of raw.matchAll(ROUTING_CHOICE)) last = (match[1] ?? '').trim();
  return last;
}

/**
 * Whether `text` lies, at a word boundary, inside `source`, and scanning `source` found nothing
 * (`scanned === source`): then `text` holds no instructions either.
 */
export function insideCleanText(
  text: string | null,
  source: string | null,
  scanned: string | null,
): boolean {
  if (text === null || source === null || scanned !== source) return false;
  const at = source.indexOf(text);
  return at === 0 || (at > 0 && !/[A-Za-z0-9]/.test(source[at - 1] as string));
}

export function decodeChunkBytes(bytes: unknown): Uint8Array | string | null {
  if (typeof bytes === 'string') return bytes;
  if (bytes instanceof Uint8Array) return bytes;
  // A Buffer that went through JSON.stringify, or a plain byte array.
  const data = Array.isArray(bytes) ? bytes : asRecord(bytes)?.data;
  if (Array.isArray(data) && data.every((b) => typeof b === 'number' && b >= 0 && b < 256)) {
    return Uint8Array.from(data as number[]);
  }
  return null;
}
