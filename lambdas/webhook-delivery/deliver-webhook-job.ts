/**
 * One delivery attempt per queue message. The stage reads the request's record, signs and POSTs
 * its answer (or its `failed` event) once, within the attempt timeout, appends the attempt to the
 * record and then either finishes the delivery or schedules the next attempt by the retry
 * schedule: a new message on the same queue, held back with DelaySeconds.
 *
 * Waits longer than SQS's 15-minute delay: the message carries `due_at` and is sent on with the
 * longest delay until it is due, rather than through EventBridge Scheduler one-time schedules.
 * Why: the queue stays the one place a pending delivery lives (visible in its depth and age, in
 * the DLQ and to `revbot dlq`), no scheduler role, PassRole grant or leftover schedule exists,
 * and the same code runs on the local queue. The price is one cheap receive per 15 minutes of
 * waiting (at most 96 a day per failing delivery).
 *
 * A slow receiver costs one attempt timeout of one message: no message waits for another.
 *
 * A 410 Gone switches the destination (origin and path) off for every request, as Standard
 * Webhooks asks: the mark is checked before each attempt, and a redelivery clears it.
 */
import { type Logger, silentLogger } from '@revbot/core';
import {
  type DestinationAllowlist,
  DestinationNotAllowedError,
  deliverSignedWebhook,
  describeDestination,
  nextRetryDelay,
  type Resolver,
  type RetrySchedule,
  type SignerSource,
  WebhookDeliveryError,
} from '../shared/outbound';
import {
  buildFailedEventPayload,
  buildWebhookPayload,
  type DeliveryAttempt,
  type DeliveryJob,
  type DeliveryJobQueue,
  type DeliveryOutcome,
  destinationOf,
  type GoneDestination,
  type GoneDestinations,
  MAX_DELAY_SECONDS,
  type RequestStatusRecord,
  type RequestStatusStore,
} from '../shared/webhook-requests';

/** Standard Webhooks asks for a 15–30 s timeout; one attempt never waits longer than this. */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 15_000;
/** Longest Retry-After honoured; a receiver asking for more gets the schedule's wait instead. */
const MAX_RETRY_AFTER_MS = 24 * 3600_000;

export interface DeliveryMetrics {
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): void;
}

export interface WebhookDeliveryDeps {
  /** The requests table: the records, and the destinations that answered 410 Gone. */
  store: RequestStatusStore & GoneDestinations;
  /** The outbound queue this stage consumes: next attempts are sent back to it. */
  queue: DeliveryJobQueue;
  /** Where a delivery goes once the schedule is used up (the queue's DLQ, alarmed). */
  deadLetters: DeliveryJobQueue;
  allowlist: DestinationAllowlist;
  signer: SignerSource;
  /** WEBHOOK_URL: used when the request has no callback_url. */
  defaultWebhookUrl?: string;
  schedule: RetrySchedule;
  attemptTimeoutMs?: number;
  resolve?: Resolver;
  now?: () => Date;
  random?: () => number;
  logger?: Logger;
  metrics?: DeliveryMetrics;
}

export type DeliveryResult =
  | 'delivered'
  | 'retry_scheduled'
  | 'deferred'
  | 'failed'
  | 'stopped'
  | 'already_finished'
  | 'nothing_to_deliver';

export async function deliverWebhookJob(
  job: DeliveryJob,
  deps: WebhookDeliveryDeps,
): Promise<DeliveryResult> {
  const now = deps.now ?? (() => new Date());
  const logger = deps.logger ?? silentLogger;
  const ids = { tracking_id: job.tracking_id, attempt: job.attempt, kind: job.kind };

  if (job.due_at) {
    const waitMs = Date.parse(job.due_at) - now().getTime();
    if (waitMs > 1_000) {
      await deps.queue.enqueue(
        { ...job, hop: job.hop + 1 },
        Math.min(MAX_DELAY_SECONDS, Math.ceil(waitMs / 1000)),
      );
      return 'deferred';
    }
  }

  const record = await deps.store.get(job.tracking_id);
  if (record && job.kind === 'notice') return deliverNotice(job, record, deps);
  if (!record) {
    logger.warn('no record for the delivery job (expired?); acknowledged', ids);
    return 'nothing_to_deliver';
  }
  const event = eventOf(job, record);
  const url = record.request.callback_url ?? deps.defaultWebhookUrl;
  if (!event || !url) {
    logger.warn('nothing to deliver for this request; acknowledged', {
      ...ids,
      status: record.status,
    });
    return 'nothing_to_deliver';
  }
  const finished = record.delivery?.status;
  if (
    !job.redelivery_id &&
    record.delivery?.event !== undefined &&
    record.delivery.event === event.kind &&
    (finished === 'delivered' || finished === 'failed' || finished === 'stopped')
  ) {
    logger.info('delivery already finished; job acknowledged', { ...ids, delivery: finished });
    return 'already_finished';
  }

  const destination = describeDestination(url);
  const base = {
    event: event.kind,
    destination,
    webhook_id:
      event.kind === 'answer' ? `msg_${job.tracking_id}` : `msg_${job.tracking_id}_failed`,
    attempts: job.attempt,
  };
  // Only the first delivery of an answer moves the request's status; a `failed` event leaves
  // it failed, and a failed redelivery never rewinds a completed request.
  const finishes = event.kind === 'answer';
  const failStatus = finishes && !job.redelivery_id ? ('delivery_failed' as const) : undefined;

  const gone = await switchedOff(job, url, deps);
  if (gone) {
    const delivery: DeliveryOutcome = {
      ...base,
      attempts: job.attempt - 1,
      status: 'stopped',
      error: {
        code: 'ENDPOINT_GONE',
        message: `${destination} answered 410 Gone at ${gone.gone_at}: deliveries to it stay switched off until "revbot webhook redeliver" re-enables it`,
      },
    };
    await deps.store.recordDelivery(job.tracking_id, { delivery, status: failStatus }, now());
    logger.warn('destination answered 410 Gone earlier; not attempted', { ...ids, destination });
    return 'stopped';
  }

  const webhookId = base.webhook_id;
  const timeoutMs = deps.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  const startedAt = now();
  const payload =
    event.kind === 'answer'
      ? buildWebhookPayload(record, event.answer, { url, at: startedAt })
      : buildFailedEventPayload(record, event.error, { url, at: startedAt });
  const attempt = (fields: Pick<DeliveryAttempt, 'http_status' | 'error'>): DeliveryAttempt => ({
    attempt: job.attempt,
    event: event.kind,
    at: startedAt.toISOString(),
    duration_ms: now().getTime() - startedAt.getTime(),
    ...fields,
    ...(job.redelivery_id ? { redelivery_id: job.redelivery_id } : {}),
  });

  let receipt: Awaited<ReturnType<typeof deliverSignedWebhook>>;
  try {
    receipt = await deliverSignedWebhook(
      { url, payload, webhookId },
      {
        allowlist: deps.allowlist,
        signingSecret: await deps.signer(),
        retry: { maxAttempts: 1, timeoutMs, maxTotalMs: timeoutMs },
        resolve: deps.resolve,
      },
    );
  } catch (error) {
    if (!(error instanceof WebhookDeliveryError || error instanceof DestinationNotAllowedError)) {
      throw error; // e.g. the signing key could not be read: SQS delivers this message again
    }
    const status = error instanceof WebhookDeliveryError ? error.lastStatus : undefined;
    const last = status !== undefined ? `HTTP ${status}` : lastProblem(error.message);
    const tried = attempt(status !== undefined ? { http_status: status } : { error: last });
    deps.metrics?.addMetric('WebhookDeliveryAttemptFailures', 'Count', 1);

    if (status === 410) {
      await deps.store.markDestinationGone(destinationOf(url), startedAt);
      const delivery: DeliveryOutcome = {
        ...base,
        status: 'stopped',
        http_status: 410,
        error: {
          code: 'ENDPOINT_GONE',
          message: `${destination} answered 410 Gone at ${startedAt.toISOString()}: no more attempts are made to this destination, for this request or any other, until "revbot webhook redeliver" re-enables it`,
        },
      };
      await deps.store.recordDelivery(
        job.tracking_id,
        { attempt: tried, delivery, status: failStatus },
        now(),
      );
      logger.warn('receiver answered 410 Gone; destination switched off', { ...ids, destination });
      return 'stopped';
    }

    const retryable = error instanceof WebhookDeliveryError && error.retryable;
    const wait = retryable ? nextRetryDelay(deps.schedule, job.attempt, deps.random) : undefined;
    const problem = { code: error.code, message: error.message };
    if (wait === undefined) {
      const delivery: DeliveryOutcome = {
        ...base,
        status: 'failed',
        ...(status !== undefined ? { http_status: status } : {}),
        error: retryable
          ? {
              code: 'DELIVERY_FAILED',
              message: `Delivery to ${destination} failed after ${job.attempt} attempt${job.attempt === 1 ? '' : 's'} (last: ${last})`,
            }
          : problem,
      };
      await deps.store.recordDelivery(
        job.tracking_id,
        { attempt: tried, delivery, status: failStatus },
        now(),
      );
      // The schedule ran out: the job waits in the DLQ (alarmed) for a look or a redrive.
      if (retryable) await deps.deadLetters.enqueue(job);
      deps.metrics?.addMetric('WebhookDeliveryFailures', 'Count', 1);
      logger.warn('webhook delivery failed for good', {
        ...ids,
        destination,
        code: delivery.error?.code,
      });
      return 'failed';
    }

    const retryAfter = error instanceof WebhookDeliveryError ? error.retryAfterMs : undefined;
    const delayMs =
      retryAfter !== undefined && retryAfter <= MAX_RETRY_AFTER_MS
        ? Math.max(wait, retryAfter)
        : wait;
    const dueAt = new Date(now().getTime() + delayMs);
    await deps.queue.enqueue(nextAttempt(job, delayMs, dueAt), delaySecondsOf(delayMs));
    const delivery: DeliveryOutcome = {
      ...base,
      status: 'retrying',
      ...(status !== undefined ? { http_status: status } : {}),
      next_attempt_at: dueAt.toISOString(),
      error: problem,
    };
    await deps.store.recordDelivery(job.tracking_id, { attempt: tried, delivery }, now());
    logger.info('delivery attempt failed; next attempt scheduled', {
      ...ids,
      destination,
      next_attempt_at: delivery.next_attempt_at,
    });
    return 'retry_scheduled';
  }

  const delivery: DeliveryOutcome = {
    ...base,
    status: 'delivered',
    http_status: receipt.status,
    delivered_at: now().toISOString(),
  };
  await deps.store.recordDelivery(
    job.tracking_id,
    {
      attempt: attempt({ http_status: receipt.status }),
      delivery,
      status: finishes ? 'completed' : undefined,
    },
    now(),
  );
  deps.metrics?.addMetric('WebhookDeliveries', 'Count', 1);
  logger.info('webhook delivered', { ...ids, destination });
  return 'delivered';
}

type DeliveryEvent =
  | { kind: 'answer'; answer: NonNullable<RequestStatusRecord['result']> }
  | { kind: 'failed'; error: { code: string; message: string } };

/** What this job sends: a redelivery sends what the record holds (its answer, or its error). */
function eventOf(job: DeliveryJob, record: RequestStatusRecord): DeliveryEvent | undefined {
  const kind =
    job.kind !== 'redeliver'
      ? job.kind
      : record.result
        ? 'answer'
        : record.status === 'failed'
          ? 'failed'
          : undefined;
  if (kind === 'answer') {
    const answer = job.answer ?? record.result;
    return answer ? { kind, answer } : undefined;
  }
  if (kind === 'failed') {
    const error = job.error ?? record.error;
    return error ? { kind, error } : undefined;
  }
  return undefined;
}

/**
 * The 410 mark on the job's destination, if it is switched off. The first attempt of a
 * redelivery (`revbot webhook redeliver`) re-enables it instead: an operator asked for it.
 */
async function switchedOff(
  job: DeliveryJob,
  url: string,
  deps: WebhookDeliveryDeps,
): Promise<GoneDestination | undefined> {
  const destination = destinationOf(url);
  if (job.redelivery_id && job.attempt === 1 && job.hop === 0) {
    await deps.store.clearDestinationGone(destination);
    return undefined;
  }
  return deps.store.destinationGone(destination);
}

/** The job's next attempt, due at `dueAt`: beyond SQS's longest delay it carries `due_at`. */
function nextAttempt(job: DeliveryJob, delayMs: number, dueAt: Date): DeliveryJob {
  return {
    ...job,
    attempt: job.attempt + 1,
    hop: 0,
    due_at: delayMs > MAX_DELAY_SECONDS * 1000 ? dueAt.toISOString() : undefined,
  };
}

const delaySecondsOf = (delayMs: number): number =>
  Math.min(MAX_DELAY_SECONDS, Math.ceil(delayMs / 1000));

/** The one attempt's problem, out of the delivery error's summary ("… (last: <problem>)"). */
function lastProblem(message: string): string {
  return /\(last: (.*)\)$/.exec(message)?.[1] ?? message;
}

/**
 * A notice (an approval asked for or decided): one signed attempt per receive, the same schedule
 * on failure, then the DLQ; it never moves the request's status or its delivery summary, which
 * describe the answer.
 */
async function deliverNotice(
  job: DeliveryJob,
  record: RequestStatusRecord,
  deps: WebhookDeliveryDeps,
): Promise<DeliveryResult> {
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? (() => new Date());
  const notice = job.notice;
  const url = record.request.callback_url ?? deps.defaultWebhookUrl;
  const ids = { tracking_id: job.tracking_id, attempt: job.attempt, notice: notice?.type };
  if (!notice || !url) {
    logger.warn('nothing to deliver for this notice; acknowledged', ids);
    return 'nothing_to_deliver';
  }
  if (await switchedOff(job, url, deps)) {
    logger.warn('destination answered 410 Gone earlier; notice not attempted', ids);
    return 'stopped';
  }
  const timeoutMs = deps.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
  const suffix = notice.type.split('.').slice(1).join('_');
  const startedAt = now();
  try {
    await deliverSignedWebhook(
      { url, payload: notice.payload, webhookId: `msg_${job.tracking_id}_${suffix}_${notice.id}` },
      {
        allowlist: deps.allowlist,
        signingSecret: await deps.signer(),
        retry: { maxAttempts: 1, timeoutMs, maxTotalMs: timeoutMs },
        resolve: deps.resolve,
      },
    );
  } catch (error) {
    if (!(error instanceof WebhookDeliveryError || error instanceof DestinationNotAllowedError)) {
      throw error;
    }
    if (error instanceof WebhookDeliveryError && error.lastStatus === 410) {
      await deps.store.markDestinationGone(destinationOf(url), startedAt);
      logger.warn('receiver answered 410 Gone; destination switched off', ids);
      return 'stopped';
    }
    const retryable = error instanceof WebhookDeliveryError && error.retryable;
    const wait = retryable ? nextRetryDelay(deps.schedule, job.attempt, deps.random) : undefined;
    if (wait === undefined) {
      if (retryable) await deps.deadLetters.enqueue(job);
      logger.warn('notice not delivered', { ...ids, destination: describeDestination(url) });
      return 'failed';
    }
    const dueAt = new Date(now().getTime() + wait);
    await deps.queue.enqueue(nextAttempt(job, wait, dueAt), delaySecondsOf(wait));
    return 'retry_scheduled';
  }
  logger.info('notice delivered', { ...ids, destination: describeDestination(url) });
  return 'delivered';
}
