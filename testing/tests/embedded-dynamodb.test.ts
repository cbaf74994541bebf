import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '../src/embedded-dynamodb';

describe('the embedded DynamoDB on disk', () => {
  const dirs: string[] = [];
  const running: EmbeddedDynamoDb[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((db) => db.close()));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const start = async (dir: string) => {
    const db = await startEmbeddedDynamoDb({ path: dir });
    running.push(db);
    return db;
  };

  it('keeps tables and items across a restart, and creating a kept table again is no error', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dynamodb-'));
    dirs.push(dir);
    const first = await start(dir);
    await first.createTable('requests', 'tracking_id');
    await first.client.send(
      new PutItemCommand({
        TableName: 'requests',
        Item: { tracking_id: { S: 't-1' }, status: { S: 'queued' } },
      }),
    );
    await running.pop()?.close();
    const second = await start(dir);
    await second.createTable('requests', 'tracking_id');
    expect(await second.item('requests', { tracking_id: { S: 't-1' } })).toEqual({
      tracking_id: { S: 't-1' },
      status: { S: 'queued' },
    });
  });

  it('sweeps the items whose TTL attribute is past, and only those', async () => {
    const db = await startEmbeddedDynamoDb({ recordOperations: false });
    running.push(db);
    await db.createTable('sessions', 'pk', 'sk');
    const put = (pk: string, expires: number | undefined) =>
      db.client.send(
        new PutItemCommand({
          TableName: 'sessions',
          Item: {
            pk: { S: pk },
            sk: { S: 'AGENT#a' },
            ...(expires === undefined ? {} : { expires_at: { N: String(expires) } }),
          },
        }),
      );
    await put('old', 999);
    await put('fresh', 2_000);
    await put('forever', undefined);
    expect(await db.sweepExpired('sessions', 'expires_at', 1_000)).toBe(1);
    const left = (await db.items('sessions')).map((item) => item.pk?.S).sort();
    expect(left).toEqual(['forever', 'fresh']);
    expect(db.operations).toEqual([]);
  });
});
