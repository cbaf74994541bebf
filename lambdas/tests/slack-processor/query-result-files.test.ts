import type { AgentStreamEvent } from '@revbot/agents';
import { describe, expect, it } from 'vitest';
import {
  CSV_ROW_THRESHOLD,
  parseQueryResult,
  QueryResultCollector,
  toCsv,
} from '../../slack-processor/query-result-files';

/** The trace pair RevBot's runtime (and Bedrock) emits for one execute_query call. */
function queryCall(
  traceId: string,
  rows: unknown[][],
  /** null: a trace of the Manager itself, which names no collaborator. */
  collaboratorName: string | null = 'DataAgent',
): AgentStreamEvent[] {
  const part = (trace: unknown) =>
    ({
      trace: { agentId: 'DATAAGENT1', ...(collaboratorName ? { collaboratorName } : {}), trace },
    }) as unknown as AgentStreamEvent;
  return [
    part({
      orchestrationTrace: {
        invocationInput: {
          invocationType: 'ACTION_GROUP',
          traceId,
          actionGroupInvocationInput: {
            actionGroupName: 'firebolt_query',
            function: 'execute_query',
            parameters: [{ name: 'query', type: 'string', value: 'SELECT n FROM t' }],
          },
        },
      },
    }),
    part({
      orchestrationTrace: {
        observation: {
          type: 'ACTION_GROUP',
          traceId,
          actionGroupInvocationOutput: {
            text: JSON.stringify({
              columns: ['n'],
              rows,
              row_count: rows.length,
              truncated: false,
            }),
          },
        },
      },
    }),
  ];
}

const rowsOf = (count: number) => Array.from({ length: count }, (_, i) => [i + 1]);

describe('QueryResultCollector', () => {
  it(`keeps a Data agent query result of more than ${CSV_ROW_THRESHOLD} rows, with its SQL`, () => {
    const collector = new QueryResultCollector();
    for (const event of queryCall('t-1', rowsOf(21))) collector.add(event);
    expect(collector.large).toHaveLength(1);
    expect(collector.large[0]).toMatchObject({ query: 'SELECT n FROM t', columns: ['n'] });
    expect(collector.large[0]?.rows).toHaveLength(21);
  });

  it('leaves results of 20 rows or fewer, and other agents’ queries', () => {
    const collector = new QueryResultCollector();
    for (const event of [
      ...queryCall('t-1', rowsOf(20)),
      ...queryCall('t-2', rowsOf(50), 'DealAnalysisAgent'),
      ...queryCall('t-3', rowsOf(50), null),
    ]) {
      collector.add(event);
    }
    expect(collector.large).toEqual([]);
  });

  it('pairs each result with its own call when calls interleave', () => {
    const collector = new QueryResultCollector();
    const [inputA, outputA] = queryCall('t-a', rowsOf(30));
    const [inputB, outputB] = queryCall('t-b', rowsOf(5));
    for (const event of [inputA, inputB, outputB, outputA]) collector.add(event!);
    expect(collector.large.map((t) => t.rows.length)).toEqual([30]);
  });
});

describe('parseQueryResult', () => {
  it('reads the tool’s JSON answer and refuses errors and prose', () => {
    expect(parseQueryResult('{"columns":["a"],"rows":[[1],[null]],"truncated":true}')).toEqual({
      columns: ['a'],
      rows: [[1], [null]],
      truncated: true,
    });
    expect(parseQueryResult('{"error":"Query refused"}')).toBeUndefined();
    expect(parseQueryResult('Query refused: not a SELECT')).toBeUndefined();
    expect(parseQueryResult('{"columns":["a"],"rows":[[{"x":1}]]}')).toBeUndefined();
  });
});

describe('toCsv', () => {
  it('quotes what RFC 4180 requires and ends lines with CRLF', () => {
    expect(
      toCsv({
        columns: ['name', 'note', 'arr'],
        rows: [
          ['Acme, Inc.', 'said "soon"', 1200.5],
          ['IXIS', 'two\nlines', null],
        ],
      }),
    ).toBe('name,note,arr\r\n"Acme, Inc.","said ""soon""",1200.5\r\nIXIS,"two\nlines",\r\n');
  });

  it('keeps a spreadsheet from running text as a formula, and leaves negative numbers alone', () => {
    expect(toCsv({ columns: ['v'], rows: [['=HYPERLINK("x")'], ['@SUM(A1)'], [-5], ['-5']] })).toBe(
      'v\r\n"\'=HYPERLINK(""x"")"\r\n\'@SUM(A1)\r\n-5\r\n\'-5\r\n',
    );
  });
});
