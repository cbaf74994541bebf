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
