/**
 * The agent definitions the portable runtime runs. In the repository (local stack, tests) they
 * are read from `agents/` as they are; a Lambda bundle has no `agents/` folder, so a copy of the
 * same files travels with the code as `agent-definitions.json` and is validated by the same
 * loader at start-up. A test fails when the copy differs from the files; regenerate it with
 * `pnpm tsx agents/src/runtime/agent-definitions.ts --write`.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AgentSet,
  type AgentSources,
  defaultAgentsDir,
  defineAgents,
  loadAgents,
  MODELS_FILE,
  readAgentSources,
} from '../loader';
import bundled from './agent-definitions.json';

export const BUNDLED_AGENT_SOURCES: AgentSources = bundled;

/**
 * The agents under `dir` when given; else the repository's `agents/` when present; else the copy
 * bundled with the code. Throws an AgentDefinitionError naming every problem.
 */
export function runtimeAgents(dir?: string): AgentSet {
  if (dir) return loadAgents(dir);
  const repository = safeDefaultDir();
  if (repository && existsSync(path.join(repository, MODELS_FILE))) return loadAgents(repository);
  return defineAgents(BUNDLED_AGENT_SOURCES);
}

function safeDefaultDir(): string | undefined {
  try {
    return defaultAgentsDir();
  } catch {
    return undefined;
  }
}

/** The files of `agents/` in the bundled form. */
export function currentAgentSources(dir: string = defaultAgentsDir()): AgentSources {
  return readAgentSources(dir);
}

/** The bundled copy's file, beside this module. */
export const bundledAgentDefinitionsFile = (): string =>
  fileURLToPath(new URL('./agent-definitions.json', import.meta.url));

/** Rewrites the bundled copy from the files of `dir` (default: the repository's `agents/`). */
export function writeBundledAgentDefinitions(
  dir: string = defaultAgentsDir(),
  file: string = bundledAgentDefinitionsFile(),
): string {
  writeFileSync(file, `${JSON.stringify(currentAgentSources(dir), null, 2)}\n`);
  return file;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes('--write')) {
  const file = writeBundledAgentDefinitions();
  console.log(`Wrote ${path.relative(process.cwd(), file)}`);
}
