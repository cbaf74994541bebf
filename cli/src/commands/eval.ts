/**
 * `revbot eval`: runs the golden set (`eval/golden/`) against a runtime and reports, per case and
 * in total, whether the answers are routed, grounded, right and well formed; exits non-zero below
 * the pass threshold so CI and a changed instruction file can rely on it.
 */

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AGENT_RUNTIME_KINDS, type AgentRuntimeKind } from '@revbot/agents/runtime';
import type { Command } from '../command';
import { UsageError } from '../errors';
import { evalJson, evalMarkdown, evalTable, summaryLine } from '../eval/eval-report';
import { runEval } from '../eval/eval-runner';
import { startEvalStack } from '../eval/eval-stack';
import { GOLDEN_SET_DIR, loadGoldenSet } from '../eval/golden-set';
import { seededAsOf } from '../local/warehouse-settings';
import { startProgress } from '../ops/progress';

export const evalCommand: Command = {
  name: 'eval',
  summary: 'run the golden set against a runtime and score the answers',
  usage: `usage: revbot eval [--runtime offline|converse|openai|bedrock-agents] [--golden DIR]
                   [--area NAME] [--case ID] [--threshold 0.95] [--json] [--report FILE.md]
                   [--data-dir .revbot]

Asks every golden case (eval/golden/*.json, one file per agent area) in its own session and
checks the answer: the collaborators that answered, the tools and SQL patterns used, the facts
(each computed now by its own SQL against the warehouse), that every figure is traced to a tool
result or passage, the Manager's answer rules, safety (no instruction text, no action that was
not asked for), model calls and latency. Tools run in process against the embedded warehouse as
of the seeded day (REVBOT_DATA_AS_OF overrides it); the model is the chosen runtime (default
offline; converse and openai read their usual variables). With bedrock-agents the deployed
agents answer from the deployed warehouse while facts are computed on the embedded one: seed
both as of the same day. Exits 1 below --threshold.`,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        runtime: { type: 'string', default: io.env.AGENT_RUNTIME ?? 'offline' },
        golden: { type: 'string' },
        area: { type: 'string', multiple: true },
        case: { type: 'string', multiple: true },
        threshold: { type: 'string', default: '0.95' },
        json: { type: 'boolean', default: false },
        report: { type: 'string' },
        'data-dir': { type: 'string', default: io.env.REVBOT_DATA_DIR ?? '.revbot' },
      },
    });
    const runtime = values.runtime as AgentRuntimeKind;
    if (!(AGENT_RUNTIME_KINDS as readonly string[]).includes(runtime)) {
      throw new UsageError(`--runtime must be one of ${AGENT_RUNTIME_KINDS.join(', ')}`);
    }
    const threshold = Number(values.threshold);
    if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
      throw new UsageError('--threshold must be a number from 0 to 1');
    }
    let cases = loadGoldenSet(values.golden ? path.resolve(io.cwd, values.golden) : GOLDEN_SET_DIR);
    if (values.area) cases = cases.filter((c) => values.area!.includes(c.area));
    if (values.case) cases = cases.filter((c) => values.case!.includes(c.id));
    if (cases.length === 0) throw new UsageError('no golden case matches --area/--case');

    const asOf = seededAsOf(path.resolve(io.cwd, values['data-dir']), io.env);
    const stack = await startEvalStack({ runtime, asOf, env: io.env });
    const progress = startProgress(io.stderr, `asking ${cases.length} questions…`);
    try {
      const result = await runEval({
        runtime: stack.runtime,
        cases,
        query: stack.query,
        today: stack.asOf,
        onCase: (done, total, c) => {
          progress.update(`${done}/${total} ${c.id}`, done / total);
          if (!(io.stderr as { isTTY?: boolean }).isTTY && !values.json) {
            io.stderr.write(`[${done}/${total}] ${c.passed ? 'pass' : 'FAIL'} ${c.id}\n`);
          }
        },
      });
      progress.stop();
      if (values.report) {
        const file = path.resolve(io.cwd, values.report);
        await writeFile(file, evalMarkdown(result, threshold));
        if (!values.json) io.stderr.write(`report: ${file}\n`);
      }
      io.stdout.write(values.json ? evalJson(result, threshold) : `${evalTable(result)}\n`);
      if (result.passRate < threshold) {
        io.stderr.write(
          `${summaryLine(result)}: below the threshold of ${(threshold * 100).toFixed(1)}%\n`,
        );
        return 1;
      }
      return 0;
    } finally {
      progress.stop();
      await stack.close();
    }
  },
};
