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

/**
 * A variable holding JSON (a price table, budgets), parsed with `schema`; undefined when unset
 * or blank. Invalid JSON or a value the schema refuses throws a ConfigError naming the variable
 * and the path of the first bad entry (`MODEL_PRICES.m.inputPerMillion: …`).
 */
export function parseJsonEnv<S extends z.ZodType>(
  name: string,
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> | undefined {
  const text = env[name];
  if (text === undefined || text.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`Invalid configuration: ${name}: must be a JSON object`);
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data as z.infer<S>;
  const issue = parsed.error.issues[0];
  const at = issue?.path.length ? `.${issue.path.join('.')}` : '';
  throw new ConfigError(`Invalid configuration: ${name}${at}: ${issue?.message}`);
}
