/**
 * Reads a saved event stream (a JSON array of `{trace}` / `{chunk}` / `{returnControl}` events,
 * as `revbot export` takes and `events.json` holds). Bad input gets one line naming the problem.
 */
import { z } from 'zod';
import { StreamFormatError } from './errors';

const body = z.looseObject({});
const savedEventSchema = z.union([
  z.looseObject({ trace: body }),
  z.looseObject({ chunk: body }),
  z.looseObject({ returnControl: body }),
]);

const describe = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'object'
        ? 'an object'
        : `a ${typeof value}`;

/** The events of a saved stream, in order, exactly as saved. */
export function parseSavedStream(text: string, source = 'the stream'): unknown[] {
  if (text.trim() === '') throw new StreamFormatError(`${source} is empty`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StreamFormatError(`${source} is not valid JSON (${reason.split('\n')[0]})`);
  }
  if (!Array.isArray(parsed)) {
    throw new StreamFormatError(
      `${source} must be a JSON array of {trace}/{chunk} events, but it is ${describe(parsed)}`,
    );
  }
  if (parsed.length === 0)
    throw new StreamFormatError(`${source} holds no events (an empty array)`);
  for (let i = 0; i < parsed.length; i++) {
    if (!savedEventSchema.safeParse(parsed[i]).success) {
      const keys = Object.keys(parsed[i] ?? {})
        .slice(0, 5)
        .join(', ');
      throw new StreamFormatError(
        `event ${i + 1} of ${source} is not a {trace}, {chunk} or {returnControl} object (found ${describe(parsed[i])}${keys && typeof parsed[i] === 'object' ? ` with ${keys}` : ''})`,
      );
    }
  }
  return parsed;
}
