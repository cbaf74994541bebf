/**
 * Options every operations command shares (`--stage`, `--region`, `--profile`, `--json`), parsed
 * with `node:util`'s parseArgs, plus the duration syntax of `--since 1d`.
 */

import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../errors';

type ParsedResults<C extends ParseArgsConfig> = ReturnType<typeof parseArgs<C>>;

export const COMMON_OPTIONS = {
  stage: { type: 'string' },
  region: { type: 'string' },
  profile: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const COMMON_USAGE = `  --stage NAME     deployment stage (default $REVBOT_STAGE or dev): stacks revops-<stage>-…
  --region NAME    AWS region (default $AWS_REGION or the profile's)
  --profile NAME   AWS profile (default $AWS_PROFILE)
  --json           machine-readable output on stdout`;

const STAGE_PATTERN = /^[a-z][a-z0-9-]{0,15}$/;

export interface CommonOptions {
  stage: string;
  region?: string;
  profile?: string;
  json: boolean;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with the shared options; a mistake becomes a UsageError (one line + usage hint). */
export function parseCommandArgs<const T extends Options>(
  args: string[],
  options: T,
  env: Record<string, string | undefined>,
) {
  const config = {
    args,
    options: { ...COMMON_OPTIONS, ...options } as typeof COMMON_OPTIONS & T,
    allowPositionals: true as const,
    strict: true as const,
  };
  let parsed: ParsedResults<typeof config>;
  try {
    parsed = parseArgs(config);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const values = parsed.values as Record<string, unknown>;
  const stage = (values.stage as string | undefined) ?? env.REVBOT_STAGE ?? 'dev';
  if (!STAGE_PATTERN.test(stage)) {
    throw new UsageError(
      `invalid stage "${stage}": lowercase letters, digits and dashes, at most 16 characters`,
    );
  }
  const common: CommonOptions = {
    stage,
    region: values.region as string | undefined,
    profile: values.profile as string | undefined,
    json: values.json === true,
  };
  return { values: parsed.values, positionals: parsed.positionals, common };
}

const UNIT_MS: Record<string, number> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** `30s`, `15m`, `12h`, `1d`, `2w` → milliseconds; anything else is a usage error naming the option. */
export function parseDuration(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(text.trim());
  if (!match) {
    throw new UsageError(`${option} expects a duration like 30m, 12h, 1d or 2w, got "${text}"`);
  }
  const value = Number(match[1]) * (UNIT_MS[match[2] as string] as number);
  if (value <= 0) throw new UsageError(`${option} must be more than zero`);
  return value;
}

/** The command's first positional, one of `actions`; anything else is a usage error naming them. */
export function parseAction<const A extends string>(
  action: string | undefined,
  actions: readonly A[],
): A {
  if (action && (actions as readonly string[]).includes(action)) return action as A;
  const choices =
    actions.length > 1 ? `${actions.slice(0, -1).join(', ')} or ${actions.at(-1)}` : actions[0];
  throw new UsageError(
    action ? `unknown action "${action}" (${choices})` : `missing action: ${choices}`,
  );
}

/** A positive integer option. */
export function parseCount(
  text: string,
  option: string,
  max = Number.MAX_SAFE_INTEGER,
  min = 1,
): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${option} expects a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

/** How long to wait between polls; `REVBOT_POLL_MS` shortens it (tests, impatient operators). */
export function pollInterval(env: Record<string, string | undefined>, fallbackMs: number): number {
  const fromEnv = Number(env.REVBOT_POLL_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : fallbackMs;
}
