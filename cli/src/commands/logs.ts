/**
 * `revbot logs <function> [--follow] [--tracking-id …]`: a RevBot function's CloudWatch logs
 * (`/aws/lambda/revops-<stage>-<function>`), optionally narrowed to one correlation id and
 * followed as new events arrive (FilterLogEvents polling, which works with every credential
 * that can read the logs, unlike a live-tail session).
 */

import type { Command, CommandIo } from '../command';
import { UsageError } from '../errors';
import {
  COMMON_USAGE,
  parseCommandArgs,
  parseCount,
  parseDuration,
  pollInterval,
} from '../ops/command-options';
import { plural } from '../ops/format';
import {
  exactTermPattern,
  fetchLogEvents,
  formatLogLine,
  type LogLine,
  listFunctionLogGroups,
  parseLogMessage,
  resolveLogGroups,
  shortFunctionName,
} from '../ops/log-events';
import { startProgress } from '../ops/progress';
import { withStage } from '../ops/stage-context';

const OPTIONS = {
  since: { type: 'string' },
  follow: { type: 'boolean', short: 'f', default: false },
  'tracking-id': { type: 'string' },
  filter: { type: 'string' },
  limit: { type: 'string' },
} as const;

/** Events read per group before the newest `--limit` are shown. */
const FETCH_CAP = 5_000;

const isClosed = (stream: NodeJS.WritableStream): boolean => {
  const s = stream as NodeJS.WritableStream & { destroyed?: boolean; writableEnded?: boolean };
  return s.destroyed === true || s.writableEnded === true || s.writable === false;
};

export const logsCommand: Command = {
  name: 'logs',
  summary: "a function's logs, by correlation id, optionally followed",
  usage: `usage: revbot logs <function> [--since 1h] [--follow] [--tracking-id ID] [--filter PATTERN]
                   [--limit N]

<function> is a RevBot function without its revops-<stage>- prefix: slack-handler,
slack-processor, webhook-gateway, webhook-processor, or a tool (firebolt-query, gong-retrieval,
web-search, …); "slack" or "webhook" for both of a channel's functions; several separated by
commas. Log group: /aws/lambda/revops-<stage>-<function>.

  --since 1h          how far back to look (default 1h, or 1d with --tracking-id)
  -f, --follow        keep printing new events until interrupted (Ctrl-C)
  --tracking-id ID    only events that carry this correlation id (webhook tracking id, Slack
                      event id, session or conversation id)
  --filter PATTERN    a CloudWatch Logs filter pattern instead, e.g. '{ $.level = "ERROR" }'
  --limit N           newest events to show (default 100; --follow prints every new one)
${COMMON_USAGE}
With --json, one JSON object per line (timestamp, function, logGroup, logStream, message).`,
  async run(args, io) {
    const { values, positionals, common } = parseCommandArgs(args, OPTIONS, io.env);
    if (positionals.length !== 1) {
      throw new UsageError(
        positionals.length === 0
          ? 'missing <function>'
          : `expected one <function>, got ${positionals.length}`,
      );
    }
    if (values['tracking-id'] !== undefined && values.filter !== undefined) {
      throw new UsageError('use --tracking-id or --filter, not both');
    }
    const pattern =
      values['tracking-id'] !== undefined ? exactTermPattern(values['tracking-id']) : values.filter;
    const sinceMs = parseDuration(values.since ?? (values['tracking-id'] ? '1d' : '1h'), '--since');
    const limit = values.limit === undefined ? 100 : parseCount(values.limit, '--limit', FETCH_CAP);

    return withStage(common, io.env, async (context) => {
      const available = await listFunctionLogGroups(context.clients.logs, context.stage);
      const groups = resolveLogGroups(positionals[0] as string, context.stage, available);
      const label = (line: LogLine) =>
        groups.length > 1 ? shortFunctionName(line.group, context.stage) : undefined;
      const print = (line: LogLine) => {
        if (common.json) {
          io.stdout.write(
            `${JSON.stringify({
              timestamp: new Date(line.timestamp).toISOString(),
              function: shortFunctionName(line.group, context.stage),
              logGroup: line.group,
              logStream: line.stream,
              message: parseLogMessage(line.message) ?? line.message,
            })}\n`,
          );
        } else {
          io.stdout.write(`${formatLogLine(line, label(line))}\n`);
        }
      };

      const progress = startProgress(io.stderr, `reading ${groups.join(', ')}…`);
      let lines: LogLine[];
      try {
        lines = await fetchLogEvents(context.clients.logs, {
          groups,
          startTime: context.now() - sinceMs,
          pattern,
          limit: FETCH_CAP,
        });
      } finally {
        progress.stop();
      }
      const shown = lines.slice(-limit);
      if (!common.json) {
        if (lines.length > shown.length) {
          io.stderr.write(
            `showing the newest ${shown.length} of ${lines.length}${lines.length >= FETCH_CAP ? '+' : ''} events; narrow with --since, --tracking-id or --filter\n`,
          );
        } else if (lines.length === 0 && !values.follow) {
          io.stderr.write(
            `no events in the last ${values.since ?? (values['tracking-id'] ? '1d' : '1h')}${pattern ? ` matching ${pattern}` : ''} (${groups.join(', ')})\n`,
          );
        }
      }
      for (const line of shown) print(line);
      if (!values.follow) return 0;
      await follow(io, {
        interval: pollInterval(io.env, 2_000),
        since: lines.at(-1)?.timestamp ?? context.now() - sinceMs,
        seen: new Set(
          lines.filter((l) => l.timestamp === lines.at(-1)?.timestamp).map((l) => l.eventId),
        ),
        poll: (startTime) =>
          fetchLogEvents(context.clients.logs, { groups, startTime, pattern, limit: FETCH_CAP }),
        print,
        announce: () => {
          if (!common.json)
            io.stderr.write(`following ${plural(groups.length, 'log group')}; Ctrl-C to stop\n`);
        },
      });
      return 0;
    });
  },
};

interface FollowOptions {
  interval: number;
  since: number;
  /** Event ids already printed at timestamp `since` (the next poll starts there again). */
  seen: Set<string>;
  poll(startTime: number): Promise<LogLine[]>;
  print(line: LogLine): void;
  announce(): void;
}

/** Polls until Ctrl-C or until stdout is closed (`revbot logs x -f | head`). */
async function follow(io: CommandIo, options: FollowOptions): Promise<void> {
  let stopped = false;
  let wake: (() => void) | undefined;
  const stop = () => {
    stopped = true;
    wake?.();
  };
  process.once('SIGINT', stop);
  io.stdout.once('close', stop);
  io.stdout.once('error', stop);
  options.announce();
  let since = options.since;
  let seen = options.seen;
  try {
    while (!stopped && !isClosed(io.stdout)) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, options.interval).unref();
      });
      if (stopped || isClosed(io.stdout)) break;
      const lines = await options.poll(since);
      for (const line of lines) {
        if (seen.has(line.eventId) || line.timestamp < since) continue;
        if (isClosed(io.stdout)) break;
        options.print(line);
        if (line.timestamp > since) {
          since = line.timestamp;
          seen = new Set();
        }
        seen.add(line.eventId);
      }
    }
  } finally {
    process.removeListener('SIGINT', stop);
    io.stdout.removeListener('close', stop);
    io.stdout.removeListener('error', stop);
  }
}
