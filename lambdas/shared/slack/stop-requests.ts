/**
 * Stop pressed on an agent session (`agent_session_stopped`), told by the Slack handler to the
 * processor answering in that thread. A streamed answer hears Stop from Slack itself (an append
 * answers `stopped_by_user`); a posted-and-updated one has no stream to hear it through, so the
 * handler records the press in the events table, keyed by the thread, and the processor reads it
 * back every few seconds while it answers.
 *
 * A press counts for the questions asked before it: a later question in the same thread starts
 * afresh even while the record lasts.
 */
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';

export interface StopRequests {
  /** The user pressed Stop in the thread at `stoppedAtMs` (epoch milliseconds). */
  record(team: string, channel: string, threadTs: string, stoppedAtMs: number): Promise<void>;
  /** When Stop was last pressed in the thread, if it was (epoch milliseconds). */
  latest(team: string, channel: string, threadTs: string): Promise<number | undefined>;
}

export function stopRequestKey(team: string, channel: string, threadTs: string): string {
  return `stop#${team}#${channel}#${threadTs}`;
}

/** A press outlives every run it could stop (the processor's 5-minute timeout) by far. */
const TTL_SECONDS = 60 * 60;

export function dynamoDbStopRequests(options: {
  client: DynamoDBClient;
  /** The Slack events table: partition key `id`, TTL attribute `expiration`. */
  tableName: string;
}): StopRequests {
  const { client, tableName } = options;
  return {
    async record(team, channel, threadTs, stoppedAtMs) {
      try {
        // Only a later press moves it: a redelivered older event never hides a newer one.
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: {
              id: { S: stopRequestKey(team, channel, threadTs) },
              stopped_at: { N: String(stoppedAtMs) },
              expiration: { N: String(Math.floor(stoppedAtMs / 1000) + TTL_SECONDS) },
            },
            ConditionExpression: 'attribute_not_exists(id) OR stopped_at < :at',
            ExpressionAttributeValues: { ':at': { N: String(stoppedAtMs) } },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
    async latest(team, channel, threadTs) {
      const { Item } = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { id: { S: stopRequestKey(team, channel, threadTs) } },
          ConsistentRead: true,
          ProjectionExpression: 'stopped_at',
        }),
      );
      const at = Item?.stopped_at?.N;
      return at === undefined ? undefined : Number(at);
    },
  };
}
