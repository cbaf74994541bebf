/**
 * Knowledge-base ingestion jobs: the latest one, starting one (after any job already running),
 * waiting for it with progress, the per-document failures, and the statistics in words.
 */

import {
  type BedrockAgentClient,
  GetIngestionJobCommand,
  type IngestionJob,
  type IngestionJobStatistics,
  type IngestionJobSummary,
  ListIngestionJobsCommand,
  paginateListKnowledgeBaseDocuments,
  StartIngestionJobCommand,
} from '@aws-sdk/client-bedrock-agent';
import { OpsError } from '../errors';
import { awsErrorName } from './aws-errors';
import { formatDuration, plural } from './format';

export interface DataSourceRef {
  knowledgeBaseId: string;
  dataSourceId: string;
}

const RUNNING = new Set(['STARTING', 'IN_PROGRESS', 'STOPPING']);
export const isRunning = (status: string | undefined): boolean => RUNNING.has(status ?? '');

export async function latestIngestionJobs(
  client: BedrockAgentClient,
  ref: DataSourceRef,
  count = 1,
): Promise<IngestionJobSummary[]> {
  const { ingestionJobSummaries } = await client.send(
    new ListIngestionJobsCommand({
      ...ref,
      sortBy: { attribute: 'STARTED_AT', order: 'DESCENDING' },
      maxResults: count,
    }),
  );
  return ingestionJobSummaries ?? [];
}

export async function getIngestionJob(
  client: BedrockAgentClient,
  ref: DataSourceRef,
  ingestionJobId: string,
): Promise<IngestionJob> {
  const { ingestionJob } = await client.send(
    new GetIngestionJobCommand({ ...ref, ingestionJobId }),
  );
  if (!ingestionJob) throw new OpsError(`ingestion job ${ingestionJobId} returned no details`);
  return ingestionJob;
}

export interface WaitOptions {
  intervalMs: number;
  timeoutMs: number;
  now: () => number;
  onUpdate: (job: IngestionJob) => void;
}

/** Polls the job until it is no longer running. */
export async function waitForIngestion(
  client: BedrockAgentClient,
  ref: DataSourceRef,
  ingestionJobId: string,
  options: WaitOptions,
): Promise<IngestionJob> {
  const deadline = options.now() + options.timeoutMs;
  for (;;) {
    const job = await getIngestionJob(client, ref, ingestionJobId);
    options.onUpdate(job);
    if (!isRunning(job.status)) return job;
    if (options.now() > deadline) {
      throw new OpsError(
        `ingestion job ${ingestionJobId} is still ${job.status} after ${formatDuration(options.timeoutMs)}; it carries on in Bedrock ("revbot kb status" shows it)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
}

/**
 * Starts an ingestion job. If one is already running (a deployment starts one too), waits for it
 * first, since a data source runs one job at a time.
 */
export async function startIngestion(
  client: BedrockAgentClient,
  ref: DataSourceRef,
  description: string,
  waitForRunning: WaitOptions & { onWaiting: (jobId: string) => void },
): Promise<IngestionJob> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const { ingestionJob } = await client.send(
        new StartIngestionJobCommand({ ...ref, description }),
      );
      if (!ingestionJob?.ingestionJobId) throw new OpsError('StartIngestionJob returned no job id');
      return ingestionJob;
    } catch (error) {
      if (awsErrorName(error) !== 'ConflictException') throw error;
      const running = (await latestIngestionJobs(client, ref, 5)).find((job) =>
        isRunning(job.status),
      );
      if (!running?.ingestionJobId) continue;
      waitForRunning.onWaiting(running.ingestionJobId);
      await waitForIngestion(client, ref, running.ingestionJobId, waitForRunning);
    }
  }
  throw new OpsError('another ingestion job keeps running on this data source; try again later');
}

export interface DocumentFailure {
  uri: string;
  reason: string;
}

/** Documents the knowledge base could not index, with Bedrock's reason for each. */
export async function failedDocuments(
  client: BedrockAgentClient,
  ref: DataSourceRef,
  max = 20,
): Promise<DocumentFailure[]> {
  const failures: DocumentFailure[] = [];
  for await (const page of paginateListKnowledgeBaseDocuments(
    { client },
    { ...ref, maxResults: 100 },
  )) {
    for (const document of page.documentDetails ?? []) {
      if (document.status !== 'FAILED' && document.status !== 'METADATA_UPDATE_FAILED') continue;
      failures.push({
        uri:
          document.identifier?.s3?.uri ?? document.identifier?.custom?.id ?? '(unknown document)',
        reason: document.statusReason ?? document.status,
      });
      if (failures.length >= max) return failures;
    }
  }
  return failures;
}

/** The statistics as the operator wants them: scanned, indexed, deleted, failed. */
export function summarizeStatistics(statistics: IngestionJobStatistics | undefined) {
  const s = statistics ?? {};
  const added = s.numberOfNewDocumentsIndexed ?? 0;
  const modified = s.numberOfModifiedDocumentsIndexed ?? 0;
  return {
    scanned: s.numberOfDocumentsScanned ?? 0,
    indexed: added + modified,
    added,
    modified,
    deleted: s.numberOfDocumentsDeleted ?? 0,
    failed: s.numberOfDocumentsFailed ?? 0,
  };
}

export function describeStatistics(statistics: IngestionJobStatistics | undefined): string {
  const s = summarizeStatistics(statistics);
  return `${plural(s.scanned, 'document')} scanned, ${s.indexed} indexed (${s.added} new, ${s.modified} modified), ${s.deleted} deleted, ${s.failed} failed`;
}
