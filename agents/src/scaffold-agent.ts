/**
 * A new agent, ready to change: `agents/<key>/agent.json` and `instructions.md` that pass the
 * loader, and the collaborator entry in the entry agent (the Manager) so the new agent is called.
 * The whole new set is validated in memory first: when it would not load, nothing is written.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AgentDefinitionError } from './errors';
import {
  AGENT_FILE,
  type AgentSet,
  type AgentSources,
  defineAgents,
  INSTRUCTIONS_FILE,
  type LoadOptions,
  readAgentSources,
} from './loader';
import { AGENT_KEY_PATTERN, type AgentFile, LIMITS } from './schema';

export interface ScaffoldInput {
  /** Folder name, lowercase snake case, e.g. `forecast_agent`. */
  key: string;
  /** Default: the key in words without `agent`, e.g. `Forecast`. */
  displayName?: string;
  /** What it answers, one sentence (≤ 200 characters). */
  description?: string;
  /** Catalogue tools it may call. */
  tools?: string[];
}

export interface ScaffoldResult {
  /** Files written, relative to the agents folder. */
  written: string[];
  /** The entry agent the new one was registered with. */
  supervisor: string;
  /** The collaborator name the supervisor calls it by. */
  collaboratorName: string;
  agents: AgentSet;
}

/** `forecast_agent` → `ForecastAgent`, the name a supervisor calls a collaborator by. */
export const collaboratorNameOf = (key: string): string =>
  key
    .split('_')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');

const displayNameOf = (key: string): string =>
  key
    .split('_')
    .filter((part, i, parts) => !(part === 'agent' && i === parts.length - 1 && parts.length > 1))
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join(' ');

function starterInstructions(displayName: string, description: string, tools: string[]): string {
  const toolLines =
    tools.length > 0
      ? tools.map((tool) => `- \`${tool}\`: call it for facts; never invent a figure.`).join('\n')
      : '- None: answer from the request and the conversation you are given.';
  return `# RevBot ${displayName}

You are the ${displayName} specialist of RevBot, the revenue-operations assistant. The Manager
sends you requests within your scope: ${description}

## How you work

1. Restate the request in one line: what is asked, for which account, person or period.
2. Gather what you need with your tools; say which tool gave each fact.
3. Answer in short Markdown: the answer first, then the evidence, then open questions.

## Your tools

${toolLines}

## Rules

- Stay within your scope; when a request is outside it, say so and name what is missing.
- Never make up names, numbers or dates.
`;
}

/** Writes the new agent and registers it with the entry agent; AgentDefinitionError when it would not load. */
export function scaffoldAgent(
  dir: string,
  input: ScaffoldInput,
  options: LoadOptions = {},
): ScaffoldResult {
  const { key } = input;
  const problem = (field: string, message: string) =>
    new AgentDefinitionError([{ agent: key, field, message }]);
  if (!AGENT_KEY_PATTERN.test(key)) {
    throw problem('folder name', 'must be lowercase snake case, e.g. forecast_agent');
  }
  const sources = readAgentSources(dir);
  if (sources.agents.some((a) => a.key === key)) {
    throw problem('folder name', `agents/${key} already exists`);
  }
  // The current set must load: its entry agent is where the new one is registered.
  const current = defineAgents(sources, options);
  const supervisor = current.entry;
  if (supervisor.collaborators.length >= LIMITS.collaboratorsMax) {
    throw new AgentDefinitionError([
      {
        agent: supervisor.key,
        field: `${AGENT_FILE} collaborators`,
        message: `already lists ${LIMITS.collaboratorsMax} collaborators, Bedrock's limit per supervisor: group agents under a sub-supervisor first`,
      },
    ]);
  }

  const displayName = input.displayName ?? displayNameOf(key);
  const description =
    input.description ?? `Answers ${displayName.toLowerCase()} questions the Manager hands over.`;
  const tools = input.tools ?? [];
  const file: AgentFile = {
    displayName,
    description,
    model: supervisor.model.key,
    idleSessionTtlSeconds: 1800,
    actionGroups: tools,
    knowledgeBase: null,
    collaboration: 'DISABLED',
    collaborators: [],
  };
  const config = `${JSON.stringify(file, null, 2)}\n`;
  const instructions = starterInstructions(displayName, description, tools);

  const collaboratorName = collaboratorNameOf(key);
  const supervisorSource = sources.agents.find((a) => a.key === supervisor.key);
  const supervisorConfig = JSON.parse(supervisorSource?.config ?? '{}') as {
    collaborators?: unknown[];
  };
  supervisorConfig.collaborators = [
    ...(supervisorConfig.collaborators ?? []),
    {
      agent: key,
      name: collaboratorName,
      instruction: `Send ${displayName} requests here: ${description} State the account, person or period the request is about.`,
      relayConversationHistory: true,
    },
  ];
  const newSupervisorConfig = `${JSON.stringify(supervisorConfig, null, 2)}\n`;

  const next: AgentSources = {
    models: sources.models,
    agents: [
      ...sources.agents.map((a) =>
        a.key === supervisor.key ? { ...a, config: newSupervisorConfig } : a,
      ),
      { key, config, instructions },
    ].sort((a, b) => a.key.localeCompare(b.key)),
  };
  const agents = defineAgents(next, options);

  mkdirSync(path.join(dir, key));
  writeFileSync(path.join(dir, key, AGENT_FILE), config);
  writeFileSync(path.join(dir, key, INSTRUCTIONS_FILE), instructions);
  writeFileSync(path.join(dir, supervisor.key, AGENT_FILE), newSupervisorConfig);
  return {
    written: [
      `${key}/${AGENT_FILE}`,
      `${key}/${INSTRUCTIONS_FILE}`,
      `${supervisor.key}/${AGENT_FILE}`,
    ],
    supervisor: supervisor.key,
    collaboratorName,
    agents,
  };
}
