/**
 * `revbot doctor [--stage prod]`: one screen saying what is healthy and what is not in a deployed
 * stage, each problem with its fix. Exits 1 when anything is unhealthy, so it can gate a deploy
 * pipeline (`--strict` counts warnings too). `revbot doctor --local`: the self-test of the local
 * pieces, the table `@RevBot test connectivity` answers with.
 */
import path from 'node:path';
import { renderSelfTestTable } from '@revbot/lambdas/self-test';
import type { Command, CommandIo } from '../command';
import { runLocalSelfTest } from '../local/local-self-test';
import { LOCAL_WEBHOOK_SIGNING_SECRET } from '../local/revbot-local';
import { COMMON_USAGE, parseCommandArgs, parseDuration } from '../ops/command-options';
import { plural, toJsonLine } from '../ops/format';
import { HEALTH_GROUPS, type HealthCheck, type HealthStatus } from '../ops/health/health-check';
import { runHealthChecks } from '../ops/health/run-health-checks';
import { startProgress } from '../ops/progress';
import { withStage } from '../ops/stage-context';

const OPTIONS = {
  since: { type: 'string' },
  'probe-timeout': { type: 'string' },
  strict: { type: 'boolean', default: false },
  local: { type: 'boolean', default: false },
  'data-dir': { type: 'string' },
} as const;

const MARK: Record<HealthStatus, string> = { ok: '✓', warn: '!', fail: '✗' };

function render(checks: HealthCheck[]): string {
  const lines: string[] = [];
  for (const group of HEALTH_GROUPS) {
    const inGroup = checks.filter((check) => check.group === group);
    if (inGroup.length === 0) continue;
    lines.push(group);
    const width = Math.max(...inGroup.map((check) => check.name.length));
    for (const check of inGroup) {
      lines.push(`  ${MARK[check.status]} ${check.name.padEnd(width)}  ${check.detail}`);
      if (check.fix && check.status !== 'ok') lines.push(`      fix: ${check.fix}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

async function doctorLocal(io: CommandIo, dataDir: string, json: boolean): Promise<number> {
  const progress = startProgress(io.stderr, 'testing the local pieces…');
  let report: Awaited<ReturnType<typeof runLocalSelfTest>>;
  try {
    report = await runLocalSelfTest({
      dataDir: path.resolve(io.cwd, dataDir),
      env: io.env,
      defaultSigningSecret: LOCAL_WEBHOOK_SIGNING_SECRET,
    });
  } finally {
    progress.stop();
  }
  if (json) io.stdout.write(toJsonLine(report));
  else io.stdout.write(`RevBot self-test · local\n\n${renderSelfTestTable(report)}\n`);
  return report.healthy ? 0 : 1;
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check a deployed stage and say how to fix what is unhealthy',
  usage: `usage: revbot doctor [--stage NAME] [--since 1h] [--probe-timeout 5s] [--strict]
       revbot doctor --local [--data-dir .revbot]

Checks, for the stage's stacks (revops-<stage>-…):
  stacks          all four deployed
  agents          each exists and is PREPARED, its alias serves the latest version, the
                  supervisor lists the other agents as collaborators (by alias, not the test alias)
  tools           each tool's Lambda answers a dry-run action-group event (firebolt_query runs
                  SELECT 1 on the warehouse; tools that write or send only answer a probe)
  knowledge base  the last ingestion job succeeded, and when
  queues          depth of each channel's queue; any message in a dead-letter queue
  secrets         every secret of the stacks filled in (no REPLACE_… placeholder); values are
                  never printed
  endpoints       the Slack events and webhook URLs answer (an unsigned probe, refused by design)
  Lambda errors   the Errors metric of every RevBot function over --since

Exits 1 when any check fails (with --strict, also on warnings), 0 otherwise.

  --since 1h            window for Lambda errors (default 1h)
  --probe-timeout 5s    how long an endpoint may take to answer (default 5s)
  --strict              warnings (work in progress) count as failures
  --local               instead: the self-test of the local pieces (no model call), as
                        "@RevBot test connectivity" shows it: the agents load, each tool
                        answers a dry-run event, the warehouse answers SELECT 1, Gong and
                        search credentials, the knowledge base, the webhook signing secret
  --data-dir DIR        --local: the local data folder (default $REVBOT_DATA_DIR or .revbot)
${COMMON_USAGE}`,
  async run(args, io) {
    const { values, common } = parseCommandArgs(args, OPTIONS, io.env);
    if (values.local) {
      return doctorLocal(
        io,
        values['data-dir'] ?? io.env.REVBOT_DATA_DIR ?? '.revbot',
        common.json,
      );
    }
    const since = values.since ?? '1h';
    const errorsWindow = { ms: parseDuration(since, '--since'), label: since };
    const probeTimeoutMs = parseDuration(values['probe-timeout'] ?? '5s', '--probe-timeout');
    return withStage(common, io.env, async (context) => {
      const progress = startProgress(io.stderr, `checking stage ${context.stage}…`);
      let checks: HealthCheck[];
      try {
        checks = await runHealthChecks(context, { errorsWindow, probeTimeoutMs });
      } finally {
        progress.stop();
      }
      const region = await context.region();
      const count = (status: HealthStatus) => checks.filter((c) => c.status === status).length;
      const failures = count('fail') + (values.strict ? count('warn') : 0);
      if (common.json) {
        io.stdout.write(
          toJsonLine({
            stage: context.stage,
            region,
            healthy: failures === 0,
            summary: { ok: count('ok'), warn: count('warn'), fail: count('fail') },
            checks,
          }),
        );
        return failures === 0 ? 0 : 1;
      }
      io.stdout.write(`RevBot doctor · stage ${context.stage} · ${region}\n\n`);
      io.stdout.write(render(checks));
      const summary = [
        `${plural(count('ok'), 'check')} passed`,
        count('warn') ? plural(count('warn'), 'warning') : '',
        count('fail') ? plural(count('fail'), 'problem') : '',
      ].filter(Boolean);
      io.stdout.write(`\n${summary.join(', ')}: ${failures === 0 ? 'healthy' : 'unhealthy'}\n`);
      return failures === 0 ? 0 : 1;
    });
  },
};
