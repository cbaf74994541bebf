/**
 * Where a running `pnpm dev` listens, for the commands that talk to it (`slack`, `webhook`):
 * `$REVBOT_URL`, else loopback on `$PORT` (3000, the local stack's default).
 */
export const localUrl = (env: Record<string, string | undefined>): string =>
  env.REVBOT_URL ?? `http://127.0.0.1:${env.PORT ?? 3000}`;
