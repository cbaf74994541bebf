/**
 * Reads a webhook queue message with its schema. A malformed one is thrown as a
 * `MALFORMED_JOB` ValidationError naming the invalid fields: it is retried and then kept in the
 * DLQ for a look, never dropped.
 */
import { ValidationError } from '@revbot/core';
import type { z } from 'zod';

export function parseQueueJob<S extends z.ZodType>(
  body: string,
  schema: S,
  what: string,
): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ValidationError('The queue message is not JSON', undefined, 'MALFORMED_JOB');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(message)');
    throw new ValidationError(
      `The queue message is not ${what} (invalid: ${[...new Set(fields)].join(', ')})`,
      undefined,
      'MALFORMED_JOB',
    );
  }
  return parsed.data;
}
