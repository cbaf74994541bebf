/**
 * What a caller may ask through `POST /webhook`, as a strict zod schema: unknown fields are
 * refused, each field's limits are stated once here, and the gateway maps every issue to the
 * field it names. The processor re-reads the same shape from the queue message.
 */
import { z } from 'zod';

export const MAX_QUERY_CHARS = 4_000;
/** Deepest nesting of `metadata` (the object itself is level 1): deeper overflows stacks later. */
export const MAX_METADATA_DEPTH = 10;
/** Largest `metadata` as JSON text; it is stored with every status record. */
export const MAX_METADATA_BYTES = 16 * 1024;

/** Bedrock session ids: letters, digits and `._:-`, at most 100 characters. */
const SESSION_ID = /^[0-9a-zA-Z._:-]+$/;
/** System and process names appear in logs and records: printable, no control characters. */
const NAME = /^[^\p{Cc}]+$/u;

export const webhookRequestSchema = z.strictObject({
  query: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .trim()
    .min(1, 'must not be empty')
    .max(MAX_QUERY_CHARS, `must be at most ${MAX_QUERY_CHARS} characters`),
  source_system: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters')
    .regex(NAME, 'must not contain control characters'),
  source_process: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .regex(NAME, 'must not contain control characters')
    .optional(),
  timestamp: z.iso
    .datetime({ offset: true, error: 'must be an ISO 8601 date-time, e.g. 2026-11-23T10:00:00Z' })
    .optional(),
  callback_url: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .max(2_048, 'must be at most 2048 characters')
    .optional(),
  session_id: z
    .string({ error: 'must be a string' })
    .min(2, 'must be 2 to 100 characters')
    .max(100, 'must be 2 to 100 characters')
    .regex(SESSION_ID, 'may contain only letters, digits and . _ : -')
    .optional(),
  metadata: z
    .record(z.string(), z.unknown(), { error: 'must be a JSON object' })
    .superRefine((metadata, ctx) => {
      const tooDeep = firstPathDeeperThan(metadata, MAX_METADATA_DEPTH);
      if (tooDeep) {
        ctx.addIssue({
          code: 'custom',
          path: tooDeep,
          message: `is nested more than ${MAX_METADATA_DEPTH} levels deep (metadata may nest at most ${MAX_METADATA_DEPTH} objects or arrays)`,
        });
        return;
      }
      const bytes = Buffer.byteLength(JSON.stringify(metadata), 'utf8');
      if (bytes > MAX_METADATA_BYTES) {
        ctx.addIssue({
          code: 'custom',
          message: `is ${bytes} bytes as JSON; the limit is ${MAX_METADATA_BYTES}`,
        });
      }
    })
    .optional(),
});

/**
 * The path (below the value) of the first object or array nested deeper than `maxDepth`, the
 * value itself being level 1; walked with an explicit stack so no depth can overflow it.
 */
export function firstPathDeeperThan(value: unknown, maxDepth: number): string[] | undefined {
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop() as { value: unknown; path: string[] };
    if (current === null || typeof current !== 'object') continue;
    if (path.length >= maxDepth) return path;
    for (const [key, child] of Object.entries(current)) {
      stack.push({ value: child, path: [...path, key] });
    }
  }
  return undefined;
}

export type WebhookRequest = z.infer<typeof webhookRequestSchema>;
