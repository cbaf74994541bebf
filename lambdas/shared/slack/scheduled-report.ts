/**
 * Scheduled reports: a question RevBot answers on a schedule and posts to a channel ("every
 * Monday 08:00 Europe/Paris: What is our pipeline this quarter by segment? → #revops"). One
 * definition serves the three places that read it — the CDK app (an EventBridge Scheduler
 * schedule per report), the Slack processor (the queue message the schedule sends) and
 * `revbot schedule run` (the same message, sent on demand to the local stack) — so the message a
 * schedule sends and the one the processor parses cannot drift apart.
 */
import * as z from 'zod/mini';
import {
  MAX_QUESTION_CHARS,
  QUEUE_MESSAGE_VERSION,
  type SlackScheduledReportMessage,
} from './slack-queue-message';

/** EventBridge Scheduler's recurring expressions: `cron(min hour dom month dow year)`, `rate(n unit)`. */
const CRON = /^cron\((\S+ ){5}\S+\)$/;
const RATE = /^rate\([1-9]\d* (minute|minutes|hour|hours|day|days)\)$/;

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

export const scheduledReportSchema = z.object({
  /** Names the schedule (`revops-<stage>-report-<name>`) and `revbot schedule run <name>`. */
  name: z
    .string()
    .check(z.regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'lowercase letters, digits and dashes, ≤ 32')),
  /** `cron(0 8 ? * MON *)` (every Monday 08:00) or `rate(1 day)`. */
  schedule: z
    .string()
    .check(z.refine((value) => CRON.test(value) || RATE.test(value), 'must be cron(…) or rate(…)')),
  /** IANA time zone the cron expression is read in. */
  timezone: z._default(
    z.string().check(z.refine(isTimeZone, 'must be an IANA time zone (Europe/Paris)')),
    'UTC',
  ),
  question: z.string().check(z.minLength(1), z.maxLength(MAX_QUESTION_CHARS)),
  /** The channel id the report is posted to (`C…`, `G…`); RevBot must be a member. */
  channel: z.string().check(z.regex(/^[CG][A-Z0-9]{2,}$/, 'must be a Slack channel id (C…)')),
});

export const scheduledReportsSchema = z
  .array(scheduledReportSchema)
  .check(
    z.refine(
      (reports) => new Set(reports.map((r) => r.name)).size === reports.length,
      'report names must be unique',
    ),
  );

export type ScheduledReport = z.infer<typeof scheduledReportSchema>;

/**
 * Parses the `scheduledReports` configuration (CDK context, `cdk.json`); a bad entry throws one
 * line naming it.
 */
export function parseScheduledReports(raw: unknown): ScheduledReport[] {
  const parsed = scheduledReportsSchema.safeParse(raw ?? []);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new Error(
    `Invalid scheduledReports${issue?.path.length ? `[${issue.path.join('.')}]` : ''}: ${issue?.message ?? 'invalid value'}`,
  );
}

/** EventBridge Scheduler fills these in when it sends the message. */
export const SCHEDULER_EXECUTION_ID = '<aws.scheduler.execution-id>';
export const SCHEDULER_SCHEDULED_TIME = '<aws.scheduler.scheduled-time>';

/** The queue message of one run of `report`. */
export function scheduledReportMessage(
  report: ScheduledReport,
  run: { executionId: string; scheduledAt: string },
): SlackScheduledReportMessage {
  return {
    kind: 'scheduled_report',
    version: QUEUE_MESSAGE_VERSION,
    schedule: report.name,
    question: report.question,
    channel: report.channel,
    execution_id: run.executionId,
    scheduled_at: run.scheduledAt,
  };
}
