/**
 * `revbot schedule list | run <name>`: the scheduled reports of the configuration (`cdk.json`'s
 * `scheduledReports`), and one of them run now against a running `pnpm dev`. A run sends the
 * local stack's Slack queue exactly the message EventBridge Scheduler sends in AWS, so the same
 * processor answers it and posts to the report's channel.
 */

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  parseScheduledReports,
  type ScheduledReport,
  scheduledReportMessage,
} from '@revbot/lambdas/slack';
import type { Command, CommandIo } from '../command';
import { UsageError } from '../errors';
import { localUrl } from '../local/local-url';
import { localName } from '../local/revbot-local';

function readReports(file: string): ScheduledReport[] {
  let json: { context?: { scheduledReports?: unknown } };
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return parseScheduledReports(json.context?.scheduledReports);
  } catch (error) {
    throw new UsageError(`${file}: ${(error as Error).message}`);
  }
}

function list(reports: ScheduledReport[], io: CommandIo): number {
  if (reports.length === 0) {
    io.stdout.write('no scheduled reports: add them under "scheduledReports" in cdk.json\n');
    return 0;
  }
  for (const report of reports) {
    io.stdout.write(
      `${report.name}  ${report.schedule} ${report.timezone}  → ${report.channel}\n  ${report.question}\n`,
    );
  }
  return 0;
}

async function run(
  report: ScheduledReport,
  values: { url: string; channel?: string },
  io: CommandIo,
): Promise<number> {
  const base = values.url.replace(/\/$/, '');
  const message = scheduledReportMessage(
    { ...report, channel: values.channel ?? report.channel },
    { executionId: randomUUID(), scheduledAt: new Date().toISOString() },
  );
  const sqs = new SQSClient({
    endpoint: base,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: `${base}/000000000000/${localName('slack-queue')}`,
        MessageBody: JSON.stringify(message),
      }),
    );
  } catch (error) {
    throw new Error(
      `the local Slack queue at ${base} did not take the report (${(error as Error).message}): start the local stack with "pnpm dev"`,
    );
  } finally {
    sqs.destroy();
  }
  io.stdout.write(
    `scheduled report ${report.name} queued (execution ${message.execution_id}): the answer is posted to channel ${message.channel}\n`,
  );
  return 0;
}

export const scheduleCommand: Command = {
  name: 'schedule',
  summary: 'list the scheduled reports, or run one now against a running pnpm dev',
  usage: `usage: revbot schedule list [--config cdk.json]
       revbot schedule run <name> [--config cdk.json] [--url http://127.0.0.1:3000]
                                  [--channel C0LOCAL01]

Scheduled reports are configured in cdk.json under context.scheduledReports: a name, an
EventBridge Scheduler expression (cron(0 8 ? * MON *) is every Monday 08:00), its time zone,
the question and the channel id. In AWS each report has a schedule that puts the question on
the Slack queue; "run" puts the same message on the local stack's queue now, and the answer
is posted to the channel (--channel posts it elsewhere, e.g. a local test channel).`,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        config: { type: 'string', default: 'cdk.json' },
        url: { type: 'string', default: localUrl(io.env) },
        channel: { type: 'string' },
      },
    });
    const [action, name, ...rest] = positionals;
    const reports = readReports(path.resolve(io.cwd, values.config));
    if (action === 'list' && !name) return list(reports, io);
    if (action !== 'run' || !name || rest.length > 0) {
      throw new UsageError('use "revbot schedule list" or "revbot schedule run <name>"');
    }
    const report = reports.find((r) => r.name === name);
    if (!report) {
      const known = reports.map((r) => r.name).join(', ') || 'none configured';
      throw new UsageError(`no scheduled report named "${name}" (${known})`);
    }
    return run(report, values, io);
  },
};
