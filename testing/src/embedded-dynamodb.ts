/**
 * The one local DynamoDB, for the local stack and tests: dynalite, speaking DynamoDB's real wire
 * protocol on loopback, so the DynamoDB-backed stores run their real conditional writes and TTL
 * attributes locally. In memory, or on disk in a folder (LevelDB through `classic-level`, whose
 * binary ships inside its npm package: no download, no build), where every acknowledged write
 * survives the process being killed. Tests may also count operations, inject a failure and read
 * items back. Never bundled into a Lambda.
 */
import { mkdirSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AttributeValue,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ResourceInUseException,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { listenOnLoopback } from './listen-on-loopback';
import { localClientConfig } from './local-client-config';

export type DynamoItem = Record<string, AttributeValue>;

export interface InjectedFailure {
  /** Only this operation fails (`PutItem`…); any operation when absent. */
  operation?: string;
  /** How many requests fail; 1 by default. */
  count?: number;
  message?: string;
}

export interface EmbeddedDynamoDb {
  endpoint: string;
  client: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  /** Operations served, in order (`GetItem`, `PutItem`…), failed ones included. */
  operations: string[];
  /**
   * Creates a table keyed by one string partition key (and an optional string sort key); a
   * table already there (on disk from an earlier run) is kept.
   */
  createTable(name: string, partitionKey: string, sortKey?: string): Promise<void>;
  /**
   * Deletes the items whose TTL attribute (epoch seconds) is past, as DynamoDB's TTL does in AWS;
   * resolves with how many went.
   */
  sweepExpired(table: string, ttlAttribute: string, nowSeconds?: number): Promise<number>;
  /** The next matching requests answer this DynamoDB error (a throttle, say) instead. */
  failNext(errorType: string, failure?: InjectedFailure): void;
  /** One item as DynamoDB stores it, or undefined. */
  item(table: string, key: DynamoItem): Promise<DynamoItem | undefined>;
  /** Every item of a table. */
  items(table: string): Promise<DynamoItem[]>;
  close(): Promise<void>;
}

export interface EmbeddedDynamoDbOptions {
  host?: string;
  /** Folder the tables live in (created when missing); in memory when absent. */
  path?: string;
  /**
   * Keep the list of operations served (`operations`); on by default for tests, off for a
   * long-running stack, where it would only grow.
   */
  recordOperations?: boolean;
}

export async function startEmbeddedDynamoDb(
  options: EmbeddedDynamoDbOptions = {},
): Promise<EmbeddedDynamoDb> {
  const { host = '127.0.0.1', recordOperations = true } = options;
  if (options.path) mkdirSync(options.path, { recursive: true });
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    path: options.path,
  });
  const operations: string[] = [];
  let failure: (InjectedFailure & { type: string; left: number }) | undefined;

  // Count and possibly fail each request before dynalite answers it.
  const [answer] = server.listeners('request') as ((
    req: IncomingMessage,
    res: ServerResponse,
  ) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    if (recordOperations) operations.push(operation);
    if (failure && failure.left > 0 && (!failure.operation || failure.operation === operation)) {
      failure.left--;
      req.resume();
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(
        JSON.stringify({
          __type: `com.amazonaws.dynamodb.v20120810#${failure.type}`,
          message: failure.message ?? 'Injected failure',
        }),
      );
      return;
    }
    answer?.(req, res);
  });

  const listening = await listenOnLoopback(server, { host });
  const client = new DynamoDBClient(localClientConfig(listening.url));
  const documents = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    endpoint: listening.url,
    client,
    documents,
    operations,
    async createTable(name, partitionKey, sortKey) {
      const created = client.send(
        new CreateTableCommand({
          TableName: name,
          AttributeDefinitions: [
            { AttributeName: partitionKey, AttributeType: 'S' },
            ...(sortKey ? [{ AttributeName: sortKey, AttributeType: 'S' as const }] : []),
          ],
          KeySchema: [
            { AttributeName: partitionKey, KeyType: 'HASH' },
            ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : []),
          ],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await created.catch((error: unknown) => {
        if (!(error instanceof ResourceInUseException)) throw error;
      });
    },
    async sweepExpired(table, ttlAttribute, nowSeconds = Math.floor(Date.now() / 1000)) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
      const keyNames = (Table?.KeySchema ?? []).map((key) => key.AttributeName ?? '');
      let swept = 0;
      let start: DynamoItem | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: table,
            ExclusiveStartKey: start,
            FilterExpression: '#ttl < :now',
            ExpressionAttributeNames: { '#ttl': ttlAttribute },
            ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
          }),
        );
        for (const item of page.Items ?? []) {
          const key = Object.fromEntries(keyNames.map((name) => [name, item[name]]));
          await client.send(new DeleteItemCommand({ TableName: table, Key: key as DynamoItem }));
          swept += 1;
        }
        start = page.LastEvaluatedKey;
      } while (start);
      return swept;
    },
    failNext(type, options = {}) {
      failure = { ...options, type, left: options.count ?? 1 };
    },
    async item(table, key) {
      const result = await client.send(
        new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }),
      );
      return result.Item;
    },
    async items(table) {
      const result = await client.send(new ScanCommand({ TableName: table }));
      return result.Items ?? [];
    },
    close() {
      client.destroy();
      return listening.close();
    },
  };
}
