import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { localSessionKey, SESSION_KEY_FILE } from '../../src/local/session-key';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const stateDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'revbot-session-key-'));
  dirs.push(dir);
  return path.join(dir, '.revbot');
};

describe('the local Slack session key', () => {
  it('is generated once into the state folder, owner-readable only, and kept across restarts', () => {
    const dir = stateDir();
    const key = localSessionKey(dir);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const file = path.join(dir, SESSION_KEY_FILE);
    expect(readFileSync(file, 'utf8').trim()).toBe(key);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(localSessionKey(dir)).toBe(key);
  });

  it('differs between state folders', () => {
    expect(localSessionKey(stateDir())).not.toBe(localSessionKey(stateDir()));
  });
});
