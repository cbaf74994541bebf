/**
 * zod schemas for action-group parameters and the one-line description of what is wrong with
 * them, which a REPROMPT hands back to the model.
 */

import { z } from 'zod';

const requiredMessage = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${what}`;

/**
 * zod schemas for action-group parameters. Values arrive as strings: numbers are coerced, and
 * each message says what a valid value looks like so a REPROMPT is enough for the model to fix it.
 */
export const toolParam = {
  text(options: { maxLength?: number } = {}) {
    const max = options.maxLength ?? 4_000;
    return z
      .string({ error: requiredMessage('text') })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(max, { error: `must be at most ${max} characters` });
  },
  integer(min: number, max: number) {
    const range = `an integer from ${min} to ${max}`;
    return z.coerce
      .number({ error: requiredMessage(range) })
      .int({ error: `must be ${range}` })
      .min(min, { error: `must be ${range}` })
      .max(max, { error: `must be ${range}` });
  },
  oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(values, { error: requiredMessage(`one of ${values.join(', ')}`) });
  },
  /** A calendar date or a date-time in ISO 8601 (`2026-10-01`, `2026-10-01T09:00:00Z`). */
  isoDate() {
    return z
      .string({ error: requiredMessage('an ISO 8601 date such as 2026-10-01') })
      .trim()
      .superRefine((value, ctx) => {
        const problem = isoDateProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      });
  },
  /** A JSON object given as a string (Bedrock parameters have no object type). */
  jsonObject() {
    return z
      .string({ error: requiredMessage('a JSON object') })
      .transform((value, ctx): Record<string, unknown> => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(value);
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a valid JSON object, e.g. {"a": 1}' });
          return z.NEVER;
        }
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON object, e.g. {"a": 1}' });
          return z.NEVER;
        }
        return parsed as Record<string, unknown>;
      });
  },
};

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Why `value` is not an ISO 8601 date, or undefined when it is one (2024-02-30 is not). */
export function isoDateProblem(value: string): string | undefined {
  const match = ISO_DATE.exec(value);
  if (!match) return 'must be an ISO 8601 date such as 2026-10-01';
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const real =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  if (!real || Number.isNaN(Date.parse(value))) return 'must be a real calendar date';
  return undefined;
}

/** One line per problem: `max_rows must be an integer from 1 to 500 (got "abc")`. */
export function describeParameterIssues(
  issues: readonly z.core.$ZodIssue[],
  raw: Record<string, string>,
): string {
  return issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return `unknown parameter${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
      }
      const name = issue.path.map(String).join('.') || 'parameters';
      const given = raw[name];
      const got = given === undefined ? '' : ` (got ${JSON.stringify(truncate(given, 80))})`;
      return `${name} ${issue.message}${got}`;
    })
    .join('; ');
}

function truncate(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}
