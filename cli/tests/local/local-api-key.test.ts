import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clientApiKey, localApiKeys, maskApiKey } from '../../src/local/local-api-key';

describe('the local API key', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const dataDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'api-key-'));
    dirs.push(dir);
    return path.join(dir, '.revbot');
  };

  it('generates a key into the data folder on first start, owner-readable only, and keeps it', () => {
    const dir = dataDir();
    const first = localApiKeys(undefined, dir);
    const stored = readFileSync(path.join(dir, 'api-key'), 'utf8').trim();
    expect(first).toMatchObject({
      keys: [{ name: 'default', key: stored }],
      generated: true,
      source: path.join(dir, 'api-key'),
    });
    expect(statSync(path.join(dir, 'api-key')).mode & 0o777).toBe(0o600);
    expect(first.shown).toBe(`${stored.slice(0, 14)}…`);
    expect(localApiKeys(undefined, dir)).toMatchObject({
      keys: [{ name: 'default', key: stored }],
      generated: false,
    });
  });

  it('uses REVBOT_API_KEYS when set, and writes nothing', () => {
    const dir = dataDir();
    expect(localApiKeys(' one , two ', dir)).toMatchObject({
      keys: [
        { name: 'default', key: 'one' },
        { name: 'default', key: 'two' },
      ],
      source: 'REVBOT_API_KEYS',
    });
    expect(() => statSync(dir)).toThrow();
  });

  it('gives CLI commands the flag, else the variable, else the stored key', () => {
    const dir = dataDir();
    const { keys } = localApiKeys(undefined, dir);
    const env = { REVBOT_DATA_DIR: dir };
    expect(clientApiKey('flag', { ...env, REVBOT_API_KEYS: 'var' }, '/')).toBe('flag');
    expect(clientApiKey(undefined, { ...env, REVBOT_API_KEYS: 'var' }, '/')).toBe('var');
    expect(clientApiKey(undefined, env, '/')).toBe(keys[0]?.key);
    expect(clientApiKey(undefined, {}, dir)).toBeUndefined();
  });

  it('shows no more than a third of a key', () => {
    expect(maskApiKey('abcdefghi')).toBe('abc…');
  });
});
