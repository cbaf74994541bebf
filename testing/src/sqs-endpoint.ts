/**
 * The one local SQS: `LocalQueue`s behind Amazon SQS's JSON protocol (`X-Amz-Target:
 * AmazonSQS.<Action>`), so the handlers' real `@aws-sdk/client-sqs` publisher, pointed at the
 * local stack or the AWS router (`fake-aws`), enqueues exactly as in AWS. Covers the actions
 * RevBot and its CLI use, redrive (message move tasks) included.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback';
import type { LocalQueue } from './local-queue';

type Json = Record<string, unknown>;

class SqsFault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export function isSqsRequest(req: IncomingMessage): boolean {
  const target = req.headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith('AmazonSQS.');
}

export const LOCAL_ACCOUNT = '000000000000';

export function queueUrl(baseUrl: string, name: string, accountId = LOCAL_ACCOUNT): string {
  return `${baseUrl.replace(/\/$/, '')}/${accountId}/${name}`;
}

export function queueArn(name: string, accountId = LOCAL_ACCOUNT, region = 'us-east-1'): string {
  return `arn:aws:sqs:${region}:${accountId}:${name}`;
}

interface MoveTask {
  handle: string;
  sourceArn: string;
  destinationArn: string;
  status: 'RUNNING' | 'COMPLETED';
  toMove: number;
  moved: number;
  startedAt: number;
}

export interface SqsEndpointOptions {
  accountId?: string;
  region?: string;
}

/**
 * `queues` is read on every request, so a caller may add queues to a record after start-up.
 * The handler reads the body itself unless given it already read.
 */
export function createSqsEndpoint(
  queues: LocalQueue[] | Record<string, LocalQueue>,
  options: SqsEndpointOptions = {},
) {
  const accountId = options.accountId ?? LOCAL_ACCOUNT;
  const region = options.region ?? 'us-east-1';
  const arnOf = (name: string) => queueArn(name, accountId, region);
  const all = () => (Array.isArray(queues) ? queues : Object.values(queues));
  const byName = (name: string) => all().find((queue) => queue.name === name);
  const moveTasks = new Map<string, MoveTask[]>();
  const find = (url: unknown): LocalQueue => {
    // A queue URL, ARN or bare name: the name is the last segment of each.
    const name = typeof url === 'string' ? url.split(/[/:]/).pop() : undefined;
    const queue = name ? byName(name) : undefined;
    if (!queue) {
      throw new SqsFault(
        'com.amazonaws.sqs#QueueDoesNotExist',
        'The specified queue does not exist.',
      );
    }
    return queue;
  };

  const actions: Record<string, (input: Json, base: string) => Json> = {
    SendMessage(input) {
      const message = find(input.QueueUrl).send(String(input.MessageBody ?? ''), {
        delaySeconds: Number(input.DelaySeconds ?? 0),
        messageAttributes: (input.MessageAttributes ?? {}) as never,
      });
      return { MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody };
    },
    SendMessageBatch(input) {
      const queue = find(input.QueueUrl);
      const entries = (input.Entries ?? []) as Json[];
      return {
        Successful: entries.map((entry) => {
          const message = queue.send(String(entry.MessageBody ?? ''), {
            delaySeconds: Number(entry.DelaySeconds ?? 0),
            messageAttributes: (entry.MessageAttributes ?? {}) as never,
          });
          return {
            Id: entry.Id,
            MessageId: message.messageId,
            MD5OfMessageBody: message.md5OfBody,
          };
        }),
        Failed: [],
      };
    },
    ReceiveMessage(input) {
      const messages = find(input.QueueUrl).receive(
        Number(input.MaxNumberOfMessages ?? 1),
        input.VisibilityTimeout === undefined ? undefined : Number(input.VisibilityTimeout),
      );
      return {
        Messages: messages.map((m) => ({
          MessageId: m.messageId,
          ReceiptHandle: m.receiptHandle,
          Body: m.body,
          MD5OfBody: m.md5OfBody,
          Attributes: {
            ApproximateReceiveCount: String(m.receiveCount),
            SentTimestamp: String(m.sentAt),
            ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
            ...m.systemAttributes,
          },
          MessageAttributes: m.messageAttributes,
        })),
      };
    },
    DeleteMessage(input) {
      find(input.QueueUrl).delete(String(input.ReceiptHandle));
      return {};
    },
    ChangeMessageVisibility(input) {
      find(input.QueueUrl).changeVisibility(
        String(input.ReceiptHandle),
        Number(input.VisibilityTimeout),
      );
      return {};
    },
    ChangeMessageVisibilityBatch(input) {
      const queue = find(input.QueueUrl);
      const entries = (input.Entries ?? []) as Json[];
      for (const entry of entries) {
        queue.changeVisibility(String(entry.ReceiptHandle), Number(entry.VisibilityTimeout));
      }
      return { Successful: entries.map((entry) => ({ Id: entry.Id })), Failed: [] };
    },
    StartMessageMoveTask(input) {
      const source = find(input.SourceArn);
      const destinationArn = String(input.DestinationArn ?? '');
      find(destinationArn);
      const tasks = moveTasks.get(source.name) ?? [];
      if (tasks.some((task) => task.status === 'RUNNING')) {
        throw new SqsFault(
          'com.amazonaws.sqs#UnsupportedOperation',
          'A message movement task is already running on this queue.',
        );
      }
      const task: MoveTask = {
        handle: `task-${randomUUID()}`,
        sourceArn: arnOf(source.name),
        destinationArn,
        status: 'RUNNING',
        toMove: source.size,
        moved: 0,
        startedAt: Date.now(),
      };
      moveTasks.set(source.name, [task, ...tasks]);
      return { TaskHandle: task.handle };
    },
    ListMessageMoveTasks(input) {
      const source = find(input.SourceArn);
      const tasks = moveTasks.get(source.name) ?? [];
      // Each look moves up to two messages, so progress shows across several polls.
      for (const task of tasks.filter((t) => t.status === 'RUNNING')) {
        task.moved += source.moveTo(find(task.destinationArn), 2);
        if (source.size === 0) task.status = 'COMPLETED';
      }
      return {
        Results: tasks.slice(0, Number(input.MaxResults ?? 1)).map((t) => ({
          ...(t.status === 'RUNNING' ? { TaskHandle: t.handle } : {}),
          Status: t.status,
          SourceArn: t.sourceArn,
          DestinationArn: t.destinationArn,
          ApproximateNumberOfMessagesMoved: t.moved,
          ApproximateNumberOfMessagesToMove: t.toMove,
          StartedTimestamp: t.startedAt,
        })),
      };
    },
    PurgeQueue(input) {
      find(input.QueueUrl).purge();
      return {};
    },
    GetQueueUrl(input, base) {
      const queue = find(String(input.QueueName));
      return { QueueUrl: queueUrl(base, queue.name, accountId) };
    },
    ListQueues(_input, base) {
      return { QueueUrls: all().map((queue) => queueUrl(base, queue.name, accountId)) };
    },
    GetQueueAttributes(input) {
      const queue = find(input.QueueUrl);
      const { visible, inFlight } = queue.depth();
      return {
        Attributes: {
          ApproximateNumberOfMessages: String(visible),
          ApproximateNumberOfMessagesNotVisible: String(inFlight),
          ApproximateNumberOfMessagesDelayed: '0',
          QueueArn: arnOf(queue.name),
        },
      };
    },
  };

  return async function handleSqs(
    req: IncomingMessage,
    res: ServerResponse,
    baseUrl: string,
    raw?: Buffer,
  ) {
    const action = String(req.headers['x-amz-target']).slice('AmazonSQS.'.length);
    const chunks: Buffer[] = raw ? [raw] : [];
    if (!raw) for await (const chunk of req) chunks.push(chunk as Buffer);
    let status = 200;
    let body: Json;
    try {
      const run = actions[action];
      if (!run)
        throw new SqsFault('com.amazonaws.sqs#InvalidAction', `Unsupported action ${action}`);
      const text = Buffer.concat(chunks).toString('utf8');
      body = run(text ? (JSON.parse(text) as Json) : {}, baseUrl);
    } catch (error) {
      const fault =
        error instanceof SqsFault
          ? error
          : new SqsFault('com.amazonaws.sqs#InternalError', 'Internal error', 500);
      status = fault.status;
      body = { __type: fault.type, message: fault.message };
    }
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify(body));
  };
}

export interface LocalSqs {
  /** The endpoint, without a trailing slash. */
  url: string;
  queueUrl(name: string): string;
  close(): Promise<void>;
}

/** The SQS endpoint alone on a loopback port, for tests and benchmarks. */
export async function startLocalSqs(
  queues: LocalQueue[] | Record<string, LocalQueue>,
  options: SqsEndpointOptions = {},
): Promise<LocalSqs> {
  const handleSqs = createSqsEndpoint(queues, options);
  let base = '';
  const server = createServer((req, res) => void handleSqs(req, res, base));
  const listening = await listenOnLoopback(server);
  base = listening.url;
  return {
    url: base,
    queueUrl: (name) => queueUrl(base, name, options.accountId),
    close: listening.close,
  };
}
