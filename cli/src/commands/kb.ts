/**
 * `revbot kb sync`: uploads the changed files of `knowledge_base/` to the knowledge base's bucket,
 * starts an ingestion job, shows its progress until it finishes and reports documents scanned,
 * indexed and failed. `revbot kb status`: the last ingestion job.
 */

import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { IngestionJob } from '@aws-sdk/client-bedrock-agent';
import type { Command, CommandIo } from '../command';
import { OpsError, UsageError } from '../errors';
import {
  COMMON_USAGE,
  parseAction,
  parseCommandArgs,
  parseDuration,
  pollInterval,
} from '../ops/command-options';
import { formatAge, formatDuration, plural, toJsonLine } from '../ops/format';
import {
  type DataSourceRef,
  describeStatistics,
  failedDocuments,
  isRunning,
  latestIngestionJobs,
  startIngestion,
  summarizeStatistics,
  waitForIngestion,
} from '../ops/ingestion';
import {
  applySync,
  KNOWLEDGE_BASE_PREFIX,
  listRemoteDocuments,
  planSync,
  scanDocuments,
} from '../ops/knowledge-base-sync';
import { startProgress } from '../ops/progress';
import { KNOWLEDGE_BASE_OUTPUTS, requireOutput } from '../ops/stack-outputs';
import { type StageContext, withStage } from '../ops/stage-context';

const OPTIONS = {
  dir: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
  'keep-remote': { type: 'boolean', default: false },
  'no-wait': { type: 'boolean', default: false },
  timeout: { type: 'string' },
} as const;

interface KnowledgeBaseTarget extends DataSourceRef {
  bucket: string;
}

async function target(context: StageContext): Promise<KnowledgeBaseTarget> {
  const stack = await context.stack('agents');
  return {
    knowledgeBaseId: requireOutput(stack, KNOWLEDGE_BASE_OUTPUTS.knowledgeBaseId),
    dataSourceId: requireOutput(stack, KNOWLEDGE_BASE_OUTPUTS.dataSourceId),
    bucket: requireOutput(stack, KNOWLEDGE_BASE_OUTPUTS.bucket),
  };
}

function jobJson(job: IngestionJob | undefined) {
  if (!job) return null;
  return {
    ingestionJobId: job.ingestionJobId,
    status: job.status,
    startedAt: job.startedAt?.toISOString() ?? null,
    updatedAt: job.updatedAt?.toISOString() ?? null,
    statistics: summarizeStatistics(job.statistics),
    failureReasons: job.failureReasons ?? [],
  };
}

async function sync(
  context: StageContext,
  io: CommandIo,
  options: {
    dir: string;
    dryRun: boolean;
    force: boolean;
    prune: boolean;
    wait: boolean;
    timeoutMs: number;
    json: boolean;
  },
): Promise<number> {
  const say = (line: string) => {
    if (!options.json) io.stdout.write(`${line}\n`);
  };
  const isFolder = await stat(options.dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isFolder) {
    throw new OpsError(
      `no knowledge base folder at ${options.dir}: run from the repository root or pass --dir`,
    );
  }
  const kb = await target(context);
  const progress = startProgress(io.stderr, 'comparing knowledge_base/ with the bucket…');
  let plan: ReturnType<typeof planSync>;
  try {
    const [local, remote] = await Promise.all([
      scanDocuments(options.dir),
      listRemoteDocuments(context.clients.s3, kb.bucket),
    ]);
    plan = planSync(local, remote, { prune: options.prune });
  } finally {
    progress.stop();
  }
  const added = plan.upload.filter((u) => u.reason === 'new').length;
  const changed = plan.upload.length - added;
  say(
    `Knowledge base ${kb.knowledgeBaseId} (data source ${kb.dataSourceId}), s3://${kb.bucket}/${KNOWLEDGE_BASE_PREFIX}`,
  );
  say(
    `  ${changed} changed, ${added} new, ${plan.remove.length} removed, ${plan.unchanged} unchanged`,
  );
  const files = [
    ...plan.upload.map((u) => ({ key: u.key, action: u.reason === 'new' ? 'add' : 'update' })),
    ...plan.remove.map((key) => ({ key, action: 'delete' })),
  ];
  const result: Record<string, unknown> = {
    stage: context.stage,
    knowledgeBaseId: kb.knowledgeBaseId,
    dataSourceId: kb.dataSourceId,
    bucket: kb.bucket,
    files,
    unchanged: plan.unchanged,
    dryRun: options.dryRun,
    ingestionJob: null,
  };
  const finish = (code: number) => {
    if (options.json) io.stdout.write(toJsonLine(result));
    return code;
  };
  if (options.dryRun) {
    for (const file of files) say(`  would ${file.action} ${file.key}`);
    return finish(0);
  }
  if (files.length > 0) {
    const total = files.length;
    let done = 0;
    const uploading = startProgress(io.stderr, `syncing ${plural(total, 'file')}…`);
    try {
      await applySync(context.clients.s3, kb.bucket, plan, (key, action) => {
        done += 1;
        uploading.update(`syncing ${done}/${total}: ${key}`, done / total);
        say(`  ${action} ${key}`);
      });
    } finally {
      uploading.stop();
    }
  } else if (!options.force) {
    say('Up to date: no ingestion started (--force starts one anyway)');
    return finish(0);
  }

  const intervalMs = pollInterval(context.env, 5_000);
  const waiting = startProgress(io.stderr, 'starting an ingestion job…');
  let job: IngestionJob;
  try {
    job = await startIngestion(
      context.clients.bedrockAgent,
      kb,
      `revbot kb sync: ${files.length} files changed`,
      {
        intervalMs,
        timeoutMs: options.timeoutMs,
        now: context.now,
        onWaiting: (id) => {
          waiting.update(`waiting for ingestion job ${id}, already running, to finish…`);
          say(`Ingestion job ${id} is already running; waiting for it before starting another`);
        },
        onUpdate: () => undefined,
      },
    );
  } finally {
    waiting.stop();
  }
  const jobId = job.ingestionJobId as string;
  say(`Ingestion job ${jobId} started`);
  if (!options.wait) {
    result.ingestionJob = jobJson(job);
    return finish(0);
  }
  const started = context.now();
  const ingesting = startProgress(io.stderr, `ingestion ${jobId}: ${job.status}`);
  try {
    job = await waitForIngestion(context.clients.bedrockAgent, kb, jobId, {
      intervalMs,
      timeoutMs: options.timeoutMs,
      now: context.now,
      onUpdate: (update) => {
        const s = summarizeStatistics(update.statistics);
        ingesting.update(
          `ingestion ${jobId}: ${update.status} · ${s.scanned} scanned, ${s.indexed} indexed, ${s.failed} failed · ${formatDuration(context.now() - started)}`,
        );
      },
    });
  } finally {
    ingesting.stop();
  }
  result.ingestionJob = jobJson(job);
  const statistics = summarizeStatistics(job.statistics);
  say(
    `Ingestion job ${jobId} ${job.status} after ${formatDuration(context.now() - started)}: ${describeStatistics(job.statistics)}`,
  );
  for (const reason of job.failureReasons ?? []) say(`  failure: ${reason}`);
  if (statistics.failed > 0) {
    const failures = await failedDocuments(context.clients.bedrockAgent, kb);
    result.failedDocuments = failures;
    for (const failure of failures) say(`  failed: ${failure.uri}: ${failure.reason}`);
  }
  return finish(job.status === 'COMPLETE' && statistics.failed === 0 ? 0 : 1);
}

async function status(context: StageContext, io: CommandIo, json: boolean): Promise<number> {
  const kb = await target(context);
  const [job] = await latestIngestionJobs(context.clients.bedrockAgent, kb, 1);
  if (json) {
    io.stdout.write(toJsonLine({ stage: context.stage, ...kb, lastIngestionJob: jobJson(job) }));
  } else if (!job) {
    io.stdout.write(
      `Knowledge base ${kb.knowledgeBaseId}: no ingestion job has run ("revbot kb sync" starts one)\n`,
    );
  } else {
    const when = job.startedAt ? ` started ${formatAge(job.startedAt, context.now())}` : '';
    io.stdout.write(
      `Knowledge base ${kb.knowledgeBaseId}: last ingestion job ${job.ingestionJobId} ${job.status}${when}: ${describeStatistics(job.statistics)}\n`,
    );
  }
  return job && (job.status === 'COMPLETE' || isRunning(job.status)) ? 0 : 1;
}

export const kbCommand: Command = {
  name: 'kb',
  summary: 'sync knowledge_base/ to the knowledge base and re-index it',
  usage: `usage: revbot kb sync [--dir knowledge_base] [--dry-run] [--force] [--keep-remote]
                     [--no-wait] [--timeout 30m]
       revbot kb status

sync     uploads the files of knowledge_base/ that differ from the bucket (MD5 against ETag),
         deletes files removed locally (as a deployment does), starts an ingestion job and
         shows its progress until it finishes: documents scanned, indexed, deleted, failed.
         Exits 1 if the job fails or any document fails.
status   the last ingestion job and its statistics (exits 1 unless it succeeded or is running)

  --dir DIR         the folder to sync (default ./knowledge_base)
  --dry-run         show what would change, change nothing
  --force           start an ingestion job even when no file changed
  --keep-remote     do not delete objects that have no local file
  --no-wait         start the job and return
  --timeout 30m     how long to wait for the job
${COMMON_USAGE}`,
  async run(args, io) {
    const { values, positionals, common } = parseCommandArgs(args, OPTIONS, io.env);
    const [first, ...rest] = positionals;
    const action = parseAction(first, ['sync', 'status']);
    if (rest.length > 0) throw new UsageError(`unexpected "${rest[0]}"`);
    const timeoutMs =
      values.timeout === undefined ? 30 * 60_000 : parseDuration(values.timeout, '--timeout');
    return withStage(common, io.env, (context) =>
      action === 'status'
        ? status(context, io, common.json)
        : sync(context, io, {
            dir: path.resolve(io.cwd, values.dir ?? 'knowledge_base'),
            dryRun: values['dry-run'],
            force: values.force,
            prune: !values['keep-remote'],
            wait: !values['no-wait'],
            timeoutMs,
            json: common.json,
          }),
    );
  },
};
