/**
 * The self-test commands a user can send RevBot instead of a question: `test connectivity` (the
 * self-test table) and `test <agent> functionality` (the agent against its golden set). They are
 * matched before any agent runs, so they work when the agents themselves do not.
 */

export type SelfTestCommand = { kind: 'connectivity' } | { kind: 'functionality'; agent: string };

const CONNECTIVITY = /^\s*test\s+connectivity\s*[.!?]*\s*$/i;
const FUNCTIONALITY = /^\s*test\s+(?:the\s+)?(.+?)\s+functionality\s*[.!?]*\s*$/i;

/** The command in a question (already cleaned of the mention), or undefined for a real question. */
export function parseSelfTestCommand(question: string): SelfTestCommand | undefined {
  if (CONNECTIVITY.test(question)) return { kind: 'connectivity' };
  const functionality = FUNCTIONALITY.exec(question);
  if (functionality?.[1]) return { kind: 'functionality', agent: functionality[1].trim() };
  return undefined;
}

/**
 * Tests one agent's functionality: runs the agent's golden-set questions and says how it did.
 * Given by a deployment that has the golden set; without one, the answer says what is needed.
 */
export type FunctionalityTest = (agent: string) => Promise<string>;

export const noGoldenSetAnswer = (agent: string): string =>
  `Testing ${agent} means asking it the questions of its golden set (questions with known good answers, run by \`revbot eval\`) and comparing the answers. This deployment has no golden set to run, so I cannot test ${agent} from Slack: run \`revbot eval\` from a checkout of RevBot. \`@RevBot test connectivity\` checks the agents, tools and credentials without one.`;
