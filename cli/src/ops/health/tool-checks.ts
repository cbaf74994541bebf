/**
 * The tools of a stage, each answering a dry-run action-group event through `lambda:Invoke`, the
 * way the converse runtime calls them: the self-test's tool checks (`@RevBot test connectivity`)
 * run from the operator's machine. `firebolt_query` runs `SELECT 1`, so its line is also the
 * warehouse's; the tools that write or send only answer a probe.
 */
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { TOOL_NAMES, TOOLS } from '@revbot/agents';
import { lambdaToolChecks, runSelfTest } from '@revbot/lambdas/self-test';
import { functionPrefix } from '../stack-outputs';
import { type HealthCheck, ok, problem } from './health-check';

/** `revops-<stage>-tool-<folder>`, as the agents stack names each tool's function. */
export const toolFunctionName = (stage: string, tool: (typeof TOOL_NAMES)[number]): string =>
  `${functionPrefix(stage)}tool-${TOOLS[tool].lambdaDir}`;

export async function checkTools(
  client: LambdaClient,
  stage: string,
  timeoutMs: number,
): Promise<HealthCheck[]> {
  const functions = Object.fromEntries(
    TOOL_NAMES.map((tool) => [tool, toolFunctionName(stage, tool)]),
  );
  const report = await runSelfTest(stage, lambdaToolChecks(client, functions, stage), {
    timeoutMs,
  });
  return report.lines.map((line) =>
    line.status === 'fail'
      ? problem('Tools', line.name, line.detail, line.fix ?? '')
      : ok('Tools', line.name, line.detail),
  );
}
