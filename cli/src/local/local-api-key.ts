/**
 * The local stack's API key. The stack always requires one: `REVBOT_API_KEYS` when set, else a
 * key generated on first start into `<data dir>/api-key` (readable by its owner only), which the
 * CLI commands read back. The key itself is never printed: only its first characters and where
 * it is kept.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type ApiKey, parseApiKeys } from '@revbot/lambdas/webhook-gateway';

export const API_KEY_FILE = 'api-key';

export interface LocalApiKeys {
  /** Each key with its caller's name (a generated key is the `default` caller's). */
  keys: ApiKey[];
  /** The first key as it may be shown: a prefix and an ellipsis. */
  shown: string;
  /** Where the key comes from: `REVBOT_API_KEYS`, or the file it is kept in. */
  source: string;
  /** True when this start generated the key. */
  generated: boolean;
}

/** A key's first characters, enough to tell keys apart, never enough to use one. */
export const maskApiKey = (key: string): string =>
  `${key.slice(0, Math.min(14, Math.floor(key.length / 3)))}…`;

/** The key kept in `<dataDir>/api-key`, if there is one. */
export function readLocalApiKey(dataDir: string): string | undefined {
  try {
    return readFileSync(path.join(dataDir, API_KEY_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The keys the stack requires, generating the file's key when none is configured. */
export function localApiKeys(configured: string | undefined, dataDir: string): LocalApiKeys {
  const fromEnv = parseApiKeys(configured);
  if (fromEnv.length > 0) {
    return {
      keys: fromEnv,
      shown: maskApiKey((fromEnv[0] as ApiKey).key),
      source: 'REVBOT_API_KEYS',
      generated: false,
    };
  }
  const file = path.join(dataDir, API_KEY_FILE);
  let key = readLocalApiKey(dataDir);
  const generated = key === undefined;
  if (key === undefined) {
    key = `rbk_local_${randomBytes(24).toString('base64url')}`;
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${key}\n`, { mode: 0o600 });
  }
  return { keys: [{ name: 'default', key }], shown: maskApiKey(key), source: file, generated };
}

/**
 * The key a CLI command sends to a running stack: `--api-key`, else the first of
 * `REVBOT_API_KEYS`, else the one kept in the data folder.
 */
export function clientApiKey(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  cwd: string,
): string | undefined {
  return (
    flag ??
    parseApiKeys(env.REVBOT_API_KEYS)[0]?.key ??
    readLocalApiKey(path.resolve(cwd, env.REVBOT_DATA_DIR ?? '.revbot'))
  );
}
