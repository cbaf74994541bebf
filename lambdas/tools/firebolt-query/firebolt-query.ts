/**
 * The firebolt_query action group: `execute_query` runs one read-only statement against the
 * warehouse (Firebolt in AWS, DuckDB locally) and answers with columns, rows, the row count and
 * the execution time, cut to a size the model can take and saying so when it is cut.
 *
 * The schema the model sees is `agents/src/tools/firebolt-query.ts`; its Lambda entry
 * point is `handler.ts` beside this file and its tests are in `lambdas/tests/tools/firebolt-query/`.
 */

import {
  type ActionGroupTool,
  createActionGroupTool,
  defineToolFunction,
  toolParam,
} from '@revbot/agents/action-group';
import type { Logger } from '@revbot/core';
import { z } from 'zod';
import type { QueryResult, SqlValue, Warehouse } from '../../shared/warehouse/types';

export const DEFAULT_MAX_ROWS = 100;
export const MAX_ROWS_LIMIT = 500;
export const DEFAULT_QUERY_TIMEOUT_MS = 20_000;
/** Room for rows in the response body; the rest of Bedrock's 25 KB goes to the envelope. */
export const DEFAULT_RESULT_CHARS = 16_000;
const MAX_CELL_CHARS = 1_000;

export const executeQueryParameters = z.object({
  query: toolParam.text({ maxLength: 20_000 }),
  max_rows: toolParam.integer(1, MAX_ROWS_LIMIT).default(DEFAULT_MAX_ROWS),
});

export interface FireboltQueryToolDeps {
  /** The warehouse, or a function giving it (created on first use). */
  warehouse: Warehouse | (() => Promise<Warehouse>);
  queryTimeoutMs?: number;
  resultChars?: number;
  logger?: Logger;
}

/** The answer `execute_query` sends back (as JSON text). */
export interface QueryToolResult {
  columns: string[];
  rows: SqlValue[][];
  row_count: number;
  truncated: boolean;
  execution_ms: number;
  note?: string;
}

export function createFireboltQueryTool(deps: FireboltQueryToolDeps): ActionGroupTool {
  const warehouse =
    typeof deps.warehouse === 'function' ? deps.warehouse : async () => deps.warehouse as Warehouse;
  const timeoutMs = deps.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  return createActionGroupTool({
    markUntrusted: true,
    name: 'firebolt_query',
    logger: deps.logger,
    functions: [
      defineToolFunction({
        name: 'execute_query',
        parameters: executeQueryParameters,
        async run({ query, max_rows }) {
          const result = await (await warehouse()).query(query, { maxRows: max_rows, timeoutMs });
          return {
            ...formatQueryResult(result, max_rows, deps.resultChars ?? DEFAULT_RESULT_CHARS),
          };
        },
      }),
    ],
  });
}

/**
 * Shapes a result for the model: long cells are shortened, and rows are dropped from the end until
 * the JSON fits `maxChars`; `truncated` and `note` say what was left out and how to see it.
 */
export function formatQueryResult(
  result: QueryResult,
  maxRows: number,
  maxChars: number,
): QueryToolResult {
  let shortenedCells = 0;
  const rows = result.rows.map((row) =>
    row.map((value) => {
      if (typeof value === 'string' && value.length > MAX_CELL_CHARS) {
        shortenedCells++;
        return `${value.slice(0, MAX_CELL_CHARS - 1)}…`;
      }
      return value;
    }),
  );
  const build = (count: number, note?: string): QueryToolResult => ({
    columns: result.columns,
    rows: rows.slice(0, count),
    row_count: count,
    truncated: result.truncated || count < rows.length,
    execution_ms: result.executionMs,
    ...(note ? { note } : {}),
  });
  const notes: string[] = [];
  if (result.truncated) {
    notes.push(
      `The query returned more than ${maxRows} rows; only the first ${maxRows} are shown. Aggregate, filter or raise max_rows (up to ${MAX_ROWS_LIMIT}).`,
    );
  }
  if (shortenedCells > 0)
    notes.push(
      `${shortenedCells} long text values were shortened to ${MAX_CELL_CHARS} characters.`,
    );
  const fits = (count: number) =>
    JSON.stringify(build(count, [...notes, sizeNote(count, rows.length)].join(' '))).length <=
    maxChars;
  if (JSON.stringify(build(rows.length, notes.join(' ') || undefined)).length <= maxChars) {
    return build(rows.length, notes.join(' ') || undefined);
  }
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid - 1;
  }
  return build(low, [...notes, sizeNote(low, rows.length)].join(' '));
}

const sizeNote = (shown: number, fetched: number) =>
  `Only ${shown} of the ${fetched} rows fetched fit in the response; select fewer columns, aggregate or filter to see the rest.`;
