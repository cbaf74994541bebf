#!/usr/bin/env node
/** `revbot <command> [args]`: dispatches to the subcommands of `commands/`. */
import { UsageError } from './errors';
import './env-defaults';
import type { CommandIo } from './command';
import { COMMANDS } from './commands';

export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write('usage: revbot <command> [options]\n\ncommands:\n');
    const width = Math.max(...COMMANDS.map((c) => c.name.length), 8);
    for (const command of COMMANDS) {
      io.stdout.write(`  ${command.name.padEnd(width)}  ${command.summary}\n`);
    }
    io.stdout.write('\nrun "revbot <command> --help" for its options\n');
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`revbot: unknown command "${name}" (see revbot --help)\n`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`${command.usage.trimEnd()}\n`);
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`revbot ${name}: ${message.split('\n')[0]}\n`);
    if (error instanceof UsageError) io.stderr.write(`see "revbot ${name} --help"\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

const invokedDirectly = process.argv[1]?.endsWith('main.ts') || process.argv[1]?.endsWith('revbot');
if (invokedDirectly) {
  // `revbot … | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const io: CommandIo = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  };
  process.exitCode = await main(process.argv.slice(2), io);
}
