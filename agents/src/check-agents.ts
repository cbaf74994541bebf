/**
 * Every problem of an `agents/` folder at once, for `revbot agents check` and CI: what the loader
 * rejects (Bedrock's limits, unknown models, tools and collaborators), plus the collaborator graph
 * seen whole even when single files are broken — an agent nobody calls, a collaboration cycle,
 * more than one entry agent — and catalogue tools without a Lambda folder. The loader stops at the
 * first graph problem and only looks at the graph once every file is valid; here each is named.
 */

import { existsSync } from 'node:fs';
import path from 'node:path';
import { AgentDefinitionError } from './errors';
import {
  AGENT_FILE,
  type AgentProblem,
  type AgentSources,
  defineAgents,
  type LoadOptions,
  readAgentSources,
} from './loader';
import { TOOLS } from './tools';

/**
 * Bedrock's name pattern allows 100 letters or digits; the agent's name is
 * `revops-<stage>-<folder>` and a stage has up to 16 (`revbot --stage`), leaving the folder 78.
 */
export const AGENT_KEY_ALNUM_MAX = 100 - 'revops'.length - 16;

export interface CheckOptions extends LoadOptions {
  /** `lambdas/tools/`: each catalogue tool needs `<lambdaDir>/handler.ts` there (unchecked when unset). */
  lambdaToolsDir?: string;
}

/** The problems of the agents under `dir`; empty when they load and deploy. */
export function checkAgentsDir(dir: string, options: CheckOptions = {}): AgentProblem[] {
  return checkAgentSources(readAgentSources(dir), options);
}

export function checkAgentSources(
  sources: AgentSources,
  options: CheckOptions = {},
): AgentProblem[] {
  const problems: AgentProblem[] = [];
  try {
    defineAgents(sources, options);
  } catch (error) {
    if (!(error instanceof AgentDefinitionError)) throw error;
    // The graph is judged below, from every readable file; the loader's view of it is partial.
    problems.push(...error.problems.filter((p) => !isGraphProblem(p)));
  }
  problems.push(...graphProblems(sources));
  for (const source of sources.agents) {
    const alnum = source.key.replace(/[^a-zA-Z0-9]/g, '').length;
    if (alnum > AGENT_KEY_ALNUM_MAX) {
      problems.push({
        agent: source.key,
        field: 'folder name',
        message: `must have at most ${AGENT_KEY_ALNUM_MAX} letters and digits (got ${alnum}), so the Bedrock agent name revops-<stage>-<name> fits Bedrock's pattern for every stage`,
      });
    }
  }
  if (options.lambdaToolsDir) problems.push(...toolFolderProblems(options));
  return problems;
}

const isGraphProblem = (p: AgentProblem) =>
  p.message.startsWith('collaboration cycle:') ||
  p.message.startsWith('exactly one agent must be called by no other');

/** Collaborator edges from every agent.json that parses, whatever else is wrong with it. */
function collaboratorEdges(sources: AgentSources): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const source of sources.agents) {
    let config: unknown;
    try {
      config = JSON.parse(source.config ?? 'null');
    } catch {
      config = null;
    }
    const listed = (config as { collaborators?: unknown } | null)?.collaborators;
    const targets = Array.isArray(listed)
      ? listed
          .map((c) => (c as { agent?: unknown } | null)?.agent)
          .filter((agent): agent is string => typeof agent === 'string')
      : [];
    edges.set(source.key, targets);
  }
  return edges;
}

function graphProblems(sources: AgentSources): AgentProblem[] {
  const edges = collaboratorEdges(sources);
  const keys = [...edges.keys()];
  if (keys.length === 0) return [];
  const problems: AgentProblem[] = [];
  const field = `${AGENT_FILE} collaborators`;

  const calledBy = new Map<string, string[]>(keys.map((k) => [k, []]));
  for (const [from, targets] of edges) {
    for (const to of targets) if (to !== from) calledBy.get(to)?.push(from);
  }

  // Each cycle once, named from the agent where the search met it again.
  const state = new Map<string, 'visiting' | 'done'>();
  const seenCycles = new Set<string>();
  const visit = (key: string, trail: string[]) => {
    if (state.get(key) === 'done') return;
    if (state.get(key) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(key)), key];
      const id = [...new Set(cycle)].sort().join(',');
      if (!seenCycles.has(id)) {
        seenCycles.add(id);
        problems.push({ agent: key, field, message: `collaboration cycle: ${cycle.join(' → ')}` });
      }
      return;
    }
    state.set(key, 'visiting');
    for (const next of edges.get(key) ?? [])
      if (edges.has(next) && next !== key) visit(next, [...trail, key]);
    state.set(key, 'done');
  };
  for (const key of [...keys].sort()) visit(key, []);

  const roots = keys.filter((k) => (calledBy.get(k) ?? []).length === 0);
  const supervisors = roots.filter((k) => (edges.get(k) ?? []).length > 0);
  if (supervisors.length > 1) {
    problems.push({
      agent: 'agents',
      field: 'collaborators',
      message: `more than one entry agent (agents nobody calls that call others): ${supervisors.join(', ')}; keep one supervisor and make the others its collaborators`,
    });
    return problems;
  }
  const entry = supervisors[0] ?? (roots.length === 1 ? roots[0] : undefined);
  if (!entry) {
    if (roots.length === 0) {
      problems.push({
        agent: 'agents',
        field: 'collaborators',
        message: 'no entry agent: every agent is called by another',
      });
    }
    return problems;
  }
  const reachable = new Set<string>([entry]);
  const queue = [entry];
  while (queue.length > 0) {
    for (const next of edges.get(queue.shift() as string) ?? []) {
      if (edges.has(next) && !reachable.has(next)) {
        reachable.add(next);
        queue.push(next);
      }
    }
  }
  for (const key of keys.sort()) {
    if (reachable.has(key)) continue;
    const callers = calledBy.get(key) ?? [];
    problems.push({
      agent: key,
      field: 'collaborators',
      message:
        callers.length === 0
          ? `orphan: no agent calls it; add it to the collaborators of ${entry} or delete the folder`
          : `orphan: only ${callers.join(', ')} call it, and ${entry} reaches none of them`,
    });
  }
  return problems;
}

function toolFolderProblems(options: CheckOptions): AgentProblem[] {
  const dir = options.lambdaToolsDir as string;
  return Object.values(options.tools ?? TOOLS)
    .filter((tool) => !existsSync(path.join(dir, tool.lambdaDir, 'handler.ts')))
    .map((tool) => ({
      agent: 'tools',
      field: `${tool.name}.lambdaDir`,
      message: `no Lambda handler at lambdas/tools/${tool.lambdaDir}/handler.ts`,
    }));
}
