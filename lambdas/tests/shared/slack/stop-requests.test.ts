import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '@revbot/testing/embedded-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbStopRequests, stopRequestKey } from '../../../shared/slack/stop-requests';

const TABLE = 'slack-events-stops';
let dynamo: EmbeddedDynamoDb;
beforeAll(async () => {
  dynamo = await startEmbeddedDynamoDb();
  await dynamo.createTable(TABLE, 'id');
});
afterAll(() => dynamo.close());

describe('Stop presses in the events table', () => {
  it('reads back the latest press of a thread, and none for another thread', async () => {
    const stops = dynamoDbStopRequests({ client: dynamo.client, tableName: TABLE });
    await stops.record('T1', 'C1', '1.000100', 1_800_000_000_000);
    await stops.record('T1', 'C1', '1.000100', 1_800_000_005_000);
    expect(await stops.latest('T1', 'C1', '1.000100')).toBe(1_800_000_005_000);
    expect(await stops.latest('T1', 'C1', '2.000100')).toBeUndefined();
  });

  it('keeps a newer press when an older one is delivered again, with an hour to live', async () => {
    const stops = dynamoDbStopRequests({ client: dynamo.client, tableName: TABLE });
    await stops.record('T1', 'C2', '1.000100', 1_800_000_009_000);
    await stops.record('T1', 'C2', '1.000100', 1_800_000_001_000);
    expect(await stops.latest('T1', 'C2', '1.000100')).toBe(1_800_000_009_000);
    const item = (await dynamo.items(TABLE)).find(
      (i) => i.id?.S === stopRequestKey('T1', 'C2', '1.000100'),
    );
    expect(item?.expiration?.N).toBe(String(1_800_000_009 + 3_600));
  });
});
