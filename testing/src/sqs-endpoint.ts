/**
 * The local queues behind Amazon SQS's JSON protocol (`X-Amz-Target: AmazonSQS.<Action>`), so the
 * handlers' real `@aws-sdk/client-sqs` publisher, pointed at the dev server, enqueues exactly as
 * in AWS. Covers the actions RevBot and its CLI use.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
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

export function queueUrl(baseUrl: string, name: string): string {
  return `${baseUrl.replace(/\/$/, '')}/000000000000/${name}`;
}

export function createSqsEndpoint(queues: LocalQueue[]) {
  const byName = new Map(queues.map((queue) => [queue.name, queue]));
  const find = (url: unknown): LocalQueue => {
    const name = typeof url === 'string' ? url.split('/').pop() : undefined;
    const queue = name ? byName.get(name) : undefined;
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
    PurgeQueue(input) {
      find(input.QueueUrl).purge();
      return {};
    },
    GetQueueUrl(input, base) {
      const queue = find(String(input.QueueName));
      return { QueueUrl: queueUrl(base, queue.name) };
    },
    ListQueues(_input, base) {
      return { QueueUrls: [...byName.keys()].map((name) => queueUrl(base, name)) };
    },
    GetQueueAttributes(input) {
      const queue = find(input.QueueUrl);
      const { visible, inFlight } = queue.depth();
      return {
        Attributes: {
          ApproximateNumberOfMessages: String(visible),
          ApproximateNumberOfMessagesNotVisible: String(inFlight),
          QueueArn: `arn:aws:sqs:us-east-1:000000000000:${queue.name}`,
        },
      };
    },
  };

  return async function handleSqs(req: IncomingMessage, res: ServerResponse, baseUrl: string) {
    const action = String(req.headers['x-amz-target']).slice('AmazonSQS.'.length);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
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
