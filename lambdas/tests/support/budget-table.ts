/**
 * A budgets table on the embedded DynamoDB for the describe block that calls it (started before
 * its tests, closed after), and budgets over it from a `BUDGETS`-shaped config and a clock.
 */
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '@revbot/testing/embedded-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { budgetsConfigSchema, DailyBudgets } from '../../shared/budgets';

export const BUDGET_TABLE = 'budgets';

export function budgetTable() {
  let dynamo: EmbeddedDynamoDb | undefined;
  beforeAll(async () => {
    dynamo = await startEmbeddedDynamoDb();
    await dynamo.createTable(BUDGET_TABLE, 'pk');
  });
  afterAll(async () => {
    await dynamo?.close();
  });
  const started = () => {
    if (!dynamo) throw new Error('the budget table starts before the tests');
    return dynamo;
  };
  return {
    budgets: (config: unknown, now: () => Date) =>
      new DailyBudgets({
        documents: started().documents,
        tableName: BUDGET_TABLE,
        config: budgetsConfigSchema.parse(config),
        now,
      }),
    committed: async (key: string) =>
      (await started().item(BUDGET_TABLE, { pk: { S: key } }))?.committed?.N,
  };
}
