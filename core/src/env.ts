/** Environment configuration, parsed once at start-up with a zod schema. */
import type { z } from 'zod';
import type { ZodMiniType } from 'zod/mini';
import { ConfigError } from './errors';

/**
 * Parses `env` with `schema` (zod, or zod/mini in Lambdas whose bundle size matters); a bad or
 * missing variable throws a ConfigError whose message is one line naming the variable and what is
 * wrong (never its value, which may be a secret).
 */
export function parseEnv<S extends z.ZodType | ZodMiniType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data as z.infer<S>;
  const problems = parsed.error.issues.map(
    (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
  );
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}
