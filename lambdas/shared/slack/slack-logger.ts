/**
 * The logging the Slack Lambdas need, satisfied by the shared Powertools logger; tests and the
 * local stack pass their own. Extras carry ids, never message text or tokens.
 */
export interface SlackLogger {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

export const silentSlackLogger: SlackLogger = { info() {}, warn() {}, error() {} };

/** Name, code and message of an error for a log line: never request bodies or secrets. */
export function describeError(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(code ? { code } : {}) };
  }
  return { message: String(error) };
}
