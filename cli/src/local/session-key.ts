/**
 * The local stack's Slack session key: generated once into the state folder
 * (`<REVBOT_DATA_DIR>/slack-session-key`, readable by its owner only) and kept, so a thread
 * keeps its session across restarts of `pnpm dev`, as a deployment's generated secret does.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const SESSION_KEY_FILE = 'slack-session-key';

export function localSessionKey(dataDir: string): string {
  const file = path.join(dataDir, SESSION_KEY_FILE);
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length >= 32) return key;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}
