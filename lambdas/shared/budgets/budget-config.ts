/**
 * `BUDGETS`: optional daily budgets, a JSON object validated once at start-up. Each kind of
 * subject (a Slack user, a Slack channel, a webhook API key) may have one daily limit, in tokens
 * (every token: input, cache reads and writes, output) or in US dollars (the estimated cost from
 * the price table). Unset: no budgets, and no DynamoDB calls.
 *
 * ```json
 * {"timeZone": "America/New_York",
 *  "slackUser": {"tokens": 2000000}, "slackChannel": {"usd": 50}, "webhookKey": {"usd": 20},
 *  "reservation": {"tokens": 150000, "usd": 1}}
 * ```
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConfigError, parseJsonEnv } from '@revbot/core';
import { z } from 'zod';
import { isTimeZone } from './budget-day';
import { DailyBudgets } from './daily-budgets';

export const BUDGET_SUBJECT_KINDS = ['slackUser', 'slackChannel', 'webhookKey'] as const;
export type BudgetSubjectKind = (typeof BUDGET_SUBJECT_KINDS)[number];

const dailyLimitSchema = z.union([
  z.strictObject({ tokens: z.number().int().positive() }),
  z.strictObject({ usd: z.number().positive().finite() }),
]);

export const budgetsConfigSchema = z.strictObject({
  /** IANA zone whose midnight starts each budget day. */
  timeZone: z
    .string()
    .refine(isTimeZone, { message: 'must be an IANA time zone, e.g. Europe/Paris' })
    .default('UTC'),
  slackUser: dailyLimitSchema.optional(),
  slackChannel: dailyLimitSchema.optional(),
  webhookKey: dailyLimitSchema.optional(),
  /**
   * What a request holds against a budget while it runs, replaced by its actual usage when it
   * ends: the bound on how far concurrent requests can overshoot (see daily-budgets.ts).
   */
  reservation: z
    .strictObject({
      tokens: z.number().int().positive().default(150_000),
      usd: z.number().positive().finite().default(1),
    })
    .default({ tokens: 150_000, usd: 1 }),
});

export type BudgetsConfig = z.infer<typeof budgetsConfigSchema>;
export type DailyLimit = z.infer<typeof dailyLimitSchema>;

/** `BUDGETS` parsed, or undefined when unset; a bad value stops start-up with one line. */
export function budgetsConfigFromEnv(
  env: Record<string, string | undefined> = process.env,
): BudgetsConfig | undefined {
  return parseJsonEnv('BUDGETS', budgetsConfigSchema, env);
}

/**
 * The budgets a Lambda or the local stack enforces: `BUDGETS` and the table they live in
 * (`BUDGET_TABLE`, required with `BUDGETS`; `BUDGET_TABLE_KEY` and `BUDGET_TABLE_TTL` name its
 * partition key and TTL attribute when budgets share a channel's table). The DynamoDB client comes from the caller, which
 * creates it once per container, and only when budgets are configured.
 */
export function dailyBudgetsFromEnv(
  env: Record<string, string | undefined> = process.env,
  documents: () => DynamoDBDocumentClient = () =>
    DynamoDBDocumentClient.from(new DynamoDBClient({})),
  now?: () => Date,
): DailyBudgets | undefined {
  const config = budgetsConfigFromEnv(env);
  if (!config) return undefined;
  const tableName = env.BUDGET_TABLE?.trim();
  if (!tableName) {
    throw new ConfigError('Invalid configuration: BUDGET_TABLE: required when BUDGETS is set');
  }
  return new DailyBudgets({
    documents: documents(),
    tableName,
    keyAttribute: env.BUDGET_TABLE_KEY?.trim() || undefined,
    ttlAttribute: env.BUDGET_TABLE_TTL?.trim() || undefined,
    config,
    now,
  });
}
