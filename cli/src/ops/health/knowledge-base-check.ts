/** The knowledge base's last ingestion job: succeeded, when, and with how many failed documents. */
import type { BedrockAgentClient } from '@aws-sdk/client-bedrock-agent';
import { formatAge } from '../format';
import {
  type DataSourceRef,
  describeStatistics,
  getIngestionJob,
  isRunning,
  latestIngestionJobs,
  summarizeStatistics,
} from '../ingestion';
import { type HealthCheck, ok, problem } from './health-check';

export async function checkKnowledgeBase(
  client: BedrockAgentClient,
  ref: DataSourceRef,
  now: number,
): Promise<HealthCheck> {
  const name = `${ref.knowledgeBaseId} last ingestion`;
  const [job] = await latestIngestionJobs(client, ref, 1);
  if (!job) {
    return problem(
      'Knowledge base',
      name,
      'no ingestion job has ever run',
      'revbot kb sync --force',
    );
  }
  const when = formatAge(job.startedAt, now);
  const statistics = describeStatistics(job.statistics);
  if (isRunning(job.status)) {
    return problem(
      'Knowledge base',
      name,
      `job ${job.ingestionJobId} ${job.status}, started ${when}`,
      'wait for it: revbot kb status',
      'warn',
    );
  }
  if (job.status !== 'COMPLETE') {
    // Summaries carry no failure reasons; the job itself does.
    const detail = job.ingestionJobId
      ? await getIngestionJob(client, ref, job.ingestionJobId).catch(() => undefined)
      : undefined;
    const reasons = detail?.failureReasons?.length ? `: ${detail.failureReasons.join('; ')}` : '';
    return problem(
      'Knowledge base',
      name,
      `job ${job.ingestionJobId} ${job.status} ${when}${reasons}`,
      'fix the cause, then revbot kb sync --force',
    );
  }
  const failed = summarizeStatistics(job.statistics).failed;
  if (failed > 0) {
    return problem(
      'Knowledge base',
      name,
      `job ${job.ingestionJobId} completed ${when} but ${failed} documents failed (${statistics})`,
      'revbot kb sync --force lists each failed document with its reason',
    );
  }
  return ok('Knowledge base', name, `job ${job.ingestionJobId} succeeded ${when}: ${statistics}`);
}
