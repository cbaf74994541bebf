/**
 * One queued webhook request, start to finish: claim it (processing), ask the agents while
 * recording the conversation, store the answer, export the record, and hand the delivery to the
 * delivery stage's queue (delivering); a request the agents failed hands over its `failed`
 * event. Retryable failures are thrown so SQS tries again (on the last receive the status says
 * so first); everything else ends in a recorded status and is acknowledged. An answer stored on
 * an earlier attempt is never asked for again: a retry only hands it over.
 */

import { type AgentRuntime, AgentRuntimeError, type AgentStreamEvent } from '@revbot/agents';
import { type Logger, RevbotError, silentLogger } from '@revbot/core';
import {
  ConversationRecorder,
  type ConversationSink,
  conversationMetrics,
  EXPORT_FAILURE_METRIC,
  exportConversation,
  type RecorderOptions,
  type TraceExport,
  usageMetrics,
} from '@revbot/monitoring';
import type { DailyBudgets } from '../shared/budgets';
import { describeDestination } from '../shared/outbound';
import {
  type DeliveryJobInput,
  type DeliveryJobQueue,
  InvalidStatusTransitionError,
  type RequestError,
  type RequestStatusStore,
  type StoredAnswer,
  type WebhookJob,
} from '../shared/webhook-requests';
import { announceDecision, awaitApproval, confirmationOf } from './await-approval';
import { markdownToPlainText } from './markdown-to-plain-text';

export interface ProcessorMetrics {
  addMetric(name: string, unit: 'Count' | 'None' | 'Milliseconds', value: number): void;
}

export interface WebhookProcessorDeps {
  store: RequestStatusStore;
  runtime: AgentRuntime;
  /** The delivery stage's queue: answers and `failed` events are delivered from there. */
  deliveries: DeliveryJobQueue;
  /** WEBHOOK_URL: used when the request has no callback_url. */
  defaultWebhookUrl?: string;
  /** Where conversation records go (S3 in AWS, a folder locally); none: not exported. */
  conversations?: ConversationSink;
  /** Sends each record as an OpenTelemetry trace too (when OTLP is configured). */
  traces?: TraceExport;
  recorderOptions?: RecorderOptions;
  /** The queue's maxReceiveCount: on that receive a retryable failure is recorded as failed. */
  maxReceiveCount?: number;
  /** How long an action may wait for the caller's approval (default a day). */
  approvalTimeoutSeconds?: number;
  /** Longest the agents may take (default 10 minutes; the Lambda's remaining time caps it). */
  agentTimeoutMs?: number;
  now?: () => Date;
  logger?: Logger;
  metrics?: ProcessorMetrics;
  /** Settles the daily-budget reservations a job carries (`BUDGETS`). */
  budgets?: DailyBudgets;
}

export interface JobContext {
  /** SQS ApproximateReceiveCount of this message. */
  receiveCount: number;
  /** Lambda time left, when known. */
  remainingTimeMs?: number;
}

export type JobOutcome =
  | 'completed'
  | 'delivering'
  | 'failed'
  | 'already_finished'
  | 'awaiting_approval';

export const DEFAULT_AGENT_TIMEOUT_MS = 10 * 60_000;
/** Kept back from the Lambda's remaining time for storing, exporting and delivering. */
const RESERVED_AFTER_AGENTS_MS = 150_000;
/** Each stored copy stays well inside DynamoDB's 400 KB item limit. */
const MAX_STORED_BYTES = 150 * 1024;

export async function answerWebhookJob(
  job: WebhookJob,
  context: JobContext,
  deps: WebhookProcessorDeps,
): Promise<JobOutcome> {
  const now = deps.now ?? (() => new Date());
  const logger = deps.logger ?? silentLogger;
  const trackingId = job.tracking_id;
  const ids = { tracking_id: trackingId, session_id: job.session_id };
  const finalReceive = context.receiveCount >= (deps.maxReceiveCount ?? 3);

  let claimed: Awaited<ReturnType<RequestStatusStore['startProcessing']>>;
  try {
    claimed = await deps.store.startProcessing(trackingId, now());
  } catch (error) {
    if (error instanceof InvalidStatusTransitionError && error.from !== undefined) {
      logger.info('webhook request already finished; message acknowledged', {
        ...ids,
        status: error.from,
      });
      return 'already_finished';
    }
    throw error;
  }

  let answer: StoredAnswer;
  if (claimed.result) {
    answer = claimed.result;
    logger.info('answer stored by an earlier attempt; delivering it', ids);
  } else {
    if (job.resume) await announceDecision(job, deps, logger);
    const asked = await askAgents(job, context, deps, logger);
    if (asked.ok === 'paused') {
      if (!(await moved(() => awaitApproval(job, asked.pause, deps, logger), logger, ids))) {
        return 'already_finished';
      }
      return 'awaiting_approval';
    }
    if (!asked.ok) {
      const { error } = asked;
      if (error.retryable && !finalReceive) throw asked.cause;
      await deps.store.fail(trackingId, error, now());
      logger.warn('webhook request failed', {
        ...ids,
        code: error.code,
        retryable: error.retryable,
      });
      await handOverFailure(job, error, deps, logger);
      if (error.retryable) throw asked.cause; // last receive: on to the dead-letter queue
      return 'failed';
    }
    answer = asked.answer;
    const stored = fitForRecord(answer);
    if (!(await moved(() => deps.store.saveResult(trackingId, stored, now()), logger, ids))) {
      return 'already_finished';
    }
  }

  return handOver(job, answer, deps, logger);
}

type AskResult =
  | { ok: true; answer: StoredAnswer }
  | { ok: 'paused'; pause: NonNullable<AgentStreamEvent['returnControl']> }
  | { ok: false; error: RequestError; cause: unknown };

async function askAgents(
  job: WebhookJob,
  context: JobContext,
  deps: WebhookProcessorDeps,
  logger: Logger,
): Promise<AskResult> {
  const now = deps.now ?? (() => new Date());
  const { request } = job;
  const startedAt = now();
  const recorder = new ConversationRecorder(
    {
      conversationId: job.tracking_id,
      sessionId: job.session_id,
      channel: {
        kind: 'webhook',
        tracking_id: job.tracking_id,
        source_system: request.source_system,
        source_process: request.source_process ?? null,
        ...(job.caller ? { caller: job.caller } : {}),
      },
      userQuery: request.query,
      startedAt,
    },
    deps.recorderOptions,
  );
  const budget = Math.max(
    1_000,
    Math.min(
      deps.agentTimeoutMs ?? DEFAULT_AGENT_TIMEOUT_MS,
      (context.remainingTimeMs ?? Number.POSITIVE_INFINITY) - RESERVED_AFTER_AGENTS_MS,
    ),
  );
  const signal = AbortSignal.timeout(budget);
  const decoder = new TextDecoder();
  let text = '';
  let failure: unknown;
  let pause: AgentStreamEvent['returnControl'];
  logger.info('asking the agents', {
    tracking_id: job.tracking_id,
    session_id: job.session_id,
    runtime: deps.runtime.name,
    attempt: context.receiveCount,
  });
  try {
    const events = deps.runtime.ask({
      question: request.query,
      sessionId: job.session_id,
      sessionAttributes: {
        channel: 'webhook',
        tracking_id: job.tracking_id,
        source_system: request.source_system,
        ...(job.caller ? { caller: job.caller } : {}),
      },
      signal,
      confirmation: confirmationOf(job),
    });
    for await (const event of events) {
      recorder.add(event);
      if (event.returnControl) pause = event.returnControl;
      const bytes = event.chunk?.bytes;
      if (bytes) text += decoder.decode(bytes, { stream: true });
    }
    text += decoder.decode();
  } catch (error) {
    failure = signal.aborted ? timeoutError(budget, error) : error;
    recorder.recordFailure(failure);
  }

  const record = recorder.finish();
  await settleBudgets(job, context, record, deps, logger);
  const location = await exportRecord(record, deps, logger, job.tracking_id);
  if (failure !== undefined) {
    return { ok: false, error: describeFailure(failure), cause: failure };
  }
  if (pause) return { ok: 'paused', pause };
  const response = (text.trim() || record.conversation.final_response.text?.trim()) ?? '';
  if (!response) {
    const cause = new AgentRuntimeError(
      'The agents finished without an answer',
      'NO_ANSWER',
      false,
    );
    return { ok: false, error: describeFailure(cause), cause };
  }
  return {
    ok: true,
    answer: {
      response,
      response_plain: markdownToPlainText(response),
      session_id: job.session_id,
      answered_at: now().toISOString(),
      ...(location ? { conversation_location: location } : {}),
    },
  };
}

/**
 * What the question used replaces the gateway's reservation; a retried job adds its usage to it
 * (its reservation was settled, or kept, by the first attempt).
 */
async function settleBudgets(
  job: WebhookJob,
  context: JobContext,
  record: ReturnType<ConversationRecorder['finish']>,
  deps: WebhookProcessorDeps,
  logger: Logger,
): Promise<void> {
  if (!deps.budgets || !job.budget_holds?.length) return;
  const holds = job.budget_holds.map((h) => (context.receiveCount > 1 ? { ...h, reserved: 0 } : h));
  const { total_tokens, estimated_cost_usd } = record.conversation.usage;
  await deps.budgets
    .settle(holds, { tokens: total_tokens, costUsd: estimated_cost_usd })
    .catch((error: unknown) =>
      logger.error('Budget usage not recorded', {
        tracking_id: job.tracking_id,
        error: String(error),
      }),
    );
}

async function exportRecord(
  record: ReturnType<ConversationRecorder['finish']>,
  deps: WebhookProcessorDeps,
  logger: Logger,
  trackingId: string,
): Promise<string | undefined> {
  for (const metric of [...conversationMetrics(record), ...usageMetrics(record)]) {
    deps.metrics?.addMetric(metric.name, metric.unit, metric.value);
  }
  // The answer matters more than its record or its trace: a failure of either is counted
  // (alarmed) and logged, never retried. The trace goes out beside the record, so a slow
  // collector adds no time of its own.
  const counted = async <T>(what: string, work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (error) {
      deps.metrics?.addMetric(EXPORT_FAILURE_METRIC, 'Count', 1);
      logger.error(`${what} failed`, {
        tracking_id: trackingId,
        error: error instanceof Error ? error.message : String(error),
      });
      return undefined;
    }
  };
  const { conversations, traces } = deps;
  const [exported] = await Promise.all([
    conversations &&
      counted('conversation export', () => exportConversation(record, conversations)),
    traces && counted('conversation trace export', () => traces(record)),
  ]);
  return exported?.location;
}

/**
 * Most answer a job message carries (SQS takes messages up to 1 MiB); a longer one is delivered
 * from the stored, shortened copy.
 */
const MAX_JOB_ANSWER_BYTES = 900 * 1024;

async function handOver(
  job: WebhookJob,
  answer: StoredAnswer,
  deps: WebhookProcessorDeps,
  logger: Logger,
): Promise<JobOutcome> {
  const now = deps.now ?? (() => new Date());
  const ids = { tracking_id: job.tracking_id, session_id: job.session_id };
  const url = job.request.callback_url ?? deps.defaultWebhookUrl;
  if (!url) {
    await moved(
      () => deps.store.complete(job.tracking_id, { status: 'not_configured', attempts: 0 }, now()),
      logger,
      ids,
    );
    logger.info('answer stored; no webhook configured, the caller polls for it', ids);
    return 'completed';
  }
  const whole = {
    response: answer.response,
    response_plain: answer.response_plain,
    session_id: answer.session_id,
    answered_at: answer.answered_at,
  };
  const fits = Buffer.byteLength(JSON.stringify(whole), 'utf8') <= MAX_JOB_ANSWER_BYTES;
  const delivery: DeliveryJobInput = {
    version: 1,
    tracking_id: job.tracking_id,
    kind: 'answer',
    attempt: 1,
    ...(fits ? { answer: whole } : {}),
  };
  // Queued before the status moves on: should the move fail, SQS brings this job back and it
  // is queued again (the delivery stage handles a job key once).
  await deps.deliveries.enqueue(delivery);
  await moved(
    () =>
      deps.store.startDelivery(
        job.tracking_id,
        {
          status: 'pending',
          event: 'answer',
          destination: describeDestination(url),
          webhook_id: `msg_${job.tracking_id}`,
          attempts: 0,
        },
        now(),
      ),
    logger,
    ids,
  );
  logger.info('answer stored; delivery handed to the delivery stage', ids);
  return 'delivering';
}

/** A failed request's `failed` event to its callback; a queue problem is logged, not thrown. */
async function handOverFailure(
  job: WebhookJob,
  error: RequestError,
  deps: WebhookProcessorDeps,
  logger: Logger,
): Promise<void> {
  if (!(job.request.callback_url ?? deps.defaultWebhookUrl)) return;
  try {
    await deps.deliveries.enqueue({
      version: 1,
      tracking_id: job.tracking_id,
      kind: 'failed',
      attempt: 1,
      error: { code: error.code, message: error.message },
    });
  } catch (cause) {
    deps.metrics?.addMetric('WebhookDeliveryFailures', 'Count', 1);
    logger.error('the failed event could not be queued; the status says failed', {
      tracking_id: job.tracking_id,
      error: cause instanceof Error ? cause.message : String(cause),
    });
  }
}

/** Runs a transition; false when another attempt already moved the record on. */
async function moved(
  transition: () => Promise<void>,
  logger: Logger,
  ids: Record<string, string>,
): Promise<boolean> {
  try {
    await transition();
    return true;
  } catch (error) {
    if (!(error instanceof InvalidStatusTransitionError)) throw error;
    logger.info('webhook request moved on by another attempt', { ...ids, status: error.from });
    return false;
  }
}

function isRetryable(error: unknown): boolean {
  if (error instanceof AgentRuntimeError || error instanceof RevbotError) return error.retryable;
  // Unknown failures are retried; after maxReceiveCount the message waits in the DLQ.
  return true;
}

function describeFailure(error: unknown): RequestError {
  return {
    code: errorCode(error),
    message: `The agents could not answer: ${errorMessage(error)}`,
    retryable: isRetryable(error),
  };
}

function errorCode(error: unknown): string {
  if (error instanceof AgentRuntimeError || error instanceof RevbotError) return error.code;
  return 'INTERNAL_ERROR';
}

function errorMessage(error: unknown): string {
  if (error instanceof AgentRuntimeError || error instanceof RevbotError) {
    return error.message.split('\n')[0] ?? error.message;
  }
  return 'an unexpected error occurred';
}

function timeoutError(budgetMs: number, cause: unknown): AgentRuntimeError {
  return new AgentRuntimeError(
    `the agents did not finish within ${Math.round(budgetMs / 1000)} s`,
    'AGENT_TIMEOUT',
    true,
    { cause },
  );
}

/** The stored copy, cut on a character boundary when it would not fit the record. */
function fitForRecord(answer: StoredAnswer): StoredAnswer {
  const response = fitBytes(answer.response);
  const plain = fitBytes(answer.response_plain);
  if (response === answer.response && plain === answer.response_plain) return answer;
  return { ...answer, response, response_plain: plain, truncated: true };
}

function fitBytes(text: string): string {
  if (Buffer.byteLength(text, 'utf8') <= MAX_STORED_BYTES) return text;
  const cut = Buffer.from(text, 'utf8').subarray(0, MAX_STORED_BYTES).toString('utf8');
  // A multi-byte character cut in half decodes as U+FFFD: drop it.
  return `${cut.replace(/\uFFFD$/, '')}\n\n[truncated: the full answer was delivered to the webhook]`;
}
