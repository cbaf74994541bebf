/**
 * The contract between slack-handler and slack-processor: one SQS message per question, and one
 * per 👍/👎 click; EventBridge Scheduler sends one per run of a scheduled report. zod/mini keeps the handler's bundle small; the processor parses every message
 * with the same schema at its boundary.
 */
import * as z from 'zod/mini';

const id = z.string().check(z.minLength(1), z.maxLength(255));
const slackTs = z.string().check(z.regex(/^\d{1,12}(\.\d{1,9})?$/, 'must be a Slack timestamp'));
const isoTime = z.iso.datetime();

export const QUEUE_MESSAGE_VERSION = 1;

/** InvokeAgent takes at most 25,000 characters of input text. */
export const MAX_QUESTION_CHARS = 25_000;

export const slackQuestionMessageSchema = z.object({
  kind: z.literal('question'),
  version: z.literal(QUEUE_MESSAGE_VERSION),
  /** Unique per question: names the conversation record and is the reference users see. */
  conversation_id: id,
  event_id: id,
  team: id,
  channel: id,
  /** The thread the answer goes to: the mention's thread, or the mention itself. */
  thread_ts: slackTs,
  /** The message that asked. */
  message_ts: slackTs,
  user: id,
  /** The question without the bot mention and Slack markup. */
  question: z.string().check(z.minLength(1), z.maxLength(MAX_QUESTION_CHARS)),
  /** The "Looking into it…" reply the processor turns into progress, then the answer. */
  placeholder_ts: slackTs,
  received_at: isoTime,
});

export const FEEDBACK_RATINGS = ['positive', 'negative'] as const;

export const slackFeedbackMessageSchema = z.object({
  kind: z.literal('feedback'),
  version: z.literal(QUEUE_MESSAGE_VERSION),
  conversation_id: id,
  /** When the conversation started (its record's folder is named after it). */
  started_at: isoTime,
  rating: z.enum(FEEDBACK_RATINGS),
  team: id,
  channel: id,
  user: id,
  /** The answer message that carried the buttons. */
  message_ts: slackTs,
  action_ts: slackTs,
  /** The answer's blocks, so the processor can swap the buttons for a thank-you note. */
  message_blocks: z.optional(z.array(z.unknown()).check(z.maxLength(50))),
});

/** One run of a scheduled report (`scheduled-report.ts` builds it). */
export const slackScheduledReportMessageSchema = z.object({
  kind: z.literal('scheduled_report'),
  version: z.literal(QUEUE_MESSAGE_VERSION),
  /** The report's name in the configuration. */
  schedule: id,
  question: z.string().check(z.minLength(1), z.maxLength(MAX_QUESTION_CHARS)),
  channel: id,
  /** Unique per run (`<aws.scheduler.execution-id>`): the conversation id. */
  execution_id: id,
  /** When the run was due (`<aws.scheduler.scheduled-time>`). */
  scheduled_at: isoTime,
});

/** A click on Approve or Reject (or a click after the approval expired), decided once. */
export const slackApprovalMessageSchema = z.object({
  kind: z.literal('approval'),
  version: z.literal(QUEUE_MESSAGE_VERSION),
  decision: z.enum(['approve', 'reject', 'expired']),
  invocation_id: id,
  action_group: id,
  function: id,
  agent_id: z.optional(id),
  team: id,
  channel: id,
  thread_ts: slackTs,
  /** The approval request message, updated to show the outcome. */
  message_ts: slackTs,
  message_blocks: z.optional(z.array(z.unknown()).check(z.maxLength(50))),
  /** Who asked the question, and who decided. */
  requester: id,
  user: id,
  conversation_id: id,
  decided_at: isoTime,
  expires_at: isoTime,
});

export const slackQueueMessageSchema = z.discriminatedUnion('kind', [
  slackQuestionMessageSchema,
  slackFeedbackMessageSchema,
  slackScheduledReportMessageSchema,
  slackApprovalMessageSchema,
]);

export type SlackQuestionMessage = z.infer<typeof slackQuestionMessageSchema>;
export type SlackFeedbackMessage = z.infer<typeof slackFeedbackMessageSchema>;
export type SlackScheduledReportMessage = z.infer<typeof slackScheduledReportMessageSchema>;
export type SlackApprovalMessage = z.infer<typeof slackApprovalMessageSchema>;
export type SlackQueueMessage = z.infer<typeof slackQueueMessageSchema>;
export type FeedbackRating = (typeof FEEDBACK_RATINGS)[number];
