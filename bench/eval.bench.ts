/**
 * `revbot eval` on the offline model: the wall time of the whole golden set (every case in its
 * own session, facts computed by SQL, every check) and its pass rate.
 */
import { runEval } from '../cli/src/eval/eval-runner';
import { startEvalStack } from '../cli/src/eval/eval-stack';
import { loadGoldenSet } from '../cli/src/eval/golden-set';
import { type BenchResult, round } from './types';

const AS_OF = '2026-11-23';
const WALL_TARGET_S = 15;
const PASS_TARGET = 0.95;

export async function run(): Promise<BenchResult[]> {
  const stack = await startEvalStack({ runtime: 'offline', asOf: AS_OF });
  try {
    const cases = loadGoldenSet();
    const result = await runEval({
      runtime: stack.runtime,
      cases,
      query: stack.query,
      today: AS_OF,
    });
    const wall = result.wallMs / 1000;
    return [
      {
        name: `eval: offline golden set wall time (${result.total} cases)`,
        value: round(wall, 1),
        unit: 's',
        target: `< ${WALL_TARGET_S}`,
        ok: wall < WALL_TARGET_S,
      },
      {
        name: 'eval: offline golden set pass rate',
        value: round(result.passRate, 3),
        unit: 'ratio',
        target: `>= ${PASS_TARGET}`,
        ok: result.passRate >= PASS_TARGET,
      },
    ];
  } finally {
    await stack.close();
  }
}
