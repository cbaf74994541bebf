import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '@revbot/core';
import { afterEach, describe, expect, it } from 'vitest';
import { lockStateDir } from '../../src/local/state-lock';

describe('the state folder lock', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const stateDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'state-lock-'));
    dirs.push(dir);
    return path.join(dir, 'state');
  };

  it('refuses a folder another live process holds, naming it', () => {
    const dir = stateDir();
    lockStateDir(dir);
    // The parent of this test process is alive and is not us.
    writeFileSync(path.join(dir, 'pid'), `${process.ppid}\n`);
    expect(() => lockStateDir(dir)).toThrow(ConfigError);
    expect(() => lockStateDir(dir)).toThrow(`another local stack (pid ${process.ppid})`);
  });

  it('takes over from a process that died without letting go (kill -9)', () => {
    const dir = stateDir();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
    lockStateDir(dir);
    writeFileSync(path.join(dir, 'pid'), `${gone}\n`);
    const unlock = lockStateDir(dir);
    expect(readFileSync(path.join(dir, 'pid'), 'utf8').trim()).toBe(String(process.pid));
    unlock();
    expect(existsSync(path.join(dir, 'pid'))).toBe(false);
  });
});
