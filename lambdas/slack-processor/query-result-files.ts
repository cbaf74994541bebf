/**
 * A Data agent answer shows at most a screenful of rows; when its warehouse query returned more
 * than 20, the whole result also goes to the thread as a CSV file, for a spreadsheet. The rows
 * are read from the stream itself: the `firebolt_query` / `execute_query` observation of the
 * Data agent (matched to its invocation input by trace id), so nothing is queried twice. The file
 * is shared with `files.uploadV2` (files.getUploadURLExternal → upload → files.completeUploadExternal).
 */
import type { AgentStreamEvent } from '@revbot/agents';
import { errorFields, type Logger } from '@revbot/core';
import type { WebClient } from '@slack/web-api';
import { slackCall } from '../shared/slack/slack-web-client';

/** Results with more rows than this get a file. */
export const CSV_ROW_THRESHOLD = 20;
/** The Data agent, as the Manager's collaborator configuration names it. */
export const DATA_AGENT_NAME = 'DataAgent';
/** Files per answer at most: a run that queried ten times does not flood the thread. */
export const MAX_FILES_PER_ANSWER = 3;

const QUERY_ACTION_GROUP = 'firebolt_query';
const QUERY_FUNCTION = 'execute_query';

type Cell = string | number | boolean | null;

export interface QueryResultTable {
  /** The SQL the agent ran, for the file's comment. */
  query?: string;
  columns: string[];
  rows: Cell[][];
  /** The tool had more rows than it returned (max_rows or size cut). */
  truncated: boolean;
}

interface QueryTrace {
  collaboratorName?: string;
  trace?: {
    orchestrationTrace?: {
      invocationInput?: {
        traceId?: string;
        actionGroupInvocationInput?: {
          actionGroupName?: string;
          function?: string;
          parameters?: { name?: string; value?: string }[];
        };
      };
      observation?: {
        traceId?: string;
        actionGroupInvocationOutput?: { text?: string };
      };
    };
  };
}

/** Watches a run's events and keeps the Data agent's query results larger than the threshold. */
export class QueryResultCollector {
  readonly large: QueryResultTable[] = [];
  private readonly pending = new Map<string, string | undefined>();

  add(event: AgentStreamEvent): void {
    const part = event.trace as QueryTrace | undefined;
    if (!part || part.collaboratorName !== DATA_AGENT_NAME) return;
    const orchestration = part.trace?.orchestrationTrace;
    const input = orchestration?.invocationInput;
    const call = input?.actionGroupInvocationInput;
    if (
      input?.traceId &&
      call?.actionGroupName === QUERY_ACTION_GROUP &&
      call.function === QUERY_FUNCTION
    ) {
      this.pending.set(input.traceId, call.parameters?.find((p) => p.name === 'query')?.value);
      return;
    }
    const observation = orchestration?.observation;
    const text = observation?.actionGroupInvocationOutput?.text;
    if (!observation?.traceId || text === undefined || !this.pending.has(observation.traceId)) {
      return;
    }
    const query = this.pending.get(observation.traceId);
    this.pending.delete(observation.traceId);
    const table = parseQueryResult(text);
    if (table && table.rows.length > CSV_ROW_THRESHOLD) this.large.push({ ...table, query });
  }
}

/** The tool's JSON answer (`{columns, rows, truncated}`), or undefined for an error or prose. */
export function parseQueryResult(text: string): Omit<QueryResultTable, 'query'> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const result = json as { columns?: unknown; rows?: unknown; truncated?: unknown };
  if (!Array.isArray(result?.columns) || !Array.isArray(result.rows)) return undefined;
  if (!result.columns.every((c) => typeof c === 'string')) return undefined;
  const cell = (v: unknown): v is Cell =>
    v === null || ['string', 'number', 'boolean'].includes(typeof v);
  const rows = result.rows.filter((row): row is Cell[] => Array.isArray(row) && row.every(cell));
  if (rows.length !== result.rows.length) return undefined;
  return { columns: result.columns as string[], rows, truncated: result.truncated === true };
}

/**
 * RFC 4180 CSV with a header row and CRLF line ends. Text a spreadsheet would run as a formula
 * (`=`, `+`, `-`, `@` first) is prefixed with an apostrophe; numbers are left as they are.
 */
export function toCsv(table: Pick<QueryResultTable, 'columns' | 'rows'>): string {
  const field = (value: Cell): string => {
    if (value === null) return '';
    let text = String(value);
    if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${[table.columns, ...table.rows].map((row) => row.map(field).join(',')).join('\r\n')}\r\n`;
}

export interface ResultFileTarget {
  channel: string;
  threadTs: string;
  /** Names the files (`revbot-<conversation id>-1.csv`). */
  conversationId: string;
}

/** Shares each large result (up to MAX_FILES_PER_ANSWER) in the thread; returns the count. */
export async function uploadQueryResults(
  slack: WebClient,
  target: ResultFileTarget,
  tables: QueryResultTable[],
): Promise<number> {
  const shared = tables.slice(0, MAX_FILES_PER_ANSWER);
  for (const [index, table] of shared.entries()) {
    const rows = table.rows.length.toLocaleString('en-US');
    await slackCall(
      'files.uploadV2',
      slack.filesUploadV2({
        channel_id: target.channel,
        thread_ts: target.threadTs,
        filename: `revbot-${target.conversationId}-${index + 1}.csv`,
        title: `Query result (${rows} rows)`,
        content: toCsv(table),
        initial_comment: table.truncated
          ? `The first ${rows} rows of the result, as CSV (the query returned more).`
          : `The full result, ${rows} rows, as CSV.`,
      }),
    );
  }
  return shared.length;
}

/**
 * uploadQueryResults after the answer is posted: a failure is logged, never thrown, because a
 * retry of the message would post the answer a second time for the sake of a file.
 */
export async function shareQueryResults(
  slack: WebClient,
  target: ResultFileTarget,
  collector: QueryResultCollector,
  logger: Logger,
): Promise<void> {
  if (collector.large.length === 0) return;
  try {
    const files = await uploadQueryResults(slack, target, collector.large);
    logger.info('Query results shared as CSV', { conversation_id: target.conversationId, files });
  } catch (error) {
    logger.error('Query results could not be shared as CSV', {
      conversation_id: target.conversationId,
      error: errorFields(error),
    });
  }
}
