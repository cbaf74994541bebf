/**
 * Deployment configuration, read once from CDK context (`-c stage=prod`) and validated with zod.
 * A bad value stops the synth with one line naming the key.
 */
import type { Node } from 'constructs';
import { z } from 'zod';
import { parseScheduledReports } from '../../lambdas/shared/slack/scheduled-report';
import { STAGE_PATTERN, STAGE_RULE } from './naming';

export const AGENT_RUNTIMES = ['bedrock-agents', 'converse'] as const;
export type AgentRuntimeKind = (typeof AGENT_RUNTIMES)[number];

/** A JSON object given as text (the processors validate its entries at start-up). */
const jsonObject = z.string().refine(
  (text) => {
    try {
      const value = JSON.parse(text) as unknown;
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    } catch {
      return false;
    }
  },
  { message: 'must be a JSON object' },
);
/** `5s,5m,2h`-style waits (the delivery function checks each value's range). */
const RETRY_SCHEDULE = /^(none|\s*\d+(\.\d+)?(ms|s|m|h|d)\s*(,\s*\d+(\.\d+)?(ms|s|m|h|d)\s*)*)$/;

const configSchema = z.object({
  stage: z.string().regex(STAGE_PATTERN, STAGE_RULE),
  agentRuntime: z.enum(AGENT_RUNTIMES),
  /** Days conversation records are kept in S3 before they expire. */
  conversationRetentionDays: z.coerce.number().int().min(1).max(3650),
  /** Optional e-mail subscribed to the alarm topic. */
  alarmEmail: z.email().optional(),
  /** Comma-separated allowlist of outbound webhook URL prefixes or hosts. */
  webhookAllowedUrls: z.string().default(''),
  /** Default outbound webhook URL for the webhook channel. */
  webhookUrl: z.string().default(''),
  /**
   * Actions that run without a person's approval: comma-separated tools or `<tool>.<function>`
   * (default none: every action waits for approval).
   */
  actionsWithoutApproval: z.string().default(''),
  /** Slack user group (`S…`) whose members may approve any action, besides the asker. */
  slackApproversGroup: z
    .string()
    .regex(/^S[A-Z0-9]+$/, 'must be a Slack user group id (S…)')
    .optional(),
  /**
   * Most concurrent invocations each channel's queue starts (SQS's minimum is 2): a burst of
   * questions waits in the queue instead of exhausting Bedrock's quotas.
   */
  processorMaxConcurrency: z.coerce.number().int().min(2).max(1000),
  /** Questions answered on a schedule and posted to a channel (a JSON array when given by `-c`). */
  scheduledReports: z
    .unknown()
    .transform((raw) => parseScheduledReports(typeof raw === 'string' ? JSON.parse(raw) : raw))
    .default([]),
  /**
   * Daily budgets (`BUDGETS`, a JSON object: see lambdas/shared/budgets/budget-config.ts), kept
   * in each channel's own table under the `budget#` key prefix. Unset: no budgets.
   */
  budgets: jsonObject.optional(),
  /** Prices over the defaults of the cost estimates (`MODEL_PRICES`, a JSON object). */
  modelPrices: jsonObject.optional(),
  /**
   * Waits between webhook delivery attempts (`WEBHOOK_RETRY_SCHEDULE`, e.g. `5s,5m,30m,2h`);
   * unset: Standard Webhooks' schedule. The delivery function validates the values at start-up.
   */
  webhookRetrySchedule: z
    .string()
    .regex(RETRY_SCHEDULE, 'must be comma-separated waits such as 5s,5m,30m,2h, or none')
    .optional(),
  /**
   * Requests one client IP may make to the webhook API in 5 minutes before AWS WAF blocks it
   * (a web ACL with one rate-based rule on the API stage). Unset: no web ACL. Off by default:
   * the API key's usage plan and the route throttles already bound every caller, and WAF adds
   * a monthly charge per ACL and rule; set it where callers are many or unknown.
   */
  webhookWafRateLimit: z.coerce.number().int().min(10).max(2_000_000_000).optional(),
});

export type RevbotConfig = z.infer<typeof configSchema>;

/** Comma-separated Slack ids, each matching `pattern`; kept as the comma-separated text. */
const slackIds = (pattern: RegExp, what: string) =>
  z
    .string()
    .refine(
      (value) =>
        value
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean)
          .every((id) => pattern.test(id)),
      `must be comma-separated ${what}`,
    )
    .transform((value) =>
      value
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean)
        .join(','),
    );

/**
 * Who may use RevBot through Slack (README "Slack access"): the app id every envelope must name,
 * the workspaces it answers, whether Slack Connect users of other organisations are answered,
 * and the channels it answers in. Unset keys leave that check open (external users stay ignored).
 */
export const slackAccessSchema = z.object({
  slackAppId: z
    .string()
    .regex(/^A[A-Z0-9]+$/, 'must be a Slack app id (A…)')
    .optional(),
  slackAllowedTeams: slackIds(/^[TE][A-Z0-9]{2,}$/, 'team (T…) or enterprise (E…) ids').optional(),
  slackAllowExternalUsers: z
    .union([z.boolean(), z.enum(['true', 'false'])])
    .transform((value) => value === true || value === 'true')
    .optional(),
  slackAllowedChannels: slackIds(/^[CG][A-Z0-9]{2,}$/, 'channel ids (C… or G…)').optional(),
  /** `{"execution_agent": ["S…"]}` (JSON text or an object in cdk.json): who may use which agent. */
  slackAgentGroups: z
    .union([z.string(), z.record(z.string(), z.unknown())])
    .transform((value, ctx) => {
      let json: unknown = value;
      if (typeof value === 'string') {
        try {
          json = JSON.parse(value);
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be JSON: {"<agent>": ["S…"]}' });
          return z.NEVER;
        }
      }
      const groups = z
        .record(
          z.string().regex(/^[a-z][a-z0-9_]*$/),
          z.array(z.string().regex(/^S[A-Z0-9]+$/)).min(1),
        )
        .safeParse(json);
      if (!groups.success) {
        ctx.addIssue({
          code: 'custom',
          message: 'must map agent folder names to lists of Slack user group ids (S…)',
        });
        return z.NEVER;
      }
      return JSON.stringify(groups.data);
    })
    .optional(),
});

export type SlackAccessConfig = z.infer<typeof slackAccessSchema>;

/** The Slack access keys of CDK context, validated; a bad value names its key. */
export function loadSlackAccess(node: Node): SlackAccessConfig {
  return parseContext(node, slackAccessSchema);
}

/** The slack-handler variables the access keys become (unset keys set nothing). */
export function slackAccessEnvironment(access: SlackAccessConfig): Record<string, string> {
  const env: Record<string, string> = {};
  if (access.slackAppId) env.SLACK_APP_ID = access.slackAppId;
  if (access.slackAllowedTeams) env.SLACK_ALLOWED_TEAMS = access.slackAllowedTeams;
  if (access.slackAllowExternalUsers !== undefined) {
    env.SLACK_ALLOW_EXTERNAL_USERS = String(access.slackAllowExternalUsers);
  }
  if (access.slackAllowedChannels) env.SLACK_ALLOWED_CHANNELS = access.slackAllowedChannels;
  return env;
}

/** A switch given as `true`/`false` (text from `-c`, a boolean from cdk.json). */
const contextSwitch = z
  .union([z.boolean(), z.enum(['true', 'false'])])
  .transform((value) => value === true || value === 'true');

/**
 * How the Slack processor answers (README "The Slack app"): streamed in the thread (it falls
 * back to post-and-update by itself where a workspace cannot stream), and with an agent session
 * (title, status and Stop button) since the manifest declares the app an agent (`agent_view`).
 */
export const slackAnswersSchema = z.object({
  slackStreaming: contextSwitch.default(true),
  slackAgentSessions: contextSwitch.default(true),
});

export type SlackAnswersConfig = z.infer<typeof slackAnswersSchema>;

/** The Slack answer keys of CDK context, validated; a bad value names its key. */
export function loadSlackAnswers(node: Node): SlackAnswersConfig {
  return parseContext(node, slackAnswersSchema);
}

/** The slack-processor variables of the answer keys (always set: the stack says what it chose). */
export function slackAnswersEnvironment(answers: SlackAnswersConfig): Record<string, string> {
  return {
    SLACK_STREAMING: answers.slackStreaming ? 'on' : 'off',
    SLACK_AGENT_SESSIONS: answers.slackAgentSessions ? 'on' : 'off',
  };
}

/** The slack-processor variable of the agent policy (unset: no policy). */
export function slackAgentPolicyEnvironment(access: SlackAccessConfig): Record<string, string> {
  return access.slackAgentGroups ? { SLACK_AGENT_GROUPS: access.slackAgentGroups } : {};
}

const DEFAULTS = {
  stage: 'dev',
  agentRuntime: 'bedrock-agents',
  conversationRetentionDays: 365,
  processorMaxConcurrency: 5,
};

export function loadConfig(node: Node): RevbotConfig {
  return parseContext(node, configSchema, DEFAULTS);
}

/**
 * The keys of `schema` read from CDK context (an unset or empty key takes its entry in
 * `defaults`, if any) and validated; a bad value throws one line naming the key.
 */
export function parseContext<Schema extends z.ZodObject>(
  node: Node,
  schema: Schema,
  defaults: Readonly<Record<string, unknown>> = {},
): z.infer<Schema> {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = node.tryGetContext(key) ?? defaults[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `Invalid CDK context "${issue?.path.join('.')}": ${issue?.message ?? 'invalid value'}`,
    );
  }
  return parsed.data;
}
