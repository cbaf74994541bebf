/**
 * One local HTTP server speaking the AWS protocols the Slack Lambdas use, so the real SDK clients
 * talk to it through `AWS_ENDPOINT_URL_*` or an `endpoint` option:
 * - SQS (AWS JSON 1.0, `AmazonSQS.SendMessage`), with the body MD5 the client verifies;
 * - DynamoDB (AWS JSON 1.0: PutItem, UpdateItem, DeleteItem, GetItem) with condition
 *   expressions evaluated (comparisons, attribute_(not_)exists, AND/OR/NOT, parentheses) and
 *   `ReturnValuesOnConditionCheckFailure`;
 * - Secrets Manager (AWS JSON 1.1, `secretsmanager.GetSecretValue`);
 * - S3 PutObject (REST, path-style `PUT /<bucket>/<key>`).
 * Signatures are not checked. Answers 127.0.0.1 only.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type AttributeValue = { S?: string; N?: string; BOOL?: boolean; NULL?: boolean };
type Item = Record<string, AttributeValue>;

export interface LocalSqsMessage {
  queueUrl: string;
  messageId: string;
  body: string;
  attributes?: Record<string, unknown>;
}

export interface LocalAwsServer {
  endpoint: string;
  sqsMessages: LocalSqsMessage[];
  /** DynamoDB tables by name: items by partition key value (single `S` key). */
  tables: Map<string, Map<string, Item>>;
  secrets: Map<string, string>;
  /** S3 objects by `bucket/key`. */
  objects: Map<string, { body: string; contentType?: string }>;
  /** Counts of operations served, e.g. `SendMessage`, `PutItem`. */
  operations: Map<string, number>;
  /** The next `operation` answers with this AWS error instead. */
  failNext(operation: string, error: { status: number; type: string; message: string }): void;
  close(): Promise<void>;
}

class ConditionFailed extends Error {}

export async function startLocalAwsServer(): Promise<LocalAwsServer> {
  const sqsMessages: LocalSqsMessage[] = [];
  const tables = new Map<string, Map<string, Item>>();
  const secrets = new Map<string, string>();
  const objects = new Map<string, { body: string; contentType?: string }>();
  const operations = new Map<string, number>();
  const failures = new Map<string, { status: number; type: string; message: string }[]>();

  const table = (name: string) => {
    let t = tables.get(name);
    if (!t) {
      t = new Map();
      tables.set(name, t);
    }
    return t;
  };
  const keyOf = (key: Item) => {
    const value = Object.values(key)[0];
    return value?.S ?? value?.N ?? '';
  };

  const dynamo: Record<string, (input: Record<string, unknown>) => unknown> = {
    PutItem(input) {
      const t = table(String(input.TableName));
      const item = input.Item as Item;
      const key = keyOf({ id: item.id ?? (Object.values(item)[0] as AttributeValue) });
      const existing = t.get(key);
      checkCondition(input, existing);
      t.set(key, structuredClone(item));
      return {};
    },
    UpdateItem(input) {
      const t = table(String(input.TableName));
      const key = keyOf(input.Key as Item);
      const existing = t.get(key);
      checkCondition(input, existing);
      const item: Item = existing ? structuredClone(existing) : structuredClone(input.Key as Item);
      applyUpdate(item, String(input.UpdateExpression ?? ''), input);
      t.set(key, item);
      return {};
    },
    DeleteItem(input) {
      const t = table(String(input.TableName));
      const key = keyOf(input.Key as Item);
      checkCondition(input, t.get(key));
      t.delete(key);
      return {};
    },
    GetItem(input) {
      const item = table(String(input.TableName)).get(keyOf(input.Key as Item));
      return item ? { Item: item } : {};
    },
  };

  function checkCondition(input: Record<string, unknown>, existing: Item | undefined): void {
    const expression = input.ConditionExpression as string | undefined;
    if (!expression) return;
    const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
    const values = (input.ExpressionAttributeValues ?? {}) as Record<string, AttributeValue>;
    if (!evaluate(expression, existing ?? {}, names, values)) {
      const error = new ConditionFailed('The conditional request failed');
      (error as ConditionFailed & { item?: Item }).item =
        input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' ? existing : undefined;
      throw error;
    }
  }

  const server: Server = createServer(async (request, response) => {
    const body = await readText(request);
    const target = String(request.headers['x-amz-target'] ?? '');
    const [service = '', operation = ''] = target.split('.');
    const count = (op: string) => operations.set(op, (operations.get(op) ?? 0) + 1);
    try {
      if (target) {
        count(operation);
        const failure = failures.get(operation)?.shift();
        if (failure) return awsError(response, failure.status, failure.type, failure.message);
        const input = body ? (JSON.parse(body) as Record<string, unknown>) : {};
        if (service === 'AmazonSQS' && operation === 'SendMessage') {
          const messageBody = String(input.MessageBody ?? '');
          const messageId = randomUUID();
          sqsMessages.push({
            queueUrl: String(input.QueueUrl),
            messageId,
            body: messageBody,
            attributes: input.MessageAttributes as Record<string, unknown> | undefined,
          });
          return json(response, 200, {
            MessageId: messageId,
            MD5OfMessageBody: createHash('md5').update(messageBody).digest('hex'),
          });
        }
        if (service === 'DynamoDB_20120810' && dynamo[operation]) {
          try {
            return json(response, 200, dynamo[operation](input), '1.0');
          } catch (error) {
            if (!(error instanceof ConditionFailed)) throw error;
            const item = (error as ConditionFailed & { item?: Item }).item;
            return json(
              response,
              400,
              {
                __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
                message: error.message,
                ...(item ? { Item: item } : {}),
              },
              '1.0',
            );
          }
        }
        if (service === 'secretsmanager' && operation === 'GetSecretValue') {
          const id = String(input.SecretId);
          const value = secrets.get(id);
          if (value === undefined) {
            return awsError(response, 400, 'ResourceNotFoundException', `Secret ${id} not found`);
          }
          return json(
            response,
            200,
            {
              ARN: id,
              Name: id,
              SecretString: value,
              VersionId: 'local',
              VersionStages: ['AWSCURRENT'],
            },
            '1.1',
          );
        }
        return awsError(response, 400, 'UnknownOperationException', `No ${target} here`);
      }
      if (request.method === 'PUT') {
        count('PutObject');
        const path = decodeURIComponent((request.url ?? '').split('?')[0] ?? '').replace(/^\//, '');
        objects.set(path, { body, contentType: request.headers['content-type'] });
        response.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"` });
        response.end();
        return;
      }
      response.writeHead(404);
      response.end();
    } catch (error) {
      awsError(response, 500, 'InternalFailure', String(error));
    }
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    sqsMessages,
    tables,
    secrets,
    objects,
    operations,
    failNext(operation, error) {
      const queue = failures.get(operation) ?? [];
      queue.push(error);
      failures.set(operation, queue);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function readText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(response: ServerResponse, status: number, body: unknown, version = '1.0'): void {
  response.writeHead(status, {
    'content-type': `application/x-amz-json-${version}`,
    'x-amzn-requestid': randomUUID(),
  });
  response.end(JSON.stringify(body));
}

function awsError(response: ServerResponse, status: number, type: string, message: string): void {
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'x-amzn-requestid': randomUUID(),
    'x-amzn-query-error': `${type};Sender`,
  });
  response.end(JSON.stringify({ __type: type, message }));
}

// ── DynamoDB expressions (the subset RevBot writes) ─────────────────────────────────────────

function applyUpdate(item: Item, expression: string, input: Record<string, unknown>): void {
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, AttributeValue>;
  const name = (token: string) => names[token] ?? token;
  for (const clause of expression.split(/\s+(?=SET\s|REMOVE\s)/)) {
    const [verb, ...rest] = clause.trim().split(/\s+/);
    const list = rest.join(' ');
    if (verb === 'SET') {
      for (const assignment of list.split(',')) {
        const [left = '', right = ''] = assignment.split('=').map((part) => part.trim());
        const value = values[right];
        if (value) item[name(left)] = value;
      }
    } else if (verb === 'REMOVE') {
      for (const attribute of list.split(',')) delete item[name(attribute.trim())];
    }
  }
}

function evaluate(
  expression: string,
  item: Item,
  names: Record<string, string>,
  values: Record<string, AttributeValue>,
): boolean {
  const tokens = expression.match(/\(|\)|<>|<=|>=|=|<|>|,|[^\s(),=<>]+/g) ?? [];
  let position = 0;
  const peek = () => tokens[position];
  const take = () => tokens[position++];
  const operand = (token: string): AttributeValue | undefined =>
    token.startsWith(':') ? values[token] : item[names[token] ?? token];
  const compare = (a: AttributeValue | undefined, op: string, b: AttributeValue | undefined) => {
    if (!a || !b) return false;
    const [x, y] = a.N !== undefined && b.N !== undefined ? [Number(a.N), Number(b.N)] : [a.S, b.S];
    if (x === undefined || y === undefined) return false;
    switch (op) {
      case '=':
        return x === y;
      case '<>':
        return x !== y;
      case '<':
        return x < y;
      case '<=':
        return x <= y;
      case '>':
        return x > y;
      default:
        return x >= y;
    }
  };
  const primary = (): boolean => {
    const token = take() ?? '';
    if (token === '(') {
      const result = or();
      take();
      return result;
    }
    if (token.toUpperCase() === 'NOT') return !primary();
    if (token === 'attribute_not_exists' || token === 'attribute_exists') {
      take();
      const path = take() ?? '';
      take();
      const exists = item[names[path] ?? path] !== undefined;
      return token === 'attribute_exists' ? exists : !exists;
    }
    const op = take() ?? '';
    return compare(operand(token), op, operand(take() ?? ''));
  };
  const and = (): boolean => {
    let result = primary();
    while (peek()?.toUpperCase() === 'AND') {
      take();
      const right = primary();
      result = result && right;
    }
    return result;
  };
  const or = (): boolean => {
    let result = and();
    while (peek()?.toUpperCase() === 'OR') {
      take();
      const right = and();
      result = result || right;
    }
    return result;
  };
  return or();
}
