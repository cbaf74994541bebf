/**
 * Reads RevBot's agents from `agents/` (one folder per agent: `instructions.md` + `agent.json`,
 * and `models.json` for the model they run on), validates them against Bedrock's limits and
 * against each other, and returns typed definitions. The CDK app and the portable runtime both
 * load agents through here, so an agent is defined once.
 *
 * Every problem found is reported at once, each naming the agent and the field.
 */

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { AgentDefinitionError } from './errors';
import {
  AGENT_KEY_PATTERN,
  type AgentFile,
  agentFileSchema,
  BEDROCK_NAME_PATTERN,
  BEDROCK_NAME_RULE,
  LIMITS,
  type ModelsFile,
  modelsFileSchema,
} from './schema';
import { TOOLS, type ToolDefinition, type ToolFunction } from './tools';

/** The `agents/` folder of this repository (computed on call: bundles never evaluate it). */
export const defaultAgentsDir = (): string =>
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const MODELS_FILE = 'models.json';
export const AGENT_FILE = 'agent.json';
export const INSTRUCTIONS_FILE = 'instructions.md';

export type AgentCollaborationMode = AgentFile['collaboration'];

export interface ModelDefinition {
  /** Key in `models.json`, e.g. `default`. */
  key: string;
  /** System-defined cross-Region inference profile, e.g. `us.anthropic.claude-sonnet-4-6`. */
  inferenceProfileId: string;
  /** Foundation model the profile routes to, e.g. `anthropic.claude-sonnet-4-6`. */
  foundationModelId: string;
}

export interface ActionGroupDefinition {
  /** Action group name: the tool's catalogue name, e.g. `firebolt_query`. */
  name: string;
  description: string;
  tool: ToolDefinition;
  /** The functions offered (all of the tool's, or the subset the agent asked for). */
  functions: ToolFunction[];
}

export interface CollaboratorDefinition {
  /** Folder name of the collaborating agent. */
  agentKey: string;
  /** Name the supervisor calls it by; `collaboratorName` in traces. */
  name: string;
  instruction: string;
  relayConversationHistory: boolean;
}

export interface AgentDefinition {
  /** Folder name, e.g. `deal_analysis_agent`. */
  key: string;
  displayName: string;
  description: string;
  instructions: string;
  model: ModelDefinition;
  idleSessionTtlSeconds: number;
  actionGroups: ActionGroupDefinition[];
  /** What the agent looks up in the knowledge base; null when it has no access. */
  knowledgeBase: { description: string } | null;
  collaboration: AgentCollaborationMode;
  collaborators: CollaboratorDefinition[];
}

export interface AgentSet {
  /** Every agent, collaborators before the supervisors that call them. */
  agents: AgentDefinition[];
  /** The one agent nobody else calls: where every question starts (the Manager). */
  entry: AgentDefinition;
  /** Every model some agent uses. */
  models: ModelDefinition[];
  /** The agent in folder `key`; throws for an unknown key. */
  get(key: string): AgentDefinition;
}

export interface AgentProblem {
  /** Agent folder name, or `models.json` / `agents` for problems outside one agent. */
  agent: string;
  /** File and field, e.g. `agent.json collaborators[0].instruction`. */
  field: string;
  message: string;
}

/** The raw files of one agent folder, before validation. */
export interface AgentSource {
  key: string;
  /** Text of `agent.json`; undefined when the file is missing. */
  config: string | undefined;
  /** Text of `instructions.md`; undefined when the file is missing. */
  instructions: string | undefined;
}

export interface AgentSources {
  /** Text of `models.json`; undefined when the file is missing. */
  models: string | undefined;
  agents: AgentSource[];
}

export interface LoadOptions {
  /** The tool catalogue agents may reference (default: RevBot's, `tools.ts`). */
  tools?: Readonly<Record<string, ToolDefinition>>;
}

/** Reads and validates every agent under `dir`; throws an AgentDefinitionError listing each problem. */
export function loadAgents(dir?: string, options: LoadOptions = {}): AgentSet {
  return defineAgents(readAgentSources(dir ?? defaultAgentsDir()), options);
}

/** The files of every agent folder (a folder with `agent.json` or `instructions.md`) under `dir`. */
export function readAgentSources(dir: string): AgentSources {
  const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : undefined);
  const agents = readdirSync(dir)
    .filter((entry) => statSync(path.join(dir, entry)).isDirectory())
    .filter(
      (entry) =>
        existsSync(path.join(dir, entry, AGENT_FILE)) ||
        existsSync(path.join(dir, entry, INSTRUCTIONS_FILE)),
    )
    .sort()
    .map((key) => ({
      key,
      config: read(path.join(dir, key, AGENT_FILE)),
      instructions: read(path.join(dir, key, INSTRUCTIONS_FILE)),
    }));
  return { models: read(path.join(dir, MODELS_FILE)), agents };
}

/** Validates agent sources (files already read, e.g. bundled) into typed definitions. */
export function defineAgents(sources: AgentSources, options: LoadOptions = {}): AgentSet {
  const tools = options.tools ?? TOOLS;
  const problems: AgentProblem[] = [];
  const problem = (agent: string, field: string, message: string) =>
    problems.push({ agent, field, message });

  const models = parseModels(sources.models, problem);

  const parsed: { key: string; file: AgentFile; instructions: string }[] = [];
  if (sources.agents.length === 0) problem('agents', 'folders', 'no agent folder found');
  for (const source of sources.agents) {
    const agent = parseAgent(source, problem);
    if (agent) parsed.push(agent);
  }

  const keys = new Set(sources.agents.map((a) => a.key));
  const definitions = new Map<string, AgentDefinition>();
  for (const { key, file, instructions } of parsed) {
    const model = models?.get(file.model);
    if (models && !model) {
      problem(
        key,
        `${AGENT_FILE} model`,
        `unknown model "${file.model}"; ${MODELS_FILE} defines ${[...models.keys()].join(', ')}`,
      );
    }
    const actionGroups = resolveActionGroups(key, file, tools, problem);
    checkCollaborators(key, file, keys, problem);
    if (!model) continue;
    definitions.set(key, {
      key,
      displayName: file.displayName,
      description: file.description,
      instructions,
      model,
      idleSessionTtlSeconds: file.idleSessionTtlSeconds,
      actionGroups,
      knowledgeBase: file.knowledgeBase,
      collaboration: file.collaboration,
      collaborators: file.collaborators.map((c) => ({
        agentKey: c.agent,
        name: c.name,
        instruction: c.instruction,
        relayConversationHistory: c.relayConversationHistory,
      })),
    });
  }

  const ordered = problems.length === 0 ? orderAgents(definitions, problem) : [];
  const entries = ordered.filter(
    (agent) => !ordered.some((other) => other.collaborators.some((c) => c.agentKey === agent.key)),
  );
  if (problems.length === 0 && entries.length !== 1) {
    problem(
      'agents',
      'collaborators',
      `exactly one agent must be called by no other (the entry agent); found ${entries.map((a) => a.key).join(', ')}`,
    );
  }
  if (problems.length > 0) throw new AgentDefinitionError(problems);

  const used = new Map(ordered.map((a) => [a.model.key, a.model]));
  return {
    agents: ordered,
    entry: entries[0]!,
    models: [...used.values()],
    get(key) {
      const agent = definitions.get(key);
      if (!agent) throw new Error(`Unknown agent "${key}"`);
      return agent;
    },
  };
}

type Report = (agent: string, field: string, message: string) => void;

const fieldOf = (file: string, issue: z.core.$ZodIssue) => {
  const pathText = issue.path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
  return pathText ? `${file} ${pathText}` : file;
};

const parseJson = (text: string): { ok: true; value: unknown } | { ok: false; error: string } => {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
};

function parseModels(
  text: string | undefined,
  problem: Report,
): Map<string, ModelDefinition> | undefined {
  if (text === undefined) {
    problem(MODELS_FILE, MODELS_FILE, 'file is missing');
    return undefined;
  }
  const json = parseJson(text);
  if (!json.ok) {
    problem(MODELS_FILE, MODELS_FILE, `not valid JSON (${json.error})`);
    return undefined;
  }
  const result = modelsFileSchema.safeParse(json.value);
  if (!result.success) {
    for (const issue of result.error.issues) {
      problem(MODELS_FILE, fieldOf(MODELS_FILE, issue), issue.message);
    }
    return undefined;
  }
  const models: ModelsFile = result.data;
  return new Map(Object.entries(models).map(([key, m]) => [key, { key, ...m }]));
}

function parseAgent(
  source: AgentSource,
  problem: Report,
): { key: string; file: AgentFile; instructions: string } | undefined {
  const { key } = source;
  let ok = true;
  if (!AGENT_KEY_PATTERN.test(key)) {
    problem(key, 'folder name', 'must be lowercase snake case, e.g. deal_analysis_agent');
    ok = false;
  }

  const instructions = source.instructions?.trim();
  if (instructions === undefined) {
    problem(key, INSTRUCTIONS_FILE, 'file is missing');
    ok = false;
  } else if (instructions.length < LIMITS.instructionMin) {
    problem(
      key,
      INSTRUCTIONS_FILE,
      `must be at least ${LIMITS.instructionMin} characters (got ${instructions.length})`,
    );
    ok = false;
  } else if (instructions.length > LIMITS.instructionMax) {
    problem(
      key,
      INSTRUCTIONS_FILE,
      `must be at most ${LIMITS.instructionMax.toLocaleString('en-US')} characters (got ${instructions.length.toLocaleString('en-US')})`,
    );
    ok = false;
  }

  if (source.config === undefined) {
    problem(key, AGENT_FILE, 'file is missing');
    return undefined;
  }
  const json = parseJson(source.config);
  if (!json.ok) {
    problem(key, AGENT_FILE, `not valid JSON (${json.error})`);
    return undefined;
  }
  const result = agentFileSchema.safeParse(json.value);
  if (!result.success) {
    for (const issue of result.error.issues) {
      problem(key, fieldOf(AGENT_FILE, issue), issue.message);
    }
    return undefined;
  }
  return ok && instructions !== undefined ? { key, file: result.data, instructions } : undefined;
}

function resolveActionGroups(
  key: string,
  file: AgentFile,
  tools: Readonly<Record<string, ToolDefinition>>,
  problem: Report,
): ActionGroupDefinition[] {
  const groups: ActionGroupDefinition[] = [];
  const seen = new Set<string>();
  file.actionGroups.forEach((ref, i) => {
    const toolName = typeof ref === 'string' ? ref : ref.tool;
    const field = `${AGENT_FILE} actionGroups[${i}]`;
    const tool = tools[toolName];
    if (!tool) {
      problem(
        key,
        field,
        `unknown tool "${toolName}"; the catalogue has ${Object.keys(tools).join(', ')}`,
      );
      return;
    }
    if (seen.has(toolName)) {
      problem(key, field, `tool "${toolName}" is listed twice`);
      return;
    }
    seen.add(toolName);

    let functions = tool.functions;
    if (typeof ref !== 'string' && ref.functions) {
      const missing = ref.functions.filter((name) => !tool.functions.some((f) => f.name === name));
      if (missing.length > 0) {
        problem(
          key,
          `${field}.functions`,
          `tool "${toolName}" has no function ${missing.map((m) => `"${m}"`).join(', ')}; it has ${tool.functions.map((f) => f.name).join(', ')}`,
        );
        return;
      }
      functions = tool.functions.filter((f) => ref.functions?.includes(f.name));
    }
    const found = toolProblems(tool, functions);
    for (const [at, message] of found) problem(key, `${field} (${toolName}).${at}`, message);
    if (found.length === 0) {
      groups.push({ name: tool.name, description: tool.description, tool, functions });
    }
  });
  return groups;
}

/**
 * The catalogue is code, but Bedrock's limits still apply to what an agent is given: returns the
 * problems of offering `functions` of `tool` as one action group, as [field, message] pairs.
 */
function toolProblems(tool: ToolDefinition, functions: ToolFunction[]): [string, string][] {
  const found: [string, string][] = [];
  const within = (text: string, max: number) =>
    text.length > 0 && text.length <= max
      ? undefined
      : `must be 1-${max.toLocaleString('en-US')} characters (got ${text.length.toLocaleString('en-US')})`;
  if (!BEDROCK_NAME_PATTERN.test(tool.name)) found.push(['name', BEDROCK_NAME_RULE]);
  const description = within(tool.description, LIMITS.actionGroupDescriptionMax);
  if (description) found.push(['description', description]);
  if (functions.length === 0) found.push(['functions', 'must offer at least one function']);
  if (functions.length > LIMITS.functionsPerActionGroupMax)
    found.push([
      'functions',
      `must offer at most ${LIMITS.functionsPerActionGroupMax} functions per action group (got ${functions.length})`,
    ]);
  const names = new Set<string>();
  for (const fn of functions) {
    const at = `functions.${fn.name}`;
    if (!BEDROCK_NAME_PATTERN.test(fn.name)) found.push([`${at}.name`, BEDROCK_NAME_RULE]);
    if (names.has(fn.name)) found.push([at, 'function name is used twice']);
    names.add(fn.name);
    const fnDescription = within(fn.description, LIMITS.functionDescriptionMax);
    if (fnDescription) found.push([`${at}.description`, fnDescription]);
    for (const [param, detail] of Object.entries(fn.parameters)) {
      if (!BEDROCK_NAME_PATTERN.test(param))
        found.push([`${at}.parameters.${param}`, BEDROCK_NAME_RULE]);
      const paramDescription = within(detail.description, LIMITS.parameterDescriptionMax);
      if (paramDescription) found.push([`${at}.parameters.${param}.description`, paramDescription]);
    }
  }
  return found;
}

function checkCollaborators(
  key: string,
  file: AgentFile,
  keys: ReadonlySet<string>,
  problem: Report,
): void {
  const names = new Set<string>();
  const agents = new Set<string>();
  file.collaborators.forEach((c, i) => {
    const field = `${AGENT_FILE} collaborators[${i}]`;
    if (c.agent === key) problem(key, `${field}.agent`, 'an agent cannot collaborate with itself');
    else if (!keys.has(c.agent))
      problem(
        key,
        `${field}.agent`,
        `unknown agent "${c.agent}"; agents are ${[...keys].join(', ')}`,
      );
    if (agents.has(c.agent)) problem(key, `${field}.agent`, `"${c.agent}" is listed twice`);
    if (names.has(c.name)) problem(key, `${field}.name`, `name "${c.name}" is used twice`);
    agents.add(c.agent);
    names.add(c.name);
  });
  if (file.collaboration === 'DISABLED' && file.collaborators.length > 0) {
    problem(
      key,
      `${AGENT_FILE} collaboration`,
      'must be SUPERVISOR or SUPERVISOR_ROUTER for an agent with collaborators',
    );
  }
  if (file.collaboration !== 'DISABLED' && file.collaborators.length === 0) {
    problem(key, `${AGENT_FILE} collaborators`, `a ${file.collaboration} needs at least one`);
  }
}

/** Collaborators before their supervisors; reports a cycle instead of looping. */
function orderAgents(
  definitions: ReadonlyMap<string, AgentDefinition>,
  problem: Report,
): AgentDefinition[] {
  const ordered: AgentDefinition[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (agent: AgentDefinition, trail: string[]): boolean => {
    const seen = state.get(agent.key);
    if (seen === 'done') return true;
    if (seen === 'visiting') {
      problem(
        agent.key,
        `${AGENT_FILE} collaborators`,
        `collaboration cycle: ${[...trail, agent.key].join(' → ')}`,
      );
      return false;
    }
    state.set(agent.key, 'visiting');
    for (const c of agent.collaborators) {
      const collaborator = definitions.get(c.agentKey);
      if (collaborator && !visit(collaborator, [...trail, agent.key])) return false;
    }
    state.set(agent.key, 'done');
    ordered.push(agent);
    return true;
  };
  for (const agent of [...definitions.values()].sort((a, b) => a.key.localeCompare(b.key))) {
    if (!visit(agent, [])) break;
  }
  return ordered;
}
