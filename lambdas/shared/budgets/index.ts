/** Optional daily budgets per Slack user, Slack channel and webhook API key (DynamoDB). */
export {
  BUDGET_SUBJECT_KINDS,
  type BudgetSubjectKind,
  type BudgetsConfig,
  budgetsConfigFromEnv,
  budgetsConfigSchema,
  type DailyLimit,
  dailyBudgetsFromEnv,
} from './budget-config';
export { type BudgetDay, budgetDay } from './budget-day';
export { BudgetExceededError } from './budget-exceeded-error';
export {
  type Admission,
  type BudgetHold,
  type BudgetRefusal,
  type BudgetSubject,
  budgetRefusalText,
  DailyBudgets,
  type DailyBudgetsOptions,
  type SpentUsage,
} from './daily-budgets';
