/**
 * The queue message between the gateway and the processor: the validated request plus what the
 * gateway decided (tracking id, session, when it was queued). Versioned, so a processor can tell
 * a message it does not understand from a broken one.
 */
import { z } from 'zod';
import { webhookRequestSchema } from './webhook-request';

export const webhookJobSchema = z.strictObject({
  version: z.literal(1),
  tracking_id: z.string().min(1).max(100),
  session_id: z.string().min(1).max(100),
  queued_at: z.iso.datetime({ offset: true }),
  request: webhookRequestSchema,
  /** The API key's name the request came with; absent in messages queued before names. */
  caller: z.string().min(1).max(100).optional(),
  /** Set when the job resumes a run paused for approval, with the caller's decision. */
  resume: z
    .strictObject({
      invocation_id: z.string().min(1).max(200),
      action_group: z.string().min(1).max(100),
      function: z.string().min(1).max(100),
      agent_id: z.string().min(1).max(100).optional(),
      decision: z.enum(['approve', 'reject']),
      decided_by: z.string().min(1).max(200),
      decided_at: z.iso.datetime({ offset: true }),
      /** The action's parameters as the caller saw them, for the decision's action-log row. */
      parameters: z
        .array(
          z.strictObject({
            name: z.string().min(1).max(100),
            type: z.string().min(1).max(20),
            value: z.string().max(50_000),
          }),
        )
        .max(50)
        .optional(),
    })
    .optional(),
  /** Daily-budget reservations the gateway took, settled with the actual usage. */
  budget_holds: z
    .array(
      z.strictObject({
        key: z.string().min(1).max(400),
        unit: z.enum(['tokens', 'usd']),
        reserved: z.number().int().nonnegative(),
      }),
    )
    .max(5)
    .optional(),
});

export type WebhookJob = z.infer<typeof webhookJobSchema>;

/** Where the gateway puts jobs: SQS in AWS, the local stack's queue locally. */
export interface WebhookJobQueue {
  enqueue(job: WebhookJob): Promise<{ messageId: string }>;
}
