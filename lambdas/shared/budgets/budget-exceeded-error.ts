/** A request refused because a daily budget is spent: HTTP 429 with when to try again. */
import { RevbotError } from '@revbot/core';
import type { BudgetRefusal } from './daily-budgets';

export class BudgetExceededError extends RevbotError {
  /** Seconds until the budget day rolls over (`Retry-After`). */
  readonly retryAfterSeconds: number;

  constructor(refusal: BudgetRefusal) {
    const limit =
      'tokens' in refusal.limit ? `${refusal.limit.tokens} tokens` : `$${refusal.limit.usd}`;
    super(`The daily budget of this API key (${limit}) is used up for ${refusal.day}`, {
      code: 'BUDGET_EXCEEDED',
      statusCode: 429,
      details: {
        day: refusal.day,
        resets_at: refusal.resetsAt,
        retry_after_seconds: refusal.retryAfterSeconds,
      },
    });
    this.retryAfterSeconds = refusal.retryAfterSeconds;
  }
}
