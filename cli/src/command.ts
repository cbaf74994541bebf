/** The shape of a `revbot` subcommand. Each lives in `commands/<name>.ts`. */
export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface Command {
  name: string;
  /** One line for `revbot --help`. */
  summary: string;
  /** Full usage text for `revbot <name> --help`. */
  usage: string;
  /** Returns the process exit code. Errors are one clear line on stderr and a non-zero code. */
  run(args: string[], io: CommandIo): Promise<number>;
}
