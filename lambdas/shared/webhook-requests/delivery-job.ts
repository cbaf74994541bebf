/**
 * The queue message between the webhook processor and the delivery stage: which request, what
 * to send (its answer, its `failed` event, a notice such as `revbot.approval_requested`, or —
 * from `revbot webhook redeliver` — whatever it stored), and which attempt this message makes. Long waits are carried as `due_at`: SQS holds
 * a message back 15 minutes at most, so the stage sends it on again until it is due (`hop`
 * counts those re-sends, so each copy has its own idempotency key).
 */
import { z } from 'zod';

export const MAX_DELAY_SECONDS = 900;

export const deliveryJobSchema = z.strictObject({
  version: z.literal(1),
  tracking_id: z.string().min(1).max(100),
  kind: z.enum(['answer', 'failed', 'notice', 'redeliver']),
  /** 1 for the first attempt; the schedule's step before attempt n is step n-1. */
  attempt: z.number().int().min(1).max(1000),
  hop: z.number().int().min(0).max(10_000).default(0),
  /** Not before (ISO 8601), for waits longer than SQS's 15-minute delay. */
  due_at: z.iso.datetime({ offset: true }).optional(),
  /** Set by `revbot webhook redeliver`: a new series of attempts with its own id. */
  redelivery_id: z.string().min(1).max(100).optional(),
  /**
   * The whole answer, when it fits the message: the stored copy may have been shortened to fit
   * the status record. Absent: the stored copy is sent.
   */
  answer: z
    .strictObject({
      response: z.string(),
      response_plain: z.string(),
      session_id: z.string(),
      answered_at: z.string(),
    })
    .optional(),
  /**
   * A notice to the callback that neither finishes nor changes the request (an approval asked
   * for or decided): sent as given, with the same schedule, never moving the status.
   */
  notice: z
    .strictObject({
      /** Unique per notice of a request (the paused action's invocation id). */
      id: z.string().regex(/^[A-Za-z0-9_-]{1,100}$/),
      type: z.string().regex(/^[a-z]+(\.[a-z_]+)+$/),
      payload: z.record(z.string(), z.unknown()),
    })
    .optional(),
  /** The error a `failed` event reports. */
  error: z.strictObject({ code: z.string(), message: z.string() }).optional(),
});

export type DeliveryJob = z.infer<typeof deliveryJobSchema>;
export type DeliveryJobInput = z.input<typeof deliveryJobSchema>;

/** Where delivery jobs go: the outbound SQS queue in AWS, its local queue locally. */
export interface DeliveryJobQueue {
  /** `delaySeconds` (0..900): SQS holds the message back that long. */
  enqueue(job: DeliveryJobInput, delaySeconds?: number): Promise<void>;
}

/** The key a job is handled once by: the same message delivered twice by SQS shares it. */
export function deliveryJobKey(job: DeliveryJob): string {
  return [
    job.tracking_id,
    job.kind,
    job.notice ? `${job.notice.type}:${job.notice.id}` : (job.redelivery_id ?? 'first'),
    job.attempt,
    job.hop,
  ].join('/');
}
