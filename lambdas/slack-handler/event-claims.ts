/**
 * "Never answer twice": before anything is posted or queued, the handler claims the asking
 * message with a conditional write. Slack's retries (`X-Slack-Retry-Num`), re-delivered
 * `event_id`s, and the `app_mention` + `message.im` pair Slack can send for one message all name
 * the same message, so they all meet the same claim and only the first goes through.
 *
 * A claim is IN_PROGRESS (with a short lease) until the placeholder is posted and the question
 * queued, then COMPLETED until its TTL. A failed attempt releases its claim so Slack's next retry
 * can succeed; an attempt that died mid-way (timeout, crash) stops blocking once its lease ends.
 *
 * Direct conditional PutItem rather than Powertools idempotency: the key must be derived from the
 * message (not the payload hash or one JMESPath), no result needs replaying (a duplicate gets an
 * empty 200), and the handler stays free of lib-dynamodb and JMESPath for its size budget.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { RetryableError } from '@revbot/core';

export type ClaimOutcome =
  /** First delivery: go ahead. */
  | 'claimed'
  /** Already answered (queued): acknowledge and do nothing. */
  | 'duplicate'
  /** Another attempt is still working on it: let Slack ask again later. */
  | 'in_progress';

export interface EventClaims {
  claim(key: string, eventId: string): Promise<ClaimOutcome>;
  /** The message was handled: later deliveries are duplicates until the record expires. */
  complete(key: string): Promise<void>;
  /** The attempt failed: give the message back so a retry can handle it. */
  release(key: string): Promise<void>;
}

export interface EventClaimTiming {
  /** How long a handled message is remembered (DynamoDB TTL). Default one day. */
  ttlSeconds?: number;
  /** How long an unfinished attempt blocks others. Default 30 s (the handler's timeout). */
  leaseSeconds?: number;
  now?: () => number;
}

const DEFAULT_TTL_SECONDS = 24 * 60 * 60;
const DEFAULT_LEASE_SECONDS = 30;

/** Everything Slack sends about one message shares this key. */
export function messageClaimKey(team: string, channel: string, messageTs: string): string {
  return `message#${team}#${channel}#${messageTs}`;
}

export interface DynamoDbEventClaimsOptions extends EventClaimTiming {
  client: DynamoDBClient;
  /** The events table: partition key `id`, TTL attribute `expiration`. */
  tableName: string;
}

export function dynamoDbEventClaims(options: DynamoDbEventClaimsOptions): EventClaims {
  const { client, tableName } = options;
  const now = options.now ?? Date.now;
  const ttl = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  const lease = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
  const unavailable = (error: unknown) =>
    new RetryableError('The de-duplication table could not be reached', 'DEDUP_UNAVAILABLE', {
      cause: error,
    });

  return {
    async claim(key, eventId) {
      const nowMs = now();
      const nowSeconds = Math.floor(nowMs / 1000);
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              id: { S: key },
              status: { S: 'IN_PROGRESS' },
              event_id: { S: eventId },
              lease_expires_at: { N: String(nowMs + lease * 1000) },
              expiration: { N: String(nowSeconds + ttl) },
            },
            // TTL deletion lags by up to two days: an expired record counts as absent.
            ConditionExpression:
              'attribute_not_exists(id) OR #expiration < :nowSeconds OR (#status = :inProgress AND #lease < :nowMs)',
            ExpressionAttributeNames: {
              '#expiration': 'expiration',
              '#status': 'status',
              '#lease': 'lease_expires_at',
            },
            ExpressionAttributeValues: {
              ':nowSeconds': { N: String(nowSeconds) },
              ':nowMs': { N: String(nowMs) },
              ':inProgress': { S: 'IN_PROGRESS' },
            },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return 'claimed';
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw unavailable(error);
        let status = error.Item?.status?.S;
        if (status === undefined) {
          // Stores without ReturnValuesOnConditionCheckFailure (older DynamoDB-compatible ones,
          // such as the local stack's) return no item: read it, strongly consistent.
          try {
            const current = await client.send(
              new GetItemCommand({
                TableName: tableName,
                Key: { id: { S: key } },
                ConsistentRead: true,
              }),
            );
            status = current.Item?.status?.S;
          } catch (readError) {
            throw unavailable(readError);
          }
        }
        return status === 'COMPLETED' ? 'duplicate' : 'in_progress';
      }
    },
    async complete(key) {
      try {
        await client.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: { id: { S: key } },
            UpdateExpression: 'SET #status = :completed REMOVE #lease',
            ExpressionAttributeNames: { '#status': 'status', '#lease': 'lease_expires_at' },
            ExpressionAttributeValues: { ':completed': { S: 'COMPLETED' } },
          }),
        );
      } catch (error) {
        throw unavailable(error);
      }
    },
    async release(key) {
      try {
        await client.send(new DeleteItemCommand({ TableName: tableName, Key: { id: { S: key } } }));
      } catch (error) {
        throw unavailable(error);
      }
    },
  };
}

/** The same rules in memory, for the local stack and tests. */
export function inMemoryEventClaims(options: EventClaimTiming = {}): EventClaims & {
  readonly size: number;
} {
  const now = options.now ?? Date.now;
  const ttlMs = (options.ttlSeconds ?? DEFAULT_TTL_SECONDS) * 1000;
  const leaseMs = (options.leaseSeconds ?? DEFAULT_LEASE_SECONDS) * 1000;
  const records = new Map<
    string,
    { status: 'IN_PROGRESS' | 'COMPLETED'; leaseUntil: number; expiresAt: number }
  >();
  return {
    get size() {
      return records.size;
    },
    async claim(key) {
      const at = now();
      const existing = records.get(key);
      if (
        existing &&
        existing.expiresAt >= at &&
        !(existing.status === 'IN_PROGRESS' && existing.leaseUntil < at)
      ) {
        return existing.status === 'COMPLETED' ? 'duplicate' : 'in_progress';
      }
      records.set(key, { status: 'IN_PROGRESS', leaseUntil: at + leaseMs, expiresAt: at + ttlMs });
      // Expired records are dropped as they are met, so a long-running local stack stays small.
      if (records.size > 10_000) {
        for (const [k, r] of records) if (r.expiresAt < at) records.delete(k);
      }
      return 'claimed';
    },
    async complete(key) {
      const record = records.get(key);
      if (record) record.status = 'COMPLETED';
    },
    async release(key) {
      records.delete(key);
    },
  };
}
