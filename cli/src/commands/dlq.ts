/**
 * `revbot dlq list|show|redrive [slack|webhook|delivery]`: what is stuck in the channels' dead-letter
 * queues and the webhook delivery stage's, and why, and a redrive back to the main queue with SQS's message move task.
 */

import type { Command, CommandIo } from '../command';
import { OpsError, UsageError } from '../errors';
import { describeError } from '../ops/aws-errors';
import {
  COMMON_USAGE,
  parseAction,
  parseCommandArgs,
  parseCount,
  parseDuration,
  pollInterval,
} from '../ops/command-options';
import {
  type DeadLetter,
  latestMoveTask,
  moveMessage,
  queueDepth,
  receiveMessages,
  startRedrive,
} from '../ops/dead-letters';
import { formatAge, formatUtc, oneLine, plural, toJsonLine } from '../ops/format';
import { exactTermPattern, fetchLogEvents, formatLogLine } from '../ops/log-events';
import { startProgress } from '../ops/progress';
import {
  DEAD_LETTER_QUEUE_NAMES,
  DEAD_LETTER_QUEUES,
  type DeadLetterQueueName,
  requireOutput,
} from '../ops/stack-outputs';
import { type StageContext, withStage } from '../ops/stage-context';

const ACTIONS = ['list', 'show', 'redrive'] as const;

const OPTIONS = {
  max: { type: 'string' },
  id: { type: 'string' },
  rate: { type: 'string' },
  timeout: { type: 'string' },
  'no-wait': { type: 'boolean', default: false },
  'no-logs': { type: 'boolean', default: false },
} as const;

interface ChannelQueues {
  channel: DeadLetterQueueName;
  dlqUrl: string;
  queueUrl: string;
}

const queueName = (url: string): string => url.split('/').pop() ?? url;

async function channelQueues(
  context: StageContext,
  channel: DeadLetterQueueName,
): Promise<ChannelQueues> {
  const spec = DEAD_LETTER_QUEUES[channel];
  const stack = await context.stack(spec.stack);
  return {
    channel,
    dlqUrl: requireOutput(stack, spec.dlq),
    queueUrl: requireOutput(stack, spec.queue),
  };
}

function describeIds(letter: DeadLetter): string {
  return Object.entries(letter.ids)
    .map(([label, value]) => `${label} ${value}`)
    .join(' · ');
}

function letterJson(letter: DeadLetter) {
  return {
    messageId: letter.messageId,
    sentAt: letter.sentAt === undefined ? null : new Date(letter.sentAt).toISOString(),
    receiveCount: letter.receiveCount ?? null,
    sourceQueueArn: letter.sourceQueueArn ?? null,
    ids: letter.ids,
    question: letter.question ?? null,
    error: letter.error ?? null,
    attributes: letter.attributes,
    body: letter.json ?? letter.body,
  };
}

async function list(
  context: StageContext,
  channels: DeadLetterQueueName[],
  max: number,
  io: CommandIo,
  json: boolean,
) {
  const progress = startProgress(io.stderr, 'reading the dead-letter queues…');
  const results = [];
  try {
    for (const channel of channels) {
      const queues = await channelQueues(context, channel);
      const depth = await queueDepth(context.clients.sqs, queues.dlqUrl);
      let messages: DeadLetter[] = [];
      if (depth.visible > 0) {
        progress.update(
          `reading ${plural(depth.visible, 'message')} of the ${channel} dead-letter queue…`,
        );
        const received = await receiveMessages(context.clients.sqs, queues.dlqUrl, {
          max,
          expected: depth.visible,
        });
        await received.release();
        messages = received.messages;
      }
      results.push({ ...queues, depth, messages });
    }
  } finally {
    progress.stop();
  }
  if (json) {
    io.stdout.write(
      toJsonLine({
        stage: context.stage,
        queues: results.map((r) => ({
          channel: r.channel,
          queueUrl: r.dlqUrl,
          queueArn: r.depth.arn,
          visible: r.depth.visible,
          inFlight: r.depth.inFlight,
          messages: r.messages.map(letterJson),
        })),
      }),
    );
    return 0;
  }
  const now = context.now();
  for (const result of results) {
    const name = queueName(result.dlqUrl);
    const total = result.depth.visible + result.depth.inFlight;
    if (total === 0) {
      io.stdout.write(`${result.channel} dead-letter queue ${name}: empty\n`);
      continue;
    }
    const inFlight = result.depth.inFlight ? ` (${result.depth.inFlight} being received)` : '';
    io.stdout.write(
      `${result.channel} dead-letter queue ${name}: ${plural(result.depth.visible, 'message')}${inFlight}\n`,
    );
    for (const letter of result.messages) {
      const facts = [
        letter.sentAt === undefined ? undefined : `sent ${formatAge(letter.sentAt, now)}`,
        letter.receiveCount === undefined
          ? undefined
          : `received ${plural(letter.receiveCount, 'time')}`,
        describeIds(letter) || undefined,
      ].filter(Boolean);
      io.stdout.write(`  ${letter.messageId}  ${facts.join(' · ')}\n`);
      if (letter.question) io.stdout.write(`      question: "${oneLine(letter.question, 100)}"\n`);
      io.stdout.write(
        letter.error
          ? `      error: ${letter.error.text} (${letter.error.source})\n`
          : `      error: none recorded with the message; "revbot dlq show ${result.channel} ${letter.messageId}" searches the processor's logs\n`,
      );
    }
    if (result.messages.length < result.depth.visible) {
      io.stdout.write(
        `  … ${result.depth.visible - result.messages.length} more (raise --max to see them)\n`,
      );
    }
  }
  return 0;
}

async function show(
  context: StageContext,
  channels: DeadLetterQueueName[],
  messageId: string,
  withLogs: boolean,
  io: CommandIo,
  json: boolean,
) {
  let found: { queues: ChannelQueues; letter: DeadLetter } | undefined;
  const progress = startProgress(io.stderr, `looking for message ${messageId}…`);
  try {
    for (const channel of channels) {
      const queues = await channelQueues(context, channel);
      const depth = await queueDepth(context.clients.sqs, queues.dlqUrl);
      if (depth.visible === 0) continue;
      const received = await receiveMessages(context.clients.sqs, queues.dlqUrl, {
        max: 10_000,
        expected: depth.visible,
        stop: (letter) => letter.messageId === messageId,
      });
      await received.release();
      const letter = received.messages.find((m) => m.messageId === messageId);
      if (letter) {
        found = { queues, letter };
        break;
      }
    }
  } finally {
    progress.stop();
  }
  if (!found) {
    throw new OpsError(
      `no message ${messageId} in the ${channels.join(' or ')} dead-letter queue (redriven already? "revbot dlq list" shows what is there)`,
    );
  }
  const { queues, letter } = found;
  const group = `/aws/lambda/revops-${context.stage}-${DEAD_LETTER_QUEUES[queues.channel].consumer}`;
  let logs: { lines: string[]; error?: string } | undefined;
  if (withLogs) {
    try {
      // Ids of this message alone; a user or channel id would match unrelated requests.
      const own = ['tracking id', 'event', 'conversation'].map((label) => letter.ids[label]);
      const terms = [letter.messageId, ...own.filter((v): v is string => Boolean(v))];
      const pattern = terms.map((t) => `?${exactTermPattern(t, 'message id')}`).join(' ');
      const events = await fetchLogEvents(context.clients.logs, {
        groups: [group],
        startTime: (letter.sentAt ?? context.now() - 14 * 86_400_000) - 5 * 60_000,
        pattern,
        limit: 50,
      });
      logs = { lines: events.map((e) => formatLogLine(e, undefined)) };
    } catch (error) {
      logs = { lines: [], error: describeError(error) };
    }
  }
  if (json) {
    io.stdout.write(
      toJsonLine({
        channel: queues.channel,
        queueUrl: queues.dlqUrl,
        message: letterJson(letter),
        ...(logs ? { processorLogs: { logGroup: group, ...logs } } : {}),
      }),
    );
    return 0;
  }
  const now = context.now();
  const row = (label: string, value: string) => io.stdout.write(`  ${label.padEnd(11)} ${value}\n`);
  io.stdout.write(
    `Message ${letter.messageId} in the ${queues.channel} dead-letter queue ${queueName(queues.dlqUrl)}\n`,
  );
  if (letter.sentAt !== undefined)
    row('sent', `${formatUtc(letter.sentAt)} (${formatAge(letter.sentAt, now)})`);
  if (letter.receiveCount !== undefined) row('received', plural(letter.receiveCount, 'time'));
  if (letter.sourceQueueArn) row('moved from', letter.sourceQueueArn);
  if (Object.keys(letter.ids).length) row('ids', describeIds(letter));
  row(
    'error',
    letter.error
      ? `${letter.error.text} (${letter.error.source})`
      : 'none recorded with the message',
  );
  for (const [name, value] of Object.entries(letter.attributes))
    row('attribute', `${name}=${value}`);
  io.stdout.write('Body\n');
  const body = letter.json === undefined ? letter.body : JSON.stringify(letter.json, null, 2);
  for (const line of body.split('\n')) io.stdout.write(`  ${line}\n`);
  if (logs) {
    io.stdout.write(`Processor logs mentioning it (${group.replace('/aws/lambda/', '')})\n`);
    if (logs.error) io.stdout.write(`  could not read them: ${logs.error}\n`);
    else if (logs.lines.length === 0) io.stdout.write('  none found\n');
    for (const line of logs.lines) io.stdout.write(`  ${line}\n`);
  }
  return 0;
}

async function redrive(
  context: StageContext,
  channels: DeadLetterQueueName[],
  options: { id?: string; rate?: number; wait: boolean; timeoutMs: number },
  io: CommandIo,
  json: boolean,
) {
  const results: Record<string, unknown>[] = [];
  let failed = false;
  const say = (line: string) => {
    if (!json) io.stdout.write(`${line}\n`);
  };
  for (const channel of channels) {
    const queues = await channelQueues(context, channel);
    const from = queueName(queues.dlqUrl);
    const to = queueName(queues.queueUrl);
    if (options.id) {
      const received = await receiveMessages(context.clients.sqs, queues.dlqUrl, {
        max: 10_000,
        stop: (letter) => letter.messageId === options.id,
      });
      const message = received.raw.get(options.id);
      try {
        if (!message) continue;
        const newId = await moveMessage(
          context.clients.sqs,
          { queueUrl: queues.dlqUrl, message },
          queues.queueUrl,
        );
        say(`${channel}: moved message ${options.id} from ${from} back to ${to} (now ${newId})`);
        results.push({ channel, messageId: options.id, newMessageId: newId, status: 'MOVED' });
        break;
      } finally {
        await received.release(new Set([options.id]));
      }
    }
    const dlq = await queueDepth(context.clients.sqs, queues.dlqUrl);
    if (dlq.visible === 0) {
      say(`${channel}: ${from} is empty, nothing to redrive`);
      results.push({ channel, status: 'EMPTY', moved: 0 });
      continue;
    }
    const main = await queueDepth(context.clients.sqs, queues.queueUrl);
    const handle = await startRedrive(context.clients.sqs, dlq.arn, main.arn, options.rate);
    say(`${channel}: moving ${plural(dlq.visible, 'message')} from ${from} back to ${to}…`);
    if (!options.wait) {
      results.push({ channel, status: 'RUNNING', taskHandle: handle, toMove: dlq.visible });
      continue;
    }
    const progress = startProgress(io.stderr, `${channel}: redriving`);
    const deadline = context.now() + options.timeoutMs;
    const interval = pollInterval(context.env, 2_000);
    let task = await latestMoveTask(context.clients.sqs, dlq.arn);
    try {
      while (task?.Status === 'RUNNING') {
        const moved = task.ApproximateNumberOfMessagesMoved ?? 0;
        const total = task.ApproximateNumberOfMessagesToMove ?? dlq.visible;
        progress.update(
          `${channel}: moved ${moved} of ${total}`,
          total ? moved / total : undefined,
        );
        if (context.now() > deadline) {
          throw new OpsError(
            `${channel}: the redrive is still running after ${Math.round(options.timeoutMs / 1000)} s; it carries on in SQS ("revbot dlq list ${channel}" shows what is left)`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, interval));
        task = await latestMoveTask(context.clients.sqs, dlq.arn);
      }
    } finally {
      progress.stop();
    }
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    const status = task?.Status ?? 'UNKNOWN';
    results.push({ channel, status, moved, failureReason: task?.FailureReason ?? null });
    if (status === 'COMPLETED') {
      say(`${channel}: moved ${plural(moved, 'message')} back to ${to}`);
    } else {
      failed = true;
      say(
        `${channel}: redrive ${status.toLowerCase()} after moving ${moved}${task?.FailureReason ? `: ${task.FailureReason}` : ''}`,
      );
    }
  }
  if (options.id && results.length === 0) {
    throw new OpsError(
      `no message ${options.id} in the ${channels.join(' or ')} dead-letter queue ("revbot dlq list" shows what is there)`,
    );
  }
  if (json) io.stdout.write(toJsonLine({ stage: context.stage, redrives: results }));
  return failed ? 1 : 0;
}

export const dlqCommand: Command = {
  name: 'dlq',
  summary: 'list, inspect and redrive the dead-letter queues',
  usage: `usage: revbot dlq list [slack|webhook|delivery] [--max N]
       revbot dlq show [slack|webhook|delivery] <message-id> [--no-logs]
       revbot dlq redrive [slack|webhook|delivery] [--id MESSAGE_ID] [--rate N] [--no-wait] [--timeout 10m]

Messages land in a channel's dead-letter queue after the processor failed them three times;
a webhook delivery lands in the delivery dead-letter queue when its retry schedule ran out
(or the delivery function failed it three times). Redriving it makes one more attempt.
list      every stuck message with its ids and the error recorded with it (message attributes
          such as ErrorCode/ErrorMessage, or the body's error field); messages are only looked
          at and stay in the queue
show      one message in full, with the processor's log lines that mention it
redrive   moves the messages back to the main queue (SQS message move task), or only --id;
          without a queue name, all three

  --max N           messages to show per queue (default 50)
  --id ID           redrive only this message
  --rate N          messages per second for the move task (default: as fast as SQS allows)
  --no-wait         start the move task and return
  --timeout 10m     how long to wait for the move task
  --no-logs         show: skip the search of the processor's logs
${COMMON_USAGE}`,
  async run(args, io) {
    const { values, positionals, common } = parseCommandArgs(args, OPTIONS, io.env);
    const [first, ...rest] = positionals;
    const action = parseAction(first, ACTIONS);
    const channelArg =
      rest[0] && (DEAD_LETTER_QUEUE_NAMES as string[]).includes(rest[0])
        ? (rest.shift() as DeadLetterQueueName)
        : undefined;
    const channels = channelArg ? [channelArg] : DEAD_LETTER_QUEUE_NAMES;
    const max = values.max === undefined ? 50 : parseCount(values.max, '--max', 10_000);
    if (action === 'show') {
      if (rest.length !== 1) throw new UsageError('show needs one <message-id>');
    } else if (rest.length > 0) {
      throw new UsageError(
        `unexpected "${rest[0]}": the channel is slack or webhook, or delivery for the webhook delivery queue`,
      );
    }
    return withStage(common, io.env, async (context) => {
      if (action === 'list') return list(context, channels, max, io, common.json);
      if (action === 'show') {
        return show(context, channels, rest[0] as string, !values['no-logs'], io, common.json);
      }
      return redrive(
        context,
        channels,
        {
          id: values.id,
          rate: values.rate === undefined ? undefined : parseCount(values.rate, '--rate', 500),
          wait: !values['no-wait'],
          timeoutMs:
            values.timeout === undefined ? 600_000 : parseDuration(values.timeout, '--timeout'),
        },
        io,
        common.json,
      );
    });
  },
};
