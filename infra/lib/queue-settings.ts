/**
 * The queue and table settings the channel stacks deploy, free of CDK imports so the local stack
 * reads the very same numbers (`revbot-local`): a change here changes both, they cannot drift.
 */

/** Deliveries to the webhook processor before a message moves to the dead-letter queue. */
export const WEBHOOK_MAX_RECEIVE_COUNT = 3;
/** Deliveries to the Slack processor before a message moves to the dead-letter queue. */
export const SLACK_MAX_RECEIVE_COUNT = 3;
/** The webhook processor's Lambda timeout. */
export const WEBHOOK_PROCESSOR_TIMEOUT_SECONDS = 15 * 60;
/** The Slack processor's Lambda timeout. */
export const SLACK_PROCESSOR_TIMEOUT_SECONDS = 300;
/**
 * Delivery attempts running at once: each message is one attempt of at most 15 s, so a slow
 * or hanging receiver holds one of these, never the others' answers.
 */
export const WEBHOOK_DELIVERY_MAX_CONCURRENCY = 20;
/** Receives of one delivery message before the DLQ (only crashes repeat a message). */
export const WEBHOOK_DELIVERY_MAX_RECEIVE_COUNT = 5;
/** The delivery function's Lambda timeout: one 15 s attempt and its bookkeeping. */
export const WEBHOOK_DELIVERY_TIMEOUT_SECONDS = 30;
/** A queue's visibility timeout is this many times its processor's timeout (AWS's advice). */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** Days a request's status and answer stay retrievable with GET /webhook/{trackingId}. */
export const WEBHOOK_STATUS_TTL_DAYS = 7;

/** The TTL attribute of each expiring table, by the table's name part (`revops-<stage>-<part>`). */
export const TABLE_TTL_ATTRIBUTES = {
  'webhook-requests': 'expires_at',
  'slack-events': 'expiration',
  'agent-sessions': 'expires_at',
} as const;

/** Visibility timeout of a queue whose processor times out after `timeoutSeconds`. */
export const visibilityTimeoutSeconds = (timeoutSeconds: number): number =>
  timeoutSeconds * VISIBILITY_TIMEOUT_FACTOR;
