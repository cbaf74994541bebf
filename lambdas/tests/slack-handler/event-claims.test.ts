import { RetryableError } from '@revbot/core';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '@revbot/testing/embedded-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  dynamoDbEventClaims,
  type EventClaims,
  inMemoryEventClaims,
  messageClaimKey,
} from '../../slack-handler/event-claims';

let dynamo: EmbeddedDynamoDb;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamoDb();
  await dynamo.createTable('slack-events-record', 'id');
  await dynamo.createTable('slack-events-down', 'id');
});
afterAll(() => dynamo.close());

/** Each test gets a table of its own, so claims never leak between tests. */
let claimsTable = '';
let tables = 0;
beforeEach(async () => {
  claimsTable = `slack-events-${++tables}`;
  await dynamo.createTable(claimsTable, 'id');
});

const implementations: [string, (now: () => number) => EventClaims][] = [
  [
    'DynamoDB (conditional PutItem)',
    (now) =>
      dynamoDbEventClaims({
        client: dynamo.client,
        tableName: claimsTable,
        now,
        leaseSeconds: 30,
        ttlSeconds: 3_600,
      }),
  ],
  ['in memory', (now) => inMemoryEventClaims({ now, leaseSeconds: 30, ttlSeconds: 3_600 })],
];

describe.each(implementations)('event claims in %s', (_, make) => {
  const key = messageClaimKey('T1', 'C1', '1763890000.000100');

  it('lets the first delivery through and drops later ones once it completed', async () => {
    const claims = make(() => 1_763_890_000_000);
    expect(await claims.claim(key, 'Ev1')).toBe('claimed');
    await claims.complete(key);
    expect(await claims.claim(key, 'Ev1')).toBe('duplicate');
    expect(await claims.claim(key, 'Ev2-same-message')).toBe('duplicate');
    expect(await claims.claim(messageClaimKey('T1', 'C1', '1763890000.000200'), 'Ev3')).toBe(
      'claimed',
    );
  });

  it('reports a claim still being worked on, until its lease runs out', async () => {
    let now = 1_763_890_000_000;
    const claims = make(() => now);
    expect(await claims.claim(key, 'Ev1')).toBe('claimed');
    expect(await claims.claim(key, 'Ev1')).toBe('in_progress');
    now += 31_000; // the first attempt died without completing or releasing
    expect(await claims.claim(key, 'Ev1')).toBe('claimed');
  });

  it('gives a released claim back to the next delivery', async () => {
    const claims = make(() => 1_763_890_000_000);
    expect(await claims.claim(key, 'Ev1')).toBe('claimed');
    await claims.release(key);
    expect(await claims.claim(key, 'Ev1')).toBe('claimed');
  });

  it('forgets a completed message once its TTL has passed, even before TTL deletion ran', async () => {
    let now = 1_763_890_000_000;
    const claims = make(() => now);
    await claims.claim(key, 'Ev1');
    await claims.complete(key);
    now += 3_601_000;
    expect(await claims.claim(key, 'Ev1')).toBe('claimed');
  });
});

describe('the DynamoDB claim record', () => {
  it('holds the key, event id, status and an epoch-seconds TTL in `expiration`', async () => {
    const tableName = 'slack-events-record';
    const claims = dynamoDbEventClaims({
      client: dynamo.client,
      tableName,
      now: () => 1_763_890_000_000,
    });
    const key = messageClaimKey('T1', 'C9', '1763890000.000100');
    await claims.claim(key, 'Ev9');
    expect(await dynamo.item(tableName, { id: { S: key } })).toEqual({
      id: { S: key },
      status: { S: 'IN_PROGRESS' },
      event_id: { S: 'Ev9' },
      lease_expires_at: { N: String(1_763_890_000_000 + 30_000) },
      expiration: { N: String(1_763_890_000 + 86_400) },
    });
    await claims.complete(key);
    const completed = await dynamo.item(tableName, { id: { S: key } });
    expect(completed).toMatchObject({ status: { S: 'COMPLETED' } });
    expect(completed?.lease_expires_at).toBeUndefined();
  });

  it('turns a DynamoDB outage into a retryable error', async () => {
    const claims = dynamoDbEventClaims({ client: dynamo.client, tableName: 'slack-events-down' });
    dynamo.failNext('ProvisionedThroughputExceededException', {
      operation: 'PutItem',
      message: 'Rate of requests exceeds the allowed throughput.',
    });
    await expect(claims.claim('k', 'Ev1')).rejects.toBeInstanceOf(RetryableError);
  });
});
