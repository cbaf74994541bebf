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

/** Epoch milliseconds of a Date, an RFC 3339 string (any fraction precision) or epoch ms. */
export function toMillis(value: unknown): number | null {
  if (value instanceof Date) {
    const ms = value.getTime();
    return Number.isNaN(ms) ? null : ms;
  }
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return null;
}

/** ISO string for epoch ms; null for unknown or out-of-range times. */
export function isoOrNull(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return null;
  return new Date(ms).toISOString();
}

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
const STEP_SUFFIX =
  /-(?:\d+|pre-\d+|post-\d+|routing-\d+|guardrail-(?:pre|post)-\d+|KB-[^-]*-\d+)$/;

/**
 * The request a trace belongs to: `traceId` is `<request id>-<step suffix>` (`-0`, `-routing-0`,
 * `-guardrail-pre-0`, `-KB-null-0`, `-post-0`…). One agent run keeps one request id, and a
 * collaborator's request id is the `clientRequestId` its caller's observation reports.
 */
export function requestIdOf(traceId: string | null): string | null {
  if (traceId === null || traceId.length === 0) return null;
  if (UUID_PREFIX.test(traceId)) return traceId.slice(0, 36);
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
