/**
 * RevBot's self-test: a list of checks, each asking one piece (agents, a tool, the warehouse,
 * credentials, the knowledge base, the webhook signing secret) whether it works, without any model
 * call. `@RevBot test connectivity` in Slack and `revbot doctor --local` run the same checks and
 * show the same table; each failing line says what to do. The checks are injected, so the Slack
 * processor, the local stack and the CLI each give the pieces they hold.
 */

export type SelfTestStatus = 'ok' | 'fail' | 'skipped';

export interface SelfTestOutcome {
  status: SelfTestStatus;
  /** What was found, in a few words; never a secret value. */
  detail: string;
}

export interface SelfTestCheck {
  name: string;
  /** What to do when the check fails (shown only then). */
  fix: string;
  run(signal: AbortSignal): Promise<SelfTestOutcome>;
}

export interface SelfTestLine extends SelfTestOutcome {
  name: string;
  fix?: string;
}

export interface SelfTestReport {
  /** Where the checks ran: `local`, or the stage name. */
  where: string;
  lines: SelfTestLine[];
  healthy: boolean;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

const firstLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]?.trim() || 'failed';

/** Runs every check concurrently; a check that throws or takes too long is a failed line. */
export async function runSelfTest(
  where: string,
  checks: readonly SelfTestCheck[],
  options: { timeoutMs?: number } = {},
): Promise<SelfTestReport> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const lines = await Promise.all(
    checks.map(async (check): Promise<SelfTestLine> => {
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<SelfTestOutcome>((resolve) => {
        timer = setTimeout(() => {
          controller.abort();
          resolve({ status: 'fail', detail: `no answer within ${timeoutMs / 1000} s` });
        }, timeoutMs);
      });
      let outcome: SelfTestOutcome;
      try {
        outcome = await Promise.race([check.run(controller.signal), timedOut]);
      } catch (error) {
        outcome = { status: 'fail', detail: firstLine(error) };
      } finally {
        clearTimeout(timer);
      }
      return outcome.status === 'fail'
        ? { name: check.name, ...outcome, fix: check.fix }
        : { name: check.name, ...outcome };
    }),
  );
  return { where, lines, healthy: lines.every((line) => line.status !== 'fail') };
}

const MARK: Record<SelfTestStatus, string> = { ok: 'ok', fail: 'FAIL', skipped: 'skip' };

/** The report as a plain-text table (fixed width), each failure followed by its fix. */
export function renderSelfTestTable(report: SelfTestReport): string {
  const width = Math.max(...report.lines.map((line) => line.name.length), 5);
  const rows = report.lines.flatMap((line) => [
    `${MARK[line.status].padEnd(4)}  ${line.name.padEnd(width)}  ${line.detail}`,
    ...(line.fix ? [`${' '.repeat(6 + width)}  fix: ${line.fix}`] : []),
  ]);
  const failed = report.lines.filter((line) => line.status === 'fail').length;
  const passed = report.lines.filter((line) => line.status === 'ok').length;
  const summary = `${passed} ok, ${failed} failed, ${report.lines.length - passed - failed} skipped: ${report.healthy ? 'healthy' : 'unhealthy'}`;
  return [...rows, '', summary].join('\n');
}
