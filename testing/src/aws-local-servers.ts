/**
 * Local stand-ins for two AWS APIs the portable runtime calls, speaking their wire protocols so
 * the real SDK clients talk to them through an endpoint override (127.0.0.1 only):
 * - Lambda `Invoke` (REST-JSON: `POST /2015-03-31/functions/{name}/invocations`), answering with
 *   a handler's result, a function error (`X-Amz-Function-Error`) or a throttle;
 * - DynamoDB `GetItem`/`PutItem` (JSON 1.0 with `X-Amz-Target`), with the two condition forms
 *   the session store writes (`attribute_not_exists(pk)`, `#name = :value`).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
}

export type LambdaBehaviour =
  | { result: (payload: unknown) => Promise<unknown> | unknown }
  | { functionError: { errorType: string; errorMessage: string } }
  | { throttle: true };

export interface LocalLambdaServer {
  endpoint: string;
  invocations: { functionName: string; invocationType?: string; payload: unknown }[];
  /** What a function does; unknown functions answer ResourceNotFoundException. */
  behave(functionName: string, ...behaviours: LambdaBehaviour[]): void;
  close(): Promise<void>;
}

export async function startLocalLambdaServer(): Promise<LocalLambdaServer> {
  const invocations: LocalLambdaServer['invocations'] = [];
  const behaviours = new Map<string, LambdaBehaviour[]>();
  const send = (res: ServerResponse, status: number, body: unknown, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) {
      send(res, 404, { message: 'Unknown operation' }, { 'x-amzn-errortype': 'UnknownOperation' });
      return;
    }
    const functionName = decodeURIComponent(match[1] ?? '');
    const payload: unknown = body ? JSON.parse(body) : null;
    invocations.push({
      functionName,
      invocationType: req.headers['x-amz-invocation-type'] as string | undefined,
      payload,
    });
    const queue = behaviours.get(functionName);
    const behaviour = queue && queue.length > 1 ? queue.shift() : queue?.[0];
    if (!behaviour) {
      send(
        res,
        404,
        { Type: 'User', message: `Function not found: ${functionName}` },
        { 'x-amzn-errortype': 'ResourceNotFoundException' },
      );
    } else if ('throttle' in behaviour) {
      send(
        res,
        429,
        {
          Type: 'User',
          message: 'Rate Exceeded.',
          Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded',
        },
        { 'x-amzn-errortype': 'TooManyRequestsException' },
      );
    } else if ('functionError' in behaviour) {
      send(
        res,
        200,
        { ...behaviour.functionError, trace: [] },
        {
          'x-amz-function-error': 'Unhandled',
          'x-amz-executed-version': '$LATEST',
        },
      );
    } else {
      send(res, 200, await behaviour.result(payload), { 'x-amz-executed-version': '$LATEST' });
    }
  });
  const endpoint = await listen(server);
  return {
    endpoint,
    invocations,
    behave(functionName, ...list) {
      behaviours.set(functionName, list);
    },
    close: () => close(server),
  };
}

type AttributeValue = Record<string, unknown>;
type Item = Record<string, AttributeValue>;

export interface LocalDynamoServer {
  endpoint: string;
  items: Map<string, Item>;
  operations: string[];
  /** The next `count` requests fail with this error type (e.g. a throttle). */
  failNext(errorType: string, count?: number): void;
  close(): Promise<void>;
}

export async function startLocalDynamoServer(tableName: string): Promise<LocalDynamoServer> {
  const items = new Map<string, Item>();
  const operations: string[] = [];
  let failures: { type: string; left: number } | undefined;
  const keyOf = (key: Item) => `${JSON.stringify(key.pk)}|${JSON.stringify(key.sk)}`;
  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, type: string, message: string) =>
    send(res, 400, { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });

  const server = createServer(async (req, res) => {
    const body = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    operations.push(operation);
    if (failures && failures.left > 0) {
      failures.left--;
      return error(res, failures.type, 'Injected failure');
    }
    if (body.TableName !== tableName) {
      return error(res, 'ResourceNotFoundException', 'Requested resource not found');
    }
    if (operation === 'GetItem') {
      const item = items.get(keyOf(body.Key as Item));
      return send(res, 200, item ? { Item: item } : {});
    }
    if (operation === 'PutItem') {
      const item = body.Item as Item;
      const existing = items.get(keyOf(item));
      const condition = body.ConditionExpression as string | undefined;
      if (condition) {
        const names = (body.ExpressionAttributeNames ?? {}) as Record<string, string>;
        const values = (body.ExpressionAttributeValues ?? {}) as Item;
        const notExists = /^attribute_not_exists\((\w+)\)$/.exec(condition);
        const equals = /^(#\w+) = (:\w+)$/.exec(condition);
        let holds: boolean;
        if (notExists) holds = !existing || existing[notExists[1]!] === undefined;
        else if (equals) {
          const name = names[equals[1]!] ?? '';
          holds =
            existing !== undefined &&
            JSON.stringify(existing[name]) === JSON.stringify(values[equals[2]!]);
        } else return error(res, 'ValidationException', `Unsupported condition ${condition}`);
        if (!holds) {
          return error(res, 'ConditionalCheckFailedException', 'The conditional request failed');
        }
      }
      items.set(keyOf(item), item);
      return send(res, 200, {});
    }
    return error(res, 'UnknownOperationException', `Unsupported operation ${operation}`);
  });
  const endpoint = await listen(server);
  return {
    endpoint,
    items,
    operations,
    failNext(type, count = 1) {
      failures = { type, left: count };
    },
    close: () => close(server),
  };
}
