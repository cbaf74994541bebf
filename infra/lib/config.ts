/**
 * Deployment configuration, read once from CDK context (`-c stage=prod`) and validated with zod.
 * A bad value stops the synth with one line naming the key.
 */
import type { Node } from 'constructs';
import { z } from 'zod';
import { STAGE_PATTERN, STAGE_RULE } from './naming';

export const AGENT_RUNTIMES = ['bedrock-agents', 'converse'] as const;
export type AgentRuntimeKind = (typeof AGENT_RUNTIMES)[number];

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
