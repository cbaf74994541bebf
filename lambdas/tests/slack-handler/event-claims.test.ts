import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RetryableError } from '@revbot/core';
import { type LocalAwsServer, startLocalAwsServer } from '@revbot/testing/local-aws-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dynamoDbEventClaims,
  type EventClaims,
  inMemoryEventClaims,
  messageClaimKey,
} from '../../slack-handler/event-claims';

let aws: LocalAwsServer;
let client: DynamoDBClient;
beforeAll(async () => {
  aws = await startLocalAwsServer();
  client = new DynamoDBClient({
    endpoint: aws.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await aws.close();
});

const implementations: [string, (now: () => number) => EventClaims][] = [
  [
    'DynamoDB (conditional PutItem)',
    (now) =>
      dynamoDbEventClaims({
        client,
        tableName: `slack-events-${Math.random().toString(36).slice(2)}`,
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
    const claims = dynamoDbEventClaims({ client, tableName, now: () => 1_763_890_000_000 });
    const key = messageClaimKey('T1', 'C9', '1763890000.000100');
    await claims.claim(key, 'Ev9');
    expect(aws.tables.get(tableName)?.get(key)).toEqual({
      id: { S: key },
      status: { S: 'IN_PROGRESS' },
      event_id: { S: 'Ev9' },
      lease_expires_at: { N: String(1_763_890_000_000 + 30_000) },
      expiration: { N: String(1_763_890_000 + 86_400) },
    });
    await claims.complete(key);
    expect(aws.tables.get(tableName)?.get(key)).toMatchObject({ status: { S: 'COMPLETED' } });
    expect(aws.tables.get(tableName)?.get(key)?.lease_expires_at).toBeUndefined();
  });

  it('turns a DynamoDB outage into a retryable error', async () => {
    const claims = dynamoDbEventClaims({ client, tableName: 'slack-events-down' });
    aws.failNext('PutItem', {
      status: 400,
      type: 'ProvisionedThroughputExceededException',
      message: 'Rate of requests exceeds the allowed throughput.',
    });
    await expect(claims.claim('k', 'Ev1')).rejects.toBeInstanceOf(RetryableError);
  });
});
