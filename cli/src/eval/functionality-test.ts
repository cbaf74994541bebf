/**
 * `@RevBot test <agent> functionality` where the golden set is at hand (the local stack): the
 * agent's own golden-set cases, asked of the running agents and judged as `revbot eval` judges
 * them, answered as one line per case.
 */
import type { AgentRuntime } from '@revbot/agents';
import { loadAgents } from '@revbot/agents';
import { type CaseResult, runEval, type WarehouseQuery } from './eval-runner';
import { GOLDEN_SET_DIR, loadGoldenSet } from './golden-set';

export interface FunctionalityTestOptions {
  runtime: AgentRuntime;
  query: WarehouseQuery;
  /** The day the warehouse's data is as of (YYYY-MM-DD). */
  today?: string;
  goldenDir?: string;
  agentsDir?: string;
  /** Most cases asked per test, so a chat command stays quick. @default 10 */
  maxCases?: number;
}

/** `Data`, `data agent`, `DataAgent` and `data_agent` all name the same agent. */
const normalize = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .replace(/agent$/, '');

export function goldenFunctionalityTest(
  options: FunctionalityTestOptions,
): (agent: string) => Promise<string> {
  const maxCases = options.maxCases ?? 10;
  return async (agent) => {
    const collaborators = loadAgents(options.agentsDir).entry.collaborators;
    const wanted = normalize(agent);
    const found = collaborators.find(
      (c) => normalize(c.name) === wanted || normalize(c.agentKey) === wanted,
    );
    if (!found) {
      return `I know no agent called "${agent}". I can test: ${collaborators.map((c) => c.name).join(', ')}.`;
    }
    const cases = loadGoldenSet(options.goldenDir ?? GOLDEN_SET_DIR, options.agentsDir).filter(
      (c) => c.expect.agents?.length === 1 && c.expect.agents[0] === found.name,
    );
    if (cases.length === 0) {
      return `The golden set has no case for ${found.name} yet: add some to eval/golden/ (see eval/README.md).`;
    }
    const asked = cases.slice(0, maxCases);
    const result = await runEval({
      runtime: options.runtime,
      cases: asked,
      query: options.query,
      today: options.today,
      sessionId: (c, i) => `functionality-${Date.now().toString(36)}-${i}-${c.id}`,
    });
    const lines = result.cases.map(caseLine);
    const more =
      cases.length > asked.length ? ` (the first ${asked.length} of ${cases.length})` : '';
    return [
      `${found.name}: ${result.passed} of ${result.total} golden-set cases passed${more}.`,
      ...lines,
    ].join('\n');
  };
}

function caseLine(result: CaseResult): string {
  if (result.passed) return `PASS  ${result.question}`;
  return `FAIL  ${result.question}: ${result.reasons[0] ?? 'failed'}`;
}
