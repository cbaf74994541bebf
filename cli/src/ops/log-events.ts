/**
 * RevBot's Lambda logs: the log groups `/aws/lambda/revops-<stage>-<function>`, events read with
 * FilterLogEvents (optionally narrowed to a correlation id), merged across functions in time
 * order, and Powertools' JSON lines shown as one readable line each.
 */

import {
  type CloudWatchLogsClient,
  type FilteredLogEvent,
  FilterLogEventsCommand,
  paginateDescribeLogGroups,
} from '@aws-sdk/client-cloudwatch-logs';
import { OpsError, UsageError } from '../errors';
import { awsErrorName } from './aws-errors';

export const logGroupPrefix = (stage: string): string => `/aws/lambda/revops-${stage}-`;

/** Names that stand for several functions: a channel's two Lambdas. */
const GROUPS: Record<string, string[]> = {
  slack: ['slack-handler', 'slack-processor'],
  webhook: ['webhook-gateway', 'webhook-processor'],
};

export async function listFunctionLogGroups(
  logs: CloudWatchLogsClient,
  stage: string,
): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateDescribeLogGroups(
    { client: logs },
    { logGroupNamePrefix: logGroupPrefix(stage) },
  )) {
    for (const group of page.logGroups ?? []) {
      if (group.logGroupName) names.push(group.logGroupName);
    }
  }
  return names.sort();
}

/** `revops-dev-slack-processor`'s log group → `slack-processor`. */
export const shortFunctionName = (group: string, stage: string): string =>
  group.startsWith(logGroupPrefix(stage)) ? group.slice(logGroupPrefix(stage).length) : group;

/**
 * The log groups for what the operator typed: a short name (`slack-processor`), a tool without
 * its `tool-` prefix (`firebolt-query`), a channel (`slack`, `webhook`), a full function name or
 * log group, or several of these separated by commas.
 */
export function resolveLogGroups(spec: string, stage: string, available: string[]): string[] {
  const prefix = logGroupPrefix(stage);
  const resolved: string[] = [];
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const names = GROUPS[part] ?? [part];
    for (const name of names) {
      const candidates = [
        name,
        `/aws/lambda/${name}`,
        `${prefix}${name}`,
        `${prefix}tool-${name}`,
        `${prefix}tool-${name.replace(/_/g, '-')}`,
      ];
      const found = candidates.find((candidate) => available.includes(candidate));
      if (!found) {
        const known = available.map((group) => shortFunctionName(group, stage));
        throw new OpsError(
          known.length > 0
            ? `no log group for "${name}" in stage ${stage}; functions with logs: ${known.join(', ')}`
            : `no RevBot log groups (${prefix}*) in this region: check --stage and --region`,
        );
      }
      if (!resolved.includes(found)) resolved.push(found);
    }
  }
  if (resolved.length === 0) throw new UsageError('missing <function>');
  return resolved;
}

/** A filter pattern matching events that contain `id` exactly (JSON logs carry it as a value). */
export function exactTermPattern(id: string, option = '--tracking-id'): string {
  if (!/^[\w.:@/+=-]{1,200}$/.test(id)) {
    throw new UsageError(
      `${option} may hold letters, digits and . _ - : @ / + = only, got "${id}"`,
    );
  }
  return `"${id}"`;
}

export interface LogLine {
  group: string;
  eventId: string;
  timestamp: number;
  message: string;
  stream: string;
}

export interface FetchOptions {
  groups: string[];
  startTime: number;
  endTime?: number;
  pattern?: string;
  /** At most this many events per group. */
  limit: number;
}

/** Events of every group in the window, merged in time order. */
export async function fetchLogEvents(
  logs: CloudWatchLogsClient,
  options: FetchOptions,
): Promise<LogLine[]> {
  const perGroup = await Promise.all(
    options.groups.map(async (group) => {
      const lines: LogLine[] = [];
      let nextToken: string | undefined;
      try {
        do {
          const page = await logs.send(
            new FilterLogEventsCommand({
              logGroupName: group,
              startTime: options.startTime,
              endTime: options.endTime,
              filterPattern: options.pattern,
              nextToken,
              limit: Math.min(10_000, options.limit - lines.length),
            }),
          );
          for (const event of page.events ?? []) lines.push(toLogLine(group, event));
          nextToken = page.nextToken;
        } while (nextToken && lines.length < options.limit);
      } catch (error) {
        if (awsErrorName(error) === 'ResourceNotFoundException') {
          throw new OpsError(`log group ${group} does not exist (the function has not logged yet)`);
        }
        throw error;
      }
      return lines;
    }),
  );
  return perGroup
    .flat()
    .sort((a, b) => a.timestamp - b.timestamp || a.eventId.localeCompare(b.eventId));
}

function toLogLine(group: string, event: FilteredLogEvent): LogLine {
  return {
    group,
    eventId: event.eventId ?? `${event.logStreamName}-${event.timestamp}`,
    timestamp: event.timestamp ?? 0,
    message: (event.message ?? '').replace(/\n$/, ''),
    stream: event.logStreamName ?? '',
  };
}

/** Keys of Powertools and Lambda JSON logs that say nothing an operator needs on one line. */
const QUIET_KEYS = new Set([
  'timestamp',
  'time',
  'level',
  'message',
  'msg',
  'service',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'xray_trace_id',
  'requestId',
  'type',
  'record',
]);

const clip = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/** The event's message parsed as JSON, when it is a JSON object. */
export function parseLogMessage(message: string): Record<string, unknown> | undefined {
  const start = message.indexOf('{');
  if (start < 0) return undefined;
  try {
    const value = JSON.parse(message.slice(start)) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** `2026-11-23 10:04:05.123  ERROR  slack-processor  Agent call failed  tracking_id=t-1 error=…` */
export function formatLogLine(line: LogLine, functionLabel: string | undefined): string {
  const time = new Date(line.timestamp).toISOString().slice(0, 23).replace('T', ' ');
  const json = parseLogMessage(line.message);
  const label = functionLabel ? `  ${functionLabel}` : '';
  if (!json) return `${time}${label}  ${line.message.trim()}`;
  const level = String(json.level ?? (json.type ? 'PLATFORM' : 'INFO')).toUpperCase();
  let text = String(json.message ?? json.msg ?? json.type ?? '');
  if (json.type && isRecordLike(json.record)) {
    const record = json.record as Record<string, unknown>;
    const metrics = isRecordLike(record.metrics) ? (record.metrics as Record<string, unknown>) : {};
    const detail = [
      record.requestId ? `request ${String(record.requestId)}` : '',
      record.status ? String(record.status) : '',
      metrics.durationMs !== undefined ? `${String(metrics.durationMs)} ms` : '',
    ].filter(Boolean);
    text = `${String(json.type)}${detail.length ? ` ${detail.join(', ')}` : ''}`;
  }
  const extras: string[] = [];
  for (const [key, value] of Object.entries(json)) {
    if (QUIET_KEYS.has(key) || value === undefined || value === null || value === '') continue;
    if (key === 'error' && isRecordLike(value)) {
      const error = value as Record<string, unknown>;
      extras.push(
        `error=${clip(`${String(error.name ?? 'Error')}: ${String(error.message ?? '')}`, 200)}`,
      );
      continue;
    }
    const shown = typeof value === 'string' ? value : JSON.stringify(value);
    extras.push(`${key}=${clip(shown, 120)}`);
  }
  return `${time}  ${level.padEnd(5)}${label}  ${text}${extras.length ? `  ${extras.join(' ')}` : ''}`;
}

const isRecordLike = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
