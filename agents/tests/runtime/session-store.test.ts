import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '@revbot/testing/embedded-dynamodb';
import { localClientConfig } from '@revbot/testing/local-client-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentRuntimeError } from '../../src/errors';
import {
  type ConversationTurn,
  DynamoSessionStore,
  InMemorySessionStore,
  type SessionStore,
} from '../../src/runtime/session-store';

const TABLE = 'revops-test-agent-sessions';
const T0 = Date.parse('2026-11-23T10:00:00Z');
const turn = (n: number): ConversationTurn => ({
  user: `question ${n}`,
  assistant: `answer ${n}`,
  at: new Date(T0 + n * 1000).toISOString(),
});

let dynamo: EmbeddedDynamoDb;
let client: DynamoDBClient;

beforeAll(async () => {
  dynamo = await startEmbeddedDynamoDb();
  await dynamo.createTable(TABLE, 'pk', 'sk');
  client = new DynamoDBClient(localClientConfig(dynamo.endpoint));
});
afterAll(async () => {
  client.destroy();
  await dynamo.close();
});

const stores: [string, (clock: () => number, maxTurns?: number) => SessionStore][] = [
  ['in memory', (clock, maxTurns) => new InMemorySessionStore({ clock, maxTurns })],
  [
    'in DynamoDB',
    (clock, maxTurns) => new DynamoSessionStore({ client, tableName: TABLE, clock, maxTurns }),
  ],
];

describe.each(stores)('the session store %s', (_, create) => {
  it('keeps each agent’s turns of a session in order, apart from other agents and sessions', async () => {
    const store = create(() => T0);
    const session = `s-${Math.random()}`;
    expect(await store.load(session, 'manager_agent')).toEqual([]);
    await store.append(session, 'manager_agent', turn(1), 600);
    await store.append(session, 'manager_agent', turn(2), 600);
    await store.append(session, 'data_agent', turn(3), 600);
    expect(await store.load(session, 'manager_agent')).toEqual([turn(1), turn(2)]);
    expect(await store.load(session, 'data_agent')).toEqual([turn(3)]);
    expect(await store.load(`${session}-other`, 'manager_agent')).toEqual([]);
  });

  it('keeps only the latest turns', async () => {
    const store = create(() => T0, 3);
    const session = `s-${Math.random()}`;
    for (let n = 1; n <= 5; n++) await store.append(session, 'manager_agent', turn(n), 600);
    expect((await store.load(session, 'manager_agent')).map((t) => t.user)).toEqual([
      'question 3',
      'question 4',
      'question 5',
    ]);
  });

  it('forgets a session left idle longer than its TTL, and each turn renews it', async () => {
    let now = T0;
    const store = create(() => now);
    const session = `s-${Math.random()}`;
    await store.append(session, 'manager_agent', turn(1), 60);
    now += 50_000;
    await store.append(session, 'manager_agent', turn(2), 60);
    now += 50_000; // 100 s after the first turn, 50 s after the last
    expect(await store.load(session, 'manager_agent')).toHaveLength(2);
    now += 11_000;
    expect(await store.load(session, 'manager_agent')).toEqual([]);
    await store.append(session, 'manager_agent', turn(3), 60);
    expect(await store.load(session, 'manager_agent')).toEqual([turn(3)]);
  });
});

describe('the DynamoDB session store', () => {
  it('writes one item per session and agent with the table’s keys and TTL attribute', async () => {
    const store = new DynamoSessionStore({ client, tableName: TABLE, clock: () => T0 });
    await store.append('thread-42', 'deal_analysis_agent', turn(1), 1800);
    await store.append('thread-42', 'deal_analysis_agent', turn(2), 1800);
    const item = await dynamo.item(TABLE, {
      pk: { S: 'SESSION#thread-42' },
      sk: { S: 'AGENT#deal_analysis_agent' },
    });
    expect(item?.expires_at).toEqual({ N: String(T0 / 1000 + 1800) });
    expect(item?.version).toEqual({ N: '2' });
    expect((item!.turns as { L: unknown[] }).L).toHaveLength(2);
  });

  it('loses no turn when two answers in one session are saved at once', async () => {
    const a = new DynamoSessionStore({ client, tableName: TABLE, clock: () => T0 });
    const b = new DynamoSessionStore({ client, tableName: TABLE, clock: () => T0 });
    const before = dynamo.operations.length;
    await Promise.all([
      a.append('race-1', 'manager_agent', turn(1), 600),
      b.append('race-1', 'manager_agent', turn(2), 600),
    ]);
    const users = (await a.load('race-1', 'manager_agent')).map((t) => t.user).sort();
    expect(users).toEqual(['question 1', 'question 2']);
    // Both read an empty session; the second write lost the race and was redone.
    expect(dynamo.operations.slice(before).filter((op) => op === 'PutItem')).toHaveLength(3);
  });

  it('reports an unavailable table as a retryable runtime error', async () => {
    const store = new DynamoSessionStore({ client, tableName: TABLE });
    dynamo.failNext('ProvisionedThroughputExceededException');
    const error = await store.load('x', 'manager_agent').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AgentRuntimeError);
    expect(error).toMatchObject({ code: 'SESSION_STORE_UNAVAILABLE', retryable: true });
    expect((error as Error).message).toBe(
      'Could not read the conversation history (ProvisionedThroughputExceededException)',
    );
  });
});
