/**
 * The recorded fixtures every package's tests share: real InvokeAgent response streams and
 * Bedrock action-group events (provenance in `testing/fixtures/`), and the conversion of the
 * saved JSON back to what the SDK yields.
 */
import path from 'node:path';

export const FIXTURES_DIR = path.resolve(import.meta.dirname, '../fixtures');
export const BEDROCK_TRACES_DIR = path.join(FIXTURES_DIR, 'bedrock-traces');
export const ACTION_GROUP_EVENTS_DIR = path.join(FIXTURES_DIR, 'action-group-events');

const TIME_KEYS = new Set(['eventTime', 'startTime', 'endTime']);

/** The same events in the form the AWS SDK for JavaScript v3 yields: Dates and Uint8Arrays. */
export function toSdkForm(events: unknown[]): unknown[] {
  const encoder = new TextEncoder();
  const convert = (value: unknown, key: string | null): unknown => {
    if (typeof value === 'string' && key !== null && TIME_KEYS.has(key)) return new Date(value);
    if (typeof value === 'string' && key === 'bytes') return encoder.encode(value);
    if (Array.isArray(value)) return value.map((v) => convert(v, null));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convert(v, k)]));
    }
    return value;
  };
  return events.map((e) => convert(e, null));
}
