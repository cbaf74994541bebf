/**
 * The one logger type RevBot's code asks for: Powertools' Logger satisfies it in Lambdas, the
 * local stack prints through it, tests record or silence it.
 */
export interface Logger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
}

/** Drops everything: for callers that have nothing to say to an operator. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** Name, code and message of an error for a log line: never request bodies or secrets. */
export function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { name: error.name, message: error.message, ...(code ? { code } : {}) };
  }
  return { message: String(error) };
}
