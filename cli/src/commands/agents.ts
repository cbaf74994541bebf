/**
 * `revbot agents list|show|check|new|rollback`: the agents of `agents/` as files to change safely.
 * `check` names every problem the loader, Bedrock and the collaborator graph would reject, one
 * line each; `new` scaffolds an agent that loads and registers it with the Manager; `rollback`
 * points a deployed agent's alias back at its previous version.
 */

import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  type AgentDefinition,
  AgentDefinitionError,
  type AgentProblem,
  type AgentSet,
  checkAgentsDir,
  collaboratorNameOf,
  defaultAgentsDir,
  INSTRUCTIONS_FILE,
  LIMITS,
  loadAgents,
  scaffoldAgent,
  TOOLS,
} from '@revbot/agents';
import { writeBundledAgentDefinitions } from '@revbot/agents/runtime';
import type { Command, CommandIo } from '../command';
import { OpsError, UsageError } from '../errors';
import { goldenFileSchema } from '../eval/golden-set';
import { rollbackAgentAlias } from '../ops/agent-rollback';
import { COMMON_USAGE, parseCommandArgs } from '../ops/command-options';
import { plural, toJsonLine } from '../ops/format';
import { agentsFromOutputs } from '../ops/stack-outputs';
import { withStage } from '../ops/stage-context';

const OPTIONS = {
  dir: { type: 'string' },
  'display-name': { type: 'string' },
  description: { type: 'string' },
  tools: { type: 'string' },
  golden: { type: 'string' },
  to: { type: 'string' },
} as const;

/** Where `revbot eval` keeps its golden set, beside `agents/` (one JSON file per area). */
export const GOLDEN_SET_DIR = path.join('eval', 'golden');

const problemLine = (p: AgentProblem) => `${p.agent}: ${p.field}: ${p.message}`;

function load(dir: string): AgentSet {
  try {
    return loadAgents(dir);
  } catch (error) {
    if (error instanceof AgentDefinitionError) {
      throw new OpsError(
        `the agents in ${dir} do not load (${plural(error.problems.length, 'problem')}); run revbot agents check`,
      );
    }
    throw error;
  }
}

const toolsOf = (agent: AgentDefinition) =>
  agent.actionGroups.map((g) =>
    g.functions.length === g.tool.functions.length
      ? g.name
      : `${g.name}(${g.functions.map((f) => f.name).join(',')})`,
  );

function list(agents: AgentSet, io: CommandIo, json: boolean): number {
  const usedBy = (tool: string) =>
    agents.agents.filter((a) => a.actionGroups.some((g) => g.name === tool)).map((a) => a.key);
  if (json) {
    io.stdout.write(
      toJsonLine({
        entry: agents.entry.key,
        agents: agents.agents.map((a) => ({
          key: a.key,
          displayName: a.displayName,
          model: a.model.key,
          tools: toolsOf(a),
          knowledgeBase: a.knowledgeBase !== null,
          collaboration: a.collaboration,
          collaborators: a.collaborators.map((c) => ({ agent: c.agentKey, name: c.name })),
        })),
        models: agents.models,
        tools: Object.values(TOOLS).map((t) => ({
          name: t.name,
          lambdaDir: `lambdas/tools/${t.lambdaDir}`,
          functions: t.functions.map((f) => f.name),
          usedBy: usedBy(t.name),
        })),
      }),
    );
    return 0;
  }
  const rows = agents.agents.map((a) => [
    a.key === agents.entry.key ? `${a.key} (entry)` : a.key,
    a.displayName,
    a.model.key,
    toolsOf(a).join(', ') || '—',
    a.collaborators.map((c) => c.agentKey).join(', ') || '—',
  ]);
  const header = ['agent', 'name', 'model', 'tools', 'collaborators'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const row = (cells: string[]) =>
    `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}\n`;
  io.stdout.write(`Agents (${agents.agents.length})\n`);
  io.stdout.write(row(header));
  for (const r of rows) io.stdout.write(row(r));
  io.stdout.write('\nModels\n');
  for (const m of agents.models) io.stdout.write(`  ${m.key}  ${m.inferenceProfileId}\n`);
  io.stdout.write('\nTools\n');
  const width = Math.max(...Object.keys(TOOLS).map((n) => n.length));
  for (const tool of Object.values(TOOLS)) {
    const users = usedBy(tool.name);
    io.stdout.write(
      `  ${tool.name.padEnd(width)}  ${plural(tool.functions.length, 'function')}, lambdas/tools/${tool.lambdaDir}, used by ${users.join(', ') || 'no agent'}\n`,
    );
  }
  return 0;
}

function show(agents: AgentSet, key: string, io: CommandIo, json: boolean): number {
  const agent = agents.agents.find((a) => a.key === key);
  if (!agent) {
    throw new UsageError(
      `no agent "${key}"; agents are ${agents.agents.map((a) => a.key).join(', ')}`,
    );
  }
  const callers = agents.agents.filter((a) => a.collaborators.some((c) => c.agentKey === key));
  if (json) {
    io.stdout.write(
      toJsonLine({
        ...agent,
        actionGroups: agent.actionGroups.map((g) => ({
          tool: g.name,
          functions: g.functions.map((f) => f.name),
        })),
        calledBy: callers.map((a) => a.key),
      }),
    );
    return 0;
  }
  const lines = [
    `${agent.displayName} (${agent.key})${agent.key === agents.entry.key ? ', the entry agent' : ''}`,
    `  ${agent.description}`,
    `  model          ${agent.model.key}: ${agent.model.inferenceProfileId}`,
    `  instructions   agents/${agent.key}/${INSTRUCTIONS_FILE}, ${agent.instructions.length.toLocaleString('en-US')} of ${LIMITS.instructionMax.toLocaleString('en-US')} characters`,
    `  session TTL    ${agent.idleSessionTtlSeconds} s`,
    `  knowledge base ${agent.knowledgeBase ? agent.knowledgeBase.description : 'no access'}`,
    `  tools          ${toolsOf(agent).join(', ') || 'none'}`,
    `  called by      ${callers.map((a) => a.key).join(', ') || 'nobody (entry agent)'}`,
    `  collaboration  ${agent.collaboration}${agent.collaborators.length ? ` (${agent.collaborators.length} of ${LIMITS.collaboratorsMax})` : ''}`,
    ...agent.collaborators.map(
      (c) =>
        `    ${c.name} → ${c.agentKey}${c.relayConversationHistory ? ' (with history)' : ''}: ${c.instruction}`,
    ),
  ];
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function check(dir: string, io: CommandIo, json: boolean): number {
  const repositoryTools = path.join(path.dirname(defaultAgentsDir()), 'lambdas', 'tools');
  const problems = checkAgentsDir(dir, {
    lambdaToolsDir: existsSync(repositoryTools) ? repositoryTools : undefined,
  });
  if (json) {
    io.stdout.write(toJsonLine({ dir, ok: problems.length === 0, problems }));
  } else if (problems.length === 0) {
    io.stdout.write(
      `${dir}: every agent loads, within Bedrock's limits, all reachable from the entry agent\n`,
    );
  } else {
    for (const p of problems) io.stdout.write(`${problemLine(p)}\n`);
    io.stdout.write(`${plural(problems.length, 'problem')} in ${dir}\n`);
  }
  return problems.length === 0 ? 0 : 1;
}

function create(
  dir: string,
  key: string,
  values: Record<string, string | boolean | undefined>,
  io: CommandIo,
): number {
  const tools =
    typeof values.tools === 'string'
      ? values.tools
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean)
      : [];
  let result: ReturnType<typeof scaffoldAgent>;
  try {
    result = scaffoldAgent(dir, {
      key,
      displayName: values['display-name'] as string | undefined,
      description: values.description as string | undefined,
      tools,
    });
  } catch (error) {
    if (!(error instanceof AgentDefinitionError)) throw error;
    for (const p of error.problems) io.stderr.write(`${problemLine(p)}\n`);
    io.stderr.write(`revbot agents new: nothing written\n`);
    return 1;
  }
  for (const file of result.written) io.stdout.write(`wrote ${path.join(dir, file)}\n`);
  io.stdout.write(
    `registered ${key} as collaborator ${result.collaboratorName} of ${result.supervisor}\n`,
  );

  const golden =
    typeof values.golden === 'string'
      ? path.resolve(io.cwd, values.golden)
      : path.join(path.dirname(dir), GOLDEN_SET_DIR);
  if (existsSync(golden)) {
    // Golden-set files are named after their area, like `data.json` and `deals.json`.
    const starter = goldenFileSchema.parse(starterCases(key, result.collaboratorName));
    const file = path.join(golden, `${starter.area}.json`);
    if (existsSync(file)) {
      io.stdout.write(`${file} exists already: add a case for ${result.collaboratorName} to it\n`);
    } else {
      writeFileSync(file, `${JSON.stringify(starter, null, 2)}\n`);
      io.stdout.write(`wrote starter case ${file}\n`);
    }
  } else {
    io.stdout.write(`no golden set at ${golden}: no starter case added\n`);
  }

  if (path.resolve(dir) === path.resolve(defaultAgentsDir())) {
    io.stdout.write(`regenerated ${path.relative(io.cwd, writeBundledAgentDefinitions(dir))}\n`);
  } else {
    io.stdout.write("bundled agent definitions left as they are (not the repository's agents/)\n");
  }
  io.stdout.write(
    `next: write agents/${key}/${INSTRUCTIONS_FILE}, add ${result.collaboratorName} to ${result.supervisor}'s routing in its ${INSTRUCTIONS_FILE}, then revbot agents check\n`,
  );
  return 0;
}

/** A question the new agent should be routed, for `revbot eval` to grow from. */
/** The new agent's area of the golden set: one case to replace with a real question. */
function starterCases(key: string, collaboratorName: string) {
  return {
    area: key.replace(/_agent$/, '').replaceAll('_', '-'),
    description: `Questions ${collaboratorName} answers (a starter: replace the question and add the facts the answer must state).`,
    cases: [
      {
        id: `${key.replaceAll('_', '-')}-starter`,
        kind: 'documented',
        question: `Replace with a question only ${collaboratorName} should answer.`,
        expect: { agents: [collaboratorName] },
      },
    ],
  };
}

export const agentsCommand: Command = {
  name: 'agents',
  summary: 'list, check, scaffold and roll back the agents',
  usage: `usage: revbot agents <list|show NAME|check|new NAME|rollback NAME> [options]

  list                 every agent with its model, tools and collaborators; models; tools
  show NAME            one agent: description, model, instruction length, tools, who calls it
  check                every problem the loader, Bedrock and the collaborator graph reject
                       (orphans, cycles, unknown tools), one line each; exits 1 when any
  new NAME             scaffold agents/NAME/ (agent.json + instructions.md that load),
                       register it as a collaborator of the entry agent, add a starter case
                       to the golden set when ${GOLDEN_SET_DIR}/ exists, and regenerate the
                       bundled copy agents/src/runtime/agent-definitions.json
  rollback NAME        point the agent's alias of --stage at its previous version
                       (NAME: folder name like data_agent, or the output prefix DataAgent)

  --dir DIR            the agents folder (default: the repository's agents/)
  --display-name TEXT  new: human name (default from NAME)
  --description TEXT   new: what it answers, ≤ ${LIMITS.agentDescriptionMax} characters
  --tools a,b          new: catalogue tools it may call (agents/src/tools.ts)
  --golden DIR         new: the golden set folder (default ${GOLDEN_SET_DIR}/ beside agents/)
  --to VERSION         rollback: this version instead of the previous one
${COMMON_USAGE}`,
  async run(args, io) {
    const { values, positionals, common } = parseCommandArgs(args, OPTIONS, io.env);
    const [action, name, ...rest] = positionals;
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
    const dir = values.dir ? path.resolve(io.cwd, values.dir) : defaultAgentsDir();
    if (action !== 'rollback' && !existsSync(dir))
      throw new UsageError(`no agents folder at ${dir}`);
    const needName = () => {
      if (!name) throw new UsageError(`${action} needs the agent's name`);
      return name;
    };
    switch (action) {
      case 'list':
        return list(load(dir), io, common.json);
      case 'show':
        return show(load(dir), needName(), io, common.json);
      case 'check':
        return check(dir, io, common.json);
      case 'new':
        return create(dir, needName(), values, io);
      case 'rollback': {
        const wanted = needName();
        return withStage(common, io.env, async (context) => {
          const stack = await context.stack('agents');
          const deployed = agentsFromOutputs(stack.outputs);
          // Outputs are named after the folder in pascal case, as the supervisor names collaborators.
          const outputKey = wanted.includes('_') ? collaboratorNameOf(wanted) : wanted;
          const agent = deployed.find((a) => a.key === outputKey);
          if (!agent) {
            throw new OpsError(
              `${stack.name} has no agent ${wanted}; it has ${deployed.map((a) => a.key).join(', ') || 'none (converse runtime?)'}`,
            );
          }
          const result = await rollbackAgentAlias(context.clients.bedrockAgent, agent, {
            to: values.to,
          });
          if (common.json) {
            io.stdout.write(toJsonLine({ stage: context.stage, ...result }));
          } else {
            io.stdout.write(
              `${agent.key} (${agent.agentId}): alias ${result.aliasName} (${agent.aliasId}) moved from version ${result.from} to ${result.to}, now ${result.status}\n` +
                `the next cdk deploy that changes ${wanted} moves it to a new version again; revert the change in git to keep it rolled back\n`,
            );
          }
          return 0;
        });
      }
      default:
        throw new UsageError(
          action
            ? `unknown action "${action}"`
            : 'give an action: list, show, check, new or rollback',
        );
    }
  },
};
