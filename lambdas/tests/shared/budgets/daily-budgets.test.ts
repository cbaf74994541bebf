/**
 * Budgets against the embedded DynamoDB (real conditional updates): the edges of the limit,
 * concurrent requests, rollover at midnight in the configured zone, configuration errors.
 */
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '@revbot/testing/embedded-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { budgetsConfigFromEnv, budgetsConfigSchema } from '../../../shared/budgets/budget-config';
import { type BudgetSubject, DailyBudgets } from '../../../shared/budgets/daily-budgets';

let dynamo: EmbeddedDynamoDb;
let table = '';
let tables = 0;

beforeAll(async () => {
  dynamo = await startEmbeddedDynamoDb();
});
afterAll(async () => {
  await dynamo?.close();
});
beforeEach(async () => {
  table = `budgets-${++tables}`;
  await dynamo.createTable(table, 'pk');
});

const alice: BudgetSubject = { kind: 'slackUser', id: 'T1:UALICE' };
const channel: BudgetSubject = { kind: 'slackChannel', id: 'T1:CSALES' };

function budgets(config: unknown, now = () => new Date('2026-12-07T15:00:00Z')) {
  return new DailyBudgets({
    documents: dynamo.documents,
    tableName: table,
    config: budgetsConfigSchema.parse(config),
    now,
  });
}

async function committed(key: string): Promise<number | undefined> {
  const item = await dynamo.item(table, { pk: { S: key } });
  return item?.committed?.N === undefined ? undefined : Number(item.committed.N);
}

describe('daily budgets at the edges of the limit', () => {
  const config = { slackUser: { tokens: 10_000 }, reservation: { tokens: 2_000 } };

  it('admits a request one token below the limit and refuses one exactly at it', async () => {
    const b = budgets(config);
    const first = await b.admit([alice]);
    if (!first.admitted) throw new Error('refused');
    await b.settle(first.holds, { tokens: 9_999, costUsd: null });
    expect(await committed('budget#slackUser#T1:UALICE#2026-12-07')).toBe(9_999);

    const second = await b.admit([alice]);
    if (!second.admitted) throw new Error('refused one below the limit');
    await b.settle(second.holds, { tokens: 1, costUsd: null });
    expect(await committed('budget#slackUser#T1:UALICE#2026-12-07')).toBe(10_000);

    const third = await b.admit([alice]);
    expect(third.admitted).toBe(false);
    expect(await committed('budget#slackUser#T1:UALICE#2026-12-07')).toBe(10_000);
  });

  it('refuses with the seconds until the day rolls over in the configured zone', async () => {
    const b = budgets(
      { ...config, timeZone: 'America/Los_Angeles' },
      // 15:00Z is 07:00 in Los Angeles (PST): 17 hours to local midnight.
      () => new Date('2026-12-07T15:00:00Z'),
    );
    const first = await b.admit([alice]);
    if (!first.admitted) throw new Error('refused');
    await b.settle(first.holds, { tokens: 12_000, costUsd: null });
    const refused = await b.admit([alice]);
    expect(refused).toEqual({
      admitted: false,
      refusal: {
        subject: alice,
        limit: { tokens: 10_000 },
        day: '2026-12-07',
        retryAfterSeconds: 17 * 3600,
        resetsAt: '2026-12-08T08:00:00.000Z',
      },
    });
  });

  it('keeps a dollar budget in micro-dollars and charges the reservation when the cost is unknown', async () => {
    const b = budgets({ slackChannel: { usd: 1 }, reservation: { usd: 0.4 } });
    const first = await b.admit([channel]);
    if (!first.admitted) throw new Error('refused');
    await b.settle(first.holds, { tokens: 50_000, costUsd: 0.6 });
    const key = 'budget#slackChannel#T1:CSALES#2026-12-07';
    expect(await committed(key)).toBe(600_000);
    const second = await b.admit([channel]);
    if (!second.admitted) throw new Error('refused');
    await b.settle(second.holds, { tokens: 10, costUsd: null });
    expect(await committed(key)).toBe(1_000_000);
    expect((await b.admit([channel])).admitted).toBe(false);
  });

  it('gives back the user budget it took when the channel budget refuses', async () => {
    const b = budgets({
      slackUser: { tokens: 10_000 },
      slackChannel: { tokens: 5_000 },
      reservation: { tokens: 2_000 },
    });
    const first = await b.admit([alice, channel]);
    if (!first.admitted) throw new Error('refused');
    await b.settle(first.holds, { tokens: 5_000, costUsd: null });
    const refused = await b.admit([alice, channel]);
    expect(refused.admitted === false && refused.refusal.subject).toEqual(channel);
    expect(await committed('budget#slackUser#T1:UALICE#2026-12-07')).toBe(5_000);
  });

  it('does nothing for a subject without a configured budget', async () => {
    const b = budgets({ webhookKey: { usd: 5 } });
    const before = dynamo.operations.length;
    expect(await b.admit([alice, channel])).toEqual({ admitted: true, holds: [] });
    expect(dynamo.operations.slice(before)).toEqual([]);
  });
});

describe('daily budgets in a channel’s own table', () => {
  it('keep their items under the budget# prefix of its key, with its TTL attribute', async () => {
    await dynamo.createTable(`${table}-requests`, 'tracking_id');
    const b = new DailyBudgets({
      documents: dynamo.documents,
      tableName: `${table}-requests`,
      keyAttribute: 'tracking_id',
      ttlAttribute: 'expiration',
      config: budgetsConfigSchema.parse({ webhookKey: { tokens: 10 } }),
      now: () => new Date('2026-12-07T15:00:00Z'),
    });
    expect((await b.admit([{ kind: 'webhookKey', id: 'k' }])).admitted).toBe(true);
    const [item] = await dynamo.items(`${table}-requests`);
    expect(item?.tracking_id?.S).toBe('budget#webhookKey#k#2026-12-07');
    expect(item?.expiration?.N).toBe(
      String(Date.parse('2026-12-08T00:00:00Z') / 1000 + 2 * 86_400),
    );
  });
});

describe('daily budgets under concurrent requests', () => {
  it('admits only while reservations leave room, so the day overshoots by less than one request', async () => {
    const b = budgets({ webhookKey: { tokens: 10_000 }, reservation: { tokens: 3_000 } });
    const key: BudgetSubject = { kind: 'webhookKey', id: 'key-1' };
    const admissions = await Promise.all(Array.from({ length: 12 }, () => b.admit([key])));
    const admitted = admissions.filter((a) => a.admitted);
    // committed before each admission: 0, 3,000, 6,000, 9,000 (< 10,000); then 12,000.
    expect(admitted).toHaveLength(4);
    await Promise.all(
      admitted.map((a) =>
        a.admitted ? b.settle(a.holds, { tokens: 3_000, costUsd: null }) : null,
      ),
    );
    const total = await committed('budget#webhookKey#key-1#2026-12-07');
    expect(total).toBe(12_000);
    expect(total).toBeLessThan(10_000 + 3_000);
    expect((await b.admit([key])).admitted).toBe(false);
  });
});

describe('daily budgets across midnight', () => {
  it('starts a fresh budget at midnight in the configured zone, not in UTC', async () => {
    let now = new Date('2026-12-08T04:59:30Z'); // 23:59:30 in New York
    const b = budgets(
      { timeZone: 'America/New_York', slackUser: { tokens: 1_000 }, reservation: { tokens: 500 } },
      () => now,
    );
    const first = await b.admit([alice]);
    if (!first.admitted) throw new Error('refused');
    await b.settle(first.holds, { tokens: 1_000, costUsd: null });
    const refused = await b.admit([alice]);
    expect(refused.admitted === false && refused.refusal.retryAfterSeconds).toBe(30);

    now = new Date('2026-12-08T05:00:00Z'); // 00:00 in New York
    const next = await b.admit([alice]);
    expect(next.admitted && next.holds.map((h) => h.key)).toEqual([
      'budget#slackUser#T1:UALICE#2026-12-08',
    ]);
    const item = await dynamo.item(table, { pk: { S: 'budget#slackUser#T1:UALICE#2026-12-08' } });
    // Kept two days past its day's end (2026-12-09T05:00Z), then removed by TTL.
    expect(Number(item?.expires_at?.N)).toBe(
      Date.parse('2026-12-09T05:00:00Z') / 1000 + 2 * 86_400,
    );
  });
});

describe('BUDGETS configuration', () => {
  it('is optional, and validated with one line naming the bad entry', () => {
    expect(budgetsConfigFromEnv({})).toBeUndefined();
    expect(budgetsConfigFromEnv({ BUDGETS: '{"slackUser":{"usd":5}}' })).toEqual({
      timeZone: 'UTC',
      slackUser: { usd: 5 },
      reservation: { tokens: 150_000, usd: 1 },
    });
    expect(() => budgetsConfigFromEnv({ BUDGETS: '{"timeZone":"Mars/Olympus"}' })).toThrow(
      'Invalid configuration: BUDGETS.timeZone: must be an IANA time zone, e.g. Europe/Paris',
    );
    expect(() => budgetsConfigFromEnv({ BUDGETS: '{"slackUser":{"tokens":-1}}' })).toThrow(
      /^Invalid configuration: BUDGETS\.slackUser/,
    );
    expect(() => budgetsConfigFromEnv({ BUDGETS: 'yes' })).toThrow(
      'Invalid configuration: BUDGETS: must be a JSON object',
    );
  });
});
