/**
 * Reading and redriving a dead-letter queue without losing anything: messages are looked at by
 * receiving them and releasing them straight away (visibility 0), the error recorded with each is
 * read from its message attributes (e.g. Lambda's `ErrorCode`/`ErrorMessage`) or its body's
 * error fields, and a redrive uses SQS's own message move task back to the main queue.
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  type ListMessageMoveTasksResultEntry,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';

export interface QueueDepth {
  arn: string;
  /** Messages waiting to be received. */
  visible: number;
  /** Messages received and not yet deleted or released. */
  inFlight: number;
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes: attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'QueueArn',
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
      ],
    }),
  );
  return {
    arn: attributes.QueueArn ?? '',
    visible: Number(attributes.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
  };
}

export interface RecordedError {
  /** Where it was found. */
  source: 'message attributes' | 'message body';
  text: string;
}

export interface DeadLetter {
  messageId: string;
  sentAt: number | undefined;
  /** Receives before ours (the processor's attempts, plus any earlier looks). */
  receiveCount: number | undefined;
  /** The queue the message was moved from, when SQS recorded it. */
  sourceQueueArn: string | undefined;
  body: string;
  /** The body as JSON, when it is JSON. */
  json: unknown;
  /** Message attributes' values as text (binary ones as base64). */
  attributes: Record<string, string>;
  /** Correlation ids found in the body: tracking id, Slack event, channel, user… */
  ids: Record<string, string>;
  /** The question the message carries, when it carries one. */
  question: string | undefined;
  error: RecordedError | undefined;
}

const ERROR_ATTRIBUTE = /error|failure|exception/i;
const BODY_ERROR_FIELDS = [
  'error',
  'errorMessage',
  'error_message',
  'lastError',
  'last_error',
  'failureReason',
  'failure_reason',
];
/** Correlation ids the channels put in their queue messages, in display order. */
const ID_FIELDS: [string, string[]][] = [
  ['tracking id', ['tracking_id', 'trackingId']],
  ['event', ['event_id', 'eventId']],
  ['team', ['team', 'team_id', 'teamId']],
  ['channel', ['channel', 'channel_id', 'channelId']],
  ['thread', ['thread_ts', 'threadTs']],
  ['user', ['user', 'user_id', 'userId']],
  ['source', ['source_system', 'sourceSystem']],
  ['session', ['session_id', 'sessionId']],
  ['conversation', ['conversation_id', 'conversationId']],
];
/** Where the channels' messages carry the user's question (Slack: `question`; webhook: `request.query`). */
const QUESTION_FIELDS = ['question', 'query', 'text'];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function attributeText(value: MessageAttributeValue): string {
  if (value.StringValue !== undefined) return value.StringValue;
  if (value.BinaryValue !== undefined) return Buffer.from(value.BinaryValue).toString('base64');
  return '';
}

function errorText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (!isRecord(value)) return undefined;
  const code = [value.code, value.name, value.type, value.errorType].find(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
  const message = [value.message, value.errorMessage, value.reason].find(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
  if (code && message) return `${code}: ${message}`;
  return message ?? code;
}

/** The error recorded with a message, if its producer or a processor recorded one. */
export function recordedError(
  attributes: Record<string, string>,
  json: unknown,
): RecordedError | undefined {
  const entries = Object.entries(attributes).filter(([name]) => ERROR_ATTRIBUTE.test(name));
  if (entries.length > 0) {
    // Lambda's dead-letter convention: ErrorCode + ErrorMessage (+ RequestID).
    const code = entries.find(([name]) => /code|type/i.test(name))?.[1];
    const message = entries.find(([name]) => /message|reason/i.test(name))?.[1];
    const text =
      code && message
        ? `${code}: ${message}`
        : (message ?? code ?? entries.map(([, v]) => v).join('; '));
    if (text) return { source: 'message attributes', text };
  }
  const candidates = isRecord(json) ? [json, ...Object.values(json).filter(isRecord)] : [];
  for (const candidate of candidates) {
    for (const field of BODY_ERROR_FIELDS) {
      const text = errorText(candidate[field]);
      if (text) return { source: 'message body', text };
    }
  }
  return undefined;
}

export function questionOf(json: unknown): string | undefined {
  if (!isRecord(json)) return undefined;
  for (const scope of [json, ...Object.values(json).filter(isRecord)]) {
    for (const field of QUESTION_FIELDS) {
      const value = scope[field];
      if (typeof value === 'string' && value.trim()) return value;
    }
  }
  return undefined;
}

/** Correlation ids in the body (top level, or one object down, e.g. `request.source_system`). */
export function correlationIds(json: unknown): Record<string, string> {
  const ids: Record<string, string> = {};
  if (!isRecord(json)) return ids;
  const scopes = [json, ...Object.values(json).filter(isRecord)];
  for (const [label, fields] of ID_FIELDS) {
    for (const scope of scopes) {
      const value = fields.map((f) => scope[f]).find((v) => typeof v === 'string' && v !== '');
      if (typeof value === 'string') {
        ids[label] = value;
        break;
      }
    }
  }
  return ids;
}

function toDeadLetter(message: Message): DeadLetter {
  const body = message.Body ?? '';
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  const attributes = Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
      name,
      attributeText(value),
    ]),
  );
  const system = message.Attributes ?? {};
  const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
  return {
    messageId: message.MessageId ?? '',
    sentAt: number(system.SentTimestamp),
    // Looking at a message is a receive too: leave our own out of the count.
    receiveCount:
      system.ApproximateReceiveCount === undefined
        ? undefined
        : Math.max(0, Number(system.ApproximateReceiveCount) - 1),
    sourceQueueArn: system.DeadLetterQueueSourceArn,
    body,
    json,
    attributes,
    ids: correlationIds(json),
    question: questionOf(json),
    error: recordedError(attributes, json),
  };
}

export interface Received {
  messages: DeadLetter[];
  /** The raw message with its receipt handle, by id (for moving one message). */
  raw: Map<string, Message>;
  /** Makes every received message visible again, except those in `keep`. */
  release(keep?: ReadonlySet<string>): Promise<void>;
}

/**
 * Receives up to `max` distinct messages (stopping early once `stop` returns true or the queue
 * runs dry), holding them invisible until `release` is called.
 */
export async function receiveMessages(
  sqs: SQSClient,
  queueUrl: string,
  options: { max: number; expected?: number; stop?: (message: DeadLetter) => boolean },
): Promise<Received> {
  const raw = new Map<string, Message>();
  const messages: DeadLetter[] = [];
  const handles: { id: string; handle: string }[] = [];
  let emptyRounds = 0;
  const release = async (keep: ReadonlySet<string> = new Set()) => {
    const toRelease = handles.filter((h) => !keep.has(h.id));
    for (let i = 0; i < toRelease.length; i += 10) {
      const batch = toRelease.slice(i, i + 10);
      await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: batch.map((h, n) => ({
            Id: String(n),
            ReceiptHandle: h.handle,
            VisibilityTimeout: 0,
          })),
        }),
      );
    }
    handles.length = 0;
  };
  try {
    while (messages.length < options.max && emptyRounds < 2) {
      const response = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, options.max - messages.length),
          // Long enough to read them all, short enough that an interrupted run frees them soon.
          VisibilityTimeout: 60,
          // Long polling asks every SQS server, so a small queue is not missed.
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const received = response.Messages ?? [];
      if (received.length === 0) {
        emptyRounds += 1;
        continue;
      }
      emptyRounds = 0;
      let stop = false;
      for (const message of received) {
        if (message.ReceiptHandle && message.MessageId) {
          handles.push({ id: message.MessageId, handle: message.ReceiptHandle });
        }
        if (!message.MessageId || raw.has(message.MessageId)) continue;
        raw.set(message.MessageId, message);
        const letter = toDeadLetter(message);
        messages.push(letter);
        if (options.stop?.(letter)) stop = true;
      }
      if (stop) break;
      if (options.expected !== undefined && messages.length >= options.expected) break;
    }
  } catch (error) {
    await release().catch(() => undefined);
    throw error;
  }
  return { messages, raw, release };
}

/** Sends one received message back to `targetUrl` (body and attributes), then deletes it. */
export async function moveMessage(
  sqs: SQSClient,
  from: { queueUrl: string; message: Message },
  targetUrl: string,
): Promise<string> {
  const { message } = from;
  const sent = await sqs.send(
    new SendMessageCommand({
      QueueUrl: targetUrl,
      MessageBody: message.Body ?? '',
      ...(message.MessageAttributes && Object.keys(message.MessageAttributes).length > 0
        ? { MessageAttributes: message.MessageAttributes }
        : {}),
    }),
  );
  await sqs.send(
    new DeleteMessageCommand({ QueueUrl: from.queueUrl, ReceiptHandle: message.ReceiptHandle }),
  );
  return sent.MessageId ?? '';
}

export type MoveTask = ListMessageMoveTasksResultEntry;

/** Starts SQS's message move task from the dead-letter queue to `destinationArn`. */
export async function startRedrive(
  sqs: SQSClient,
  sourceArn: string,
  destinationArn: string,
  maxPerSecond?: number,
): Promise<string> {
  const { TaskHandle } = await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: sourceArn,
      DestinationArn: destinationArn,
      ...(maxPerSecond ? { MaxNumberOfMessagesPerSecond: maxPerSecond } : {}),
    }),
  );
  return TaskHandle ?? '';
}

/** The most recent move task of a dead-letter queue. */
export async function latestMoveTask(
  sqs: SQSClient,
  sourceArn: string,
): Promise<MoveTask | undefined> {
  const { Results } = await sqs.send(
    new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }),
  );
  return Results?.[0];
}
