/**
 * One local stack per state folder: its tables' LevelDB refuses a second opener with an error
 * from deep inside dynalite, so the stack takes `<state>/pid` first and a second one stops with a
 * line saying which process holds the folder. A stack killed with `kill -9` leaves the file
 * behind; its process is gone, so the next start takes the folder over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@revbot/core';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Takes the state folder for this process; the returned function gives it up. */
export function lockStateDir(stateDir: string): () => void {
  const file = path.join(stateDir, 'pid');
  mkdirSync(stateDir, { recursive: true });
  let holder = Number.NaN;
  try {
    holder = Number(readFileSync(file, 'utf8').trim());
  } catch {
    // no holder yet
  }
  if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
    throw new ConfigError(
      `Invalid configuration: REVBOT_DATA_DIR: another local stack (pid ${holder}) is using ${stateDir}; stop it or choose another folder`,
    );
  }
  writeFileSync(file, `${process.pid}\n`);
  return () => rmSync(file, { force: true });
}
