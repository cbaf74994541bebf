/**
 * Deployment configuration, read once from CDK context (`-c stage=prod`) and validated with zod.
 * A bad value stops the synth with one line naming the key.
 */
import type { Node } from 'constructs';
import { z } from 'zod';
import { STAGE_PATTERN, STAGE_RULE } from './naming';

export const AGENT_RUNTIMES = ['bedrock-agents', 'converse'] as const;
export type AgentRuntimeKind = (typeof AGENT_RUNTIMES)[number];

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
   * Most concurrent invocations each channel's queue starts (SQS's minimum is 2): a burst of
   * questions waits in the queue instead of exhausting Bedrock's quotas.
   */
  processorMaxConcurrency: z.coerce.number().int().min(2).max(1000),
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
