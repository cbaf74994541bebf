/**
 * The firebolt_query tool's latency on the embedded warehouse, per SQL pattern of the knowledge
 * base: a full action-group round trip in process (event parsing, parameter validation, the
 * read-only guard, DuckDB in a read-only transaction, result shaping), p50 and p99.
 */
import { buildFunctionEvent } from '@revbot/agents/action-group';
import { loadSqlPatterns, renderSqlPattern } from '@revbot/agents/knowledge-base';
import { createFireboltQueryTool } from '@revbot/lambdas/tools';
import { createEmbeddedWarehouse } from '@revbot/lambdas/warehouse';
import { type BenchResult, percentile, round } from './types';

const WARMUP = 3;
const ITERATIONS = 40;
const P50_TARGET_MS = 25;
const P99_TARGET_MS = 100;

const quiet = { info() {}, warn() {}, error() {} };

export async function run(): Promise<BenchResult[]> {
  const warehouse = await createEmbeddedWarehouse({ seed: { asOf: '2026-11-23' } });
  const tool = createFireboltQueryTool({ warehouse, logger: quiet });
  const agent = { name: 'bench', id: 'BENCHAGENT', alias: 'TSTALIASID', version: 'DRAFT' };
  const results: BenchResult[] = [];
  try {
    for (const pattern of loadSqlPatterns()) {
      const values = Object.fromEntries(
        pattern.parameters.map((p) => [p.name, p.example ?? p.default]),
      );
      const event = buildFunctionEvent({
        tool: 'firebolt_query',
        function: 'execute_query',
        parameters: { query: renderSqlPattern(pattern, values), max_rows: 100 },
        agent,
        sessionId: 'bench',
      });
      const timings: number[] = [];
      for (let i = 0; i < WARMUP + ITERATIONS; i++) {
        const started = performance.now();
        const response = await tool.handle(event);
        const elapsed = performance.now() - started;
        if (
          'functionResponse' in response.response &&
          response.response.functionResponse.responseState
        ) {
          throw new Error(
            `${pattern.id}: ${response.response.functionResponse.responseBody.TEXT.body}`,
          );
        }
        if (i >= WARMUP) timings.push(elapsed);
      }
      timings.sort((a, b) => a - b);
      const p50 = percentile(timings, 50);
      const p99 = percentile(timings, 99);
      results.push(
        {
          name: `firebolt_query ${pattern.id} p50`,
          value: round(p50),
          unit: 'ms',
          target: `< ${P50_TARGET_MS}`,
          ok: p50 < P50_TARGET_MS,
        },
        {
          name: `firebolt_query ${pattern.id} p99`,
          value: round(p99),
          unit: 'ms',
          target: `< ${P99_TARGET_MS}`,
          ok: p99 < P99_TARGET_MS,
        },
      );
    }
  } finally {
    await warehouse.close();
  }
  return results;
}
