/**
 * Daily budgets in DynamoDB: one item per subject and budget day (`budget#<kind>#<id>#<day>`),
 * expiring by TTL two days after its day ends.
 *
 * The rule, exactly. Each item keeps `committed`: the usage recorded that day plus the
 * reservations of the requests still running, in the limit's unit (tokens, or micro-dollars).
 * - Before its model call a request is admitted only if `committed < limit`, and in the same
 *   conditional update adds its reservation (`reservation.tokens` or `reservation.usd`) to
 *   `committed`. A request finding `committed >= limit` (exactly at the limit included) is refused.
 * - When it ends, its reservation is replaced by its actual usage (`committed += actual - held`).
 *   A dollar budget charges the whole reservation when the cost is unknown (unpriced model).
 * So however many requests run at once, the last one admitted saw `committed < limit`: the day
 * ends below `limit + reservation`, i.e. it can overshoot by at most one in-flight request (as
 * long as a request uses no more than its reservation; keep the reservation at or above the
 * per-question bound AGENT_TOKEN_BUDGET).
 *
 * A request checked against several budgets (a Slack user and its channel) takes them one by one
 * and gives back what it took when a later one refuses.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { RetryableError } from '@revbot/core';
import type { BudgetSubjectKind, BudgetsConfig, DailyLimit } from './budget-config';
import { budgetDay } from './budget-day';

export interface BudgetSubject {
  kind: BudgetSubjectKind;
  /** Stable id: `T…:U…` for a Slack user, `T…:C…` for a channel, the API key's id. */
  id: string;
}

/** What an admitted request holds, to give back when it ends (it travels with webhook jobs). */
export interface BudgetHold {
  key: string;
  unit: 'tokens' | 'usd';
  /** Tokens, or micro-dollars. */
  reserved: number;
}

export interface BudgetRefusal {
  subject: BudgetSubject;
  limit: DailyLimit;
  day: string;
  /** Seconds until the budget day rolls over (`Retry-After`). */
  retryAfterSeconds: number;
  resetsAt: string;
}

export type Admission =
  | { admitted: true; holds: BudgetHold[] }
  | { admitted: false; refusal: BudgetRefusal };

/** A request's actual usage: every token, and the estimated cost (null when unknown). */
export interface SpentUsage {
  tokens: number;
  costUsd: number | null;
}

export interface DailyBudgetsOptions {
  documents: DynamoDBDocumentClient;
  tableName: string;
  /** The table's partition key (budgets may share a channel's table under the `budget#` prefix). @default 'pk' */
  keyAttribute?: string;
  /** The table's TTL attribute. @default 'expires_at' */
  ttlAttribute?: string;
  config: BudgetsConfig;
  now?: () => Date;
}

const TTL_AFTER_DAY_S = 2 * 24 * 3600;
const micros = (usd: number) => Math.ceil(usd * 1e6);

export class DailyBudgets {
  private readonly now: () => Date;

  constructor(private readonly options: DailyBudgetsOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /** Admits a request against every budget that applies to its subjects, or says which refused. */
  async admit(subjects: readonly BudgetSubject[]): Promise<Admission> {
    const { config } = this.options;
    const day = budgetDay(this.now(), config.timeZone);
    const holds: BudgetHold[] = [];
    for (const subject of subjects) {
      const limit = config[subject.kind];
      if (!limit) continue;
      const unit = 'tokens' in limit ? 'tokens' : 'usd';
      const hold: BudgetHold = {
        key: `budget#${subject.kind}#${subject.id}#${day.day}`,
        unit,
        reserved: unit === 'tokens' ? config.reservation.tokens : micros(config.reservation.usd),
      };
      const limitValue = 'tokens' in limit ? limit.tokens : micros(limit.usd);
      const taken = await this.take(hold, limitValue, Math.floor(day.endsAt.getTime() / 1000));
      if (!taken) {
        await this.release(holds);
        return {
          admitted: false,
          refusal: {
            subject,
            limit,
            day: day.day,
            retryAfterSeconds: day.secondsLeft,
            resetsAt: day.endsAt.toISOString(),
          },
        };
      }
      holds.push(hold);
    }
    return { admitted: true, holds };
  }

  /** Replaces the holds of a finished request by what it actually used. */
  async settle(holds: readonly BudgetHold[], spent: SpentUsage): Promise<void> {
    for (const hold of holds) {
      const actual =
        hold.unit === 'tokens'
          ? spent.tokens
          : spent.costUsd === null
            ? hold.reserved
            : micros(spent.costUsd);
      await this.add(hold.key, {
        committed: actual - hold.reserved,
        reserved: -hold.reserved,
        used: actual,
        used_tokens: spent.tokens,
      });
    }
  }

  private keyOf(key: string): Record<string, string> {
    return { [this.options.keyAttribute ?? 'pk']: key };
  }

  private async take(hold: BudgetHold, limit: number, dayEndS: number): Promise<boolean> {
    try {
      await this.options.documents.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: this.keyOf(hold.key),
          UpdateExpression:
            'SET #ttl = if_not_exists(#ttl, :ttl), #unit = :unit, #limit = :limit ADD committed :held, reserved :held, admitted :one',
          ConditionExpression: 'attribute_not_exists(committed) OR committed < :limit',
          ExpressionAttributeNames: {
            '#ttl': this.options.ttlAttribute ?? 'expires_at',
            '#unit': 'unit',
            '#limit': 'limit',
          },
          ExpressionAttributeValues: {
            ':ttl': dayEndS + TTL_AFTER_DAY_S,
            ':unit': hold.unit,
            ':limit': limit,
            ':held': hold.reserved,
            ':one': 1,
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw unavailable(error);
    }
  }

  private async release(holds: readonly BudgetHold[]): Promise<void> {
    for (const hold of holds) {
      await this.add(hold.key, {
        committed: -hold.reserved,
        reserved: -hold.reserved,
        admitted: -1,
      });
    }
  }

  private async add(key: string, amounts: Record<string, number>): Promise<void> {
    const names = Object.keys(amounts);
    try {
      await this.options.documents.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: this.keyOf(key),
          UpdateExpression: `ADD ${names.map((_name, i) => `#a${i} :a${i}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(names.map((n, i) => [`#a${i}`, n])),
          ExpressionAttributeValues: Object.fromEntries(
            names.map((n, i) => [`:a${i}`, amounts[n]]),
          ),
        }),
      );
    } catch (error) {
      throw unavailable(error);
    }
  }
}

function unavailable(error: unknown): RetryableError {
  return new RetryableError('The budget table is unavailable', 'BUDGET_STORE_UNAVAILABLE', {
    cause: error,
  });
}

/** The sentence a refused Slack user reads in the thread. */
export function budgetRefusalText(refusal: BudgetRefusal): string {
  const whose = {
    slackUser: 'your',
    slackChannel: 'this channel’s',
    webhookKey: 'this API key’s',
  }[refusal.subject.kind];
  const limit =
    'tokens' in refusal.limit
      ? `${refusal.limit.tokens.toLocaleString('en-US')} tokens`
      : `$${refusal.limit.usd.toFixed(2)}`;
  const hours = Math.floor(refusal.retryAfterSeconds / 3600);
  const minutes = Math.ceil((refusal.retryAfterSeconds % 3600) / 60);
  const wait = hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`;
  return `${whose.charAt(0).toUpperCase()}${whose.slice(1)} daily RevBot budget (${limit}) is used up for ${refusal.day}. It resets in ${wait} (${refusal.resetsAt}); ask your RevBot admin if you need more today.`;
}
