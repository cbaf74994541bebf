/**
 * Defensive readers for InvokeAgent stream fields. Events reach the recorder from the SDK (Dates,
 * Uint8Arrays), from saved JSON (ISO strings, text) or damaged by truncation, so every read
 * checks its type and none throws.
 */

export type Json = Record<string, unknown>;

export const asRecord = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;

export const asString = (value: unknown): string | null =>
  typeof value === 'string' ? value : null;

export const asNumber = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;

export const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export const asBoolean = (value: unknown): boolean | null =>
  typeof value === 'boolean' ? value : null;

const digits = (text: string, from: number, count: number): number => {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
};

/**
 * `2025-05-21T09:49:01.981822147Z` (the wire format: UTC, any fraction) read without Date.parse,
 * which is several times slower and runs for every event; null when the text is not that shape.
 */
function utcIsoMillis(text: string): number | null {
  if (text.length < 20 || text.charCodeAt(text.length - 1) !== 90 /* Z */) return null;
  if (
    text[4] !== '-' ||
    text[7] !== '-' ||
    text[10] !== 'T' ||
    text[13] !== ':' ||
    text[16] !== ':'
  ) {
    return null;
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23)
    return null;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  let ms = 0;
  if (text.length > 20) {
    if (text[19] !== '.') return null;
    const fraction = text.length - 21;
    if (fraction < 1 || digits(text, 20, fraction) < 0) return null;
    ms = digits(text, 20, Math.min(3, fraction)) * (fraction >= 3 ? 1 : fraction === 2 ? 10 : 100);
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** Epoch milliseconds of a Date, an RFC 3339 string (any fraction precision) or epoch ms. */
export function toMillis(value: unknown): number | null {
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isNaN(ms) ? null : ms;
  }
  if (typeof value === 'string') {
    const fast = utcIsoMillis(value);
    if (fast !== null) return fast;
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return null;
}

/** ISO string for epoch ms; null for unknown or out-of-range times. */
export function isoOrNull(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return null;
  // A record holds thousands of times, mostly within one day: reuse the date part.
  const whole = Math.floor(ms);
  const day = Math.floor(whole / 86_400_000);
  if (day !== cachedDay || cachedPrefix === null) {
    const iso = new Date(whole).toISOString();
    if (iso.length !== 24) return iso;
    cachedDay = day;
    cachedPrefix = iso.slice(0, 11);
  }
  const inDay = whole - day * 86_400_000;
  const h = Math.floor(inDay / 3_600_000);
  const m = Math.floor((inDay % 3_600_000) / 60_000);
  const sec = Math.floor((inDay % 60_000) / 1000);
  const milli = inDay % 1000;
  return `${cachedPrefix}${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}:${sec < 10 ? '0' : ''}${sec}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
let cachedDay = Number.NaN;
let cachedPrefix: string | null = null;

/** `arn:aws:bedrock:<region>:<account>:agent-alias/<agentId>/<aliasId>` → agent id. */
export function agentIdFromAliasArn(arn: unknown): string | null {
  if (typeof arn !== 'string') return null;
  const marker = arn.indexOf('agent-alias/');
  if (marker < 0) return null;
  const rest = arn.slice(marker + 'agent-alias/'.length);
  const slash = rest.indexOf('/');
  const id = slash < 0 ? rest : rest.slice(0, slash);
  return id.length > 0 ? id : null;
}

const UUID_PREFIX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-/i;
/** Dashes where a UUID-prefixed traceId has them: a cheap test before the regex. */
const uuidShaped = (id: string): boolean =>
  id.length > 37 &&
  id[8] === '-' &&
  id[13] === '-' &&
  id[18] === '-' &&
  id[23] === '-' &&
  id[36] === '-';
const STEP_SUFFIX =
  /-(?:\d+|pre-\d+|post-\d+|routing-\d+|guardrail-(?:pre|post)-\d+|KB-[^-]*-\d+)$/;

/**
 * The request a trace belongs to: `traceId` is `<request id>-<step suffix>` (`-0`, `-routing-0`,
 * `-guardrail-pre-0`, `-KB-null-0`, `-post-0`…). One agent run keeps one request id, and a
 * collaborator's request id is the `clientRequestId` its caller's observation reports.
 */
export function requestIdOf(traceId: string | null): string | null {
  if (traceId === null || traceId.length === 0) return null;
  if (uuidShaped(traceId) && UUID_PREFIX.test(traceId)) return traceId.slice(0, 36);
  const suffix = STEP_SUFFIX.exec(traceId);
  return suffix ? traceId.slice(0, suffix.index) : traceId;
}

/** Clip text to `max` characters. */
export function clip(
  text: string | null,
  max: number,
): { text: string | null; chars: number; truncated: boolean } {
  if (text === null) return { text: null, chars: 0, truncated: false };
  if (text.length <= max) return { text, chars: text.length, truncated: false };
  return { text: `${text.slice(0, max)}…`, chars: text.length, truncated: true };
}
