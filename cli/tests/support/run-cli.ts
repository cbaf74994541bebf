/** Runs `revbot …` in process with captured stdout/stderr, as the dispatcher runs it. */
import { PassThrough } from 'node:stream';
import type { CommandIo } from '../../src/command';
import { main } from '../../src/main';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Called with each stdout chunk; lets a test end `--follow` by closing stdout. */
  onStdout?: (text: string, stdout: PassThrough) => void;
}

export async function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += String(chunk);
    options.onStdout?.(out, stdout);
  });
  stderr.on('data', (chunk) => {
    err += String(chunk);
  });
  const io: CommandIo = {
    stdout,
    stderr,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
  };
  const code = await main(args, io);
  return { code, out, err };
}
