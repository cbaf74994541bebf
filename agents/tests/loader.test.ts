import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentDefinitionError } from '../src/errors';
import { type AgentSources, defineAgents, loadAgents, readAgentSources } from '../src/loader';
import { TOOLS, type ToolDefinition } from '../src/tools';

const real = readAgentSources(path.resolve(import.meta.dirname, '..'));

/** A deep copy of the real sources with `agent.json` of `key` edited. */
function withConfig(key: string, edit: (config: Record<string, unknown>) => void): AgentSources {
  const copy = structuredClone(real);
  const source = copy.agents.find((a) => a.key === key);
  if (!source?.config) throw new Error(`no agent ${key}`);
  const config = JSON.parse(source.config) as Record<string, unknown>;
  edit(config);
  source.config = JSON.stringify(config);
  return copy;
}

function withSource(key: string, edit: (source: AgentSources['agents'][number]) => void) {
  const copy = structuredClone(real);
  const source = copy.agents.find((a) => a.key === key);
  if (!source) throw new Error(`no agent ${key}`);
  edit(source);
  return copy;
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AgentDefinitionError);
    return (error as AgentDefinitionError).problems.map(
      (p) => `${p.agent}: ${p.field}: ${p.message}`,
    );
  }
  throw new Error('expected the definitions to be rejected');
}

type Collaborator = { agent: string; name: string; instruction: string };
const collaborators = (config: Record<string, unknown>) => config.collaborators as Collaborator[];

describe('loadAgents on the repository', () => {
  const agents = loadAgents();

  it('loads the six agents with the Manager as the only entry agent', () => {
    expect(agents.agents.map((a) => a.key).sort()).toEqual([
      'data_agent',
      'deal_analysis_agent',
      'execution_agent',
      'lead_analysis_agent',
      'manager_agent',
      'web_search_agent',
    ]);
    expect(agents.entry.key).toBe('manager_agent');
    expect(agents.entry.collaboration).toBe('SUPERVISOR');
    // Collaborators come before the supervisor that calls them.
    expect(agents.agents.at(-1)?.key).toBe('manager_agent');
  });

  it('gives the Manager its five collaborators and no tools', () => {
    const manager = agents.get('manager_agent');
    expect(manager.actionGroups).toEqual([]);
    expect(manager.collaborators.map((c) => [c.agentKey, c.name])).toEqual([
      ['deal_analysis_agent', 'DealAnalysisAgent'],
      ['lead_analysis_agent', 'LeadAnalysisAgent'],
      ['data_agent', 'DataAgent'],
      ['web_search_agent', 'WebSearchAgent'],
      ['execution_agent', 'ExecutionAgent'],
    ]);
    for (const c of manager.collaborators) {
      expect(c.instruction.length).toBeGreaterThan(100);
      expect(c.instruction.length).toBeLessThanOrEqual(4000);
    }
  });

  it('resolves each agent’s action groups to the tools of the catalogue', () => {
    const groups = (key: string) => agents.get(key).actionGroups.map((g) => g.name);
    expect(groups('data_agent')).toEqual(['firebolt_query', 'gong_retrieval']);
    expect(groups('deal_analysis_agent')).toEqual(['firebolt_query', 'gong_retrieval']);
    expect(groups('lead_analysis_agent')).toEqual(['firebolt_query', 'web_search']);
    expect(groups('web_search_agent')).toEqual(['web_search']);
    expect(groups('execution_agent')).toEqual(['webhook_executor', 'firebolt_writer']);
    expect(agents.get('data_agent').actionGroups[1]?.functions).toBe(
      TOOLS.gong_retrieval.functions,
    );
  });

  it('runs every agent on the one configured Claude inference profile', () => {
    expect(agents.models).toEqual([
      {
        key: 'default',
        inferenceProfileId: 'us.anthropic.claude-sonnet-4-6',
        foundationModelId: 'anthropic.claude-sonnet-4-6',
      },
    ]);
    for (const agent of agents.agents) expect(agent.model).toBe(agents.models[0]);
  });

  it('keeps every instruction substantial and within Bedrock’s 20,000 characters', () => {
    for (const agent of agents.agents) {
      expect(agent.instructions.length).toBeGreaterThan(2500);
      expect(agent.instructions.length).toBeLessThanOrEqual(20_000);
    }
  });

  it('throws for an unknown agent key', () => {
    expect(() => agents.get('sales_agent')).toThrow('Unknown agent "sales_agent"');
  });
});

describe('agent definition validation', () => {
  it('rejects instructions shorter than 40 characters, naming the agent and file', () => {
    const sources = withSource('data_agent', (s) => {
      s.instructions = 'Answer data questions.';
    });
    expect(problemsOf(() => defineAgents(sources))).toEqual([
      'data_agent: instructions.md: must be at least 40 characters (got 22)',
    ]);
  });

  it('rejects instructions longer than 20,000 characters', () => {
    const sources = withSource('web_search_agent', (s) => {
      s.instructions = 'x'.repeat(20_001);
    });
    expect(problemsOf(() => defineAgents(sources))).toEqual([
      'web_search_agent: instructions.md: must be at most 20,000 characters (got 20,001)',
    ]);
  });

  it('rejects an agent folder without instructions.md', () => {
    const sources = withSource('execution_agent', (s) => {
      s.instructions = undefined;
    });
    expect(problemsOf(() => defineAgents(sources))).toEqual([
      'execution_agent: instructions.md: file is missing',
    ]);
  });

  it('rejects a collaboration instruction longer than 4,000 characters', () => {
    const sources = withConfig('manager_agent', (config) => {
      collaborators(config)[2]!.instruction = 'Send data questions. '.repeat(200);
    });
    expect(problemsOf(() => defineAgents(sources))).toEqual([
      'manager_agent: agent.json collaborators[2].instruction: must be at most 4,000 characters (got 4,199)',
    ]);
  });

  it('rejects more than ten collaborators', () => {
    const sources = withConfig('manager_agent', (config) => {
      const list = collaborators(config);
      while (list.length < 11) list.push({ ...list[0]!, name: `Extra${list.length}` });
    });
    expect(problemsOf(() => defineAgents(sources))).toEqual([
      "manager_agent: agent.json collaborators: must list at most 10 agents (Bedrock's limit per supervisor)",
    ]);
  });

  it('rejects an action group with more than eleven functions', () => {
    const base = TOOLS.web_search.functions[0]!;
    const wide: ToolDefinition = {
      ...TOOLS.web_search,
      functions: Array.from({ length: 12 }, (_, i) => ({ ...base, name: `search_${i}` })),
    };
    const sources = structuredClone(real);
    expect(
      problemsOf(() => defineAgents(sources, { tools: { ...TOOLS, web_search: wide } })),
    ).toEqual([
      'lead_analysis_agent: agent.json actionGroups[1] (web_search).functions: must offer at most 11 functions per action group (got 12)',
      'web_search_agent: agent.json actionGroups[0] (web_search).functions: must offer at most 11 functions per action group (got 12)',
    ]);
  });

  it('rejects function and parameter names Bedrock does not accept', () => {
    const bad: ToolDefinition = {
      ...TOOLS.web_search,
      functions: [
        {
          name: 'search web',
          description: 'Search.',
          parameters: { 'q--uery': { type: 'string', description: 'Query.', required: true } },
        },
      ],
    };
    const problems = problemsOf(() =>
      defineAgents(structuredClone(real), { tools: { ...TOOLS, web_search: bad } }),
    );
    expect(problems).toContain(
      'web_search_agent: agent.json actionGroups[0] (web_search).functions.search web.name: must be 1-100 letters or digits, each optionally followed by one "_" or "-"',
    );
    expect(problems).toContain(
      'web_search_agent: agent.json actionGroups[0] (web_search).functions.search web.parameters.q--uery: must be 1-100 letters or digits, each optionally followed by one "_" or "-"',
    );
  });

  it('rejects a collaborator name that breaks Bedrock’s name pattern', () => {
    const sources = withConfig('manager_agent', (config) => {
      collaborators(config)[0]!.name = 'Deal Analysis';
    });
    expect(problemsOf(() => defineAgents(sources))).toEqual([
      'manager_agent: agent.json collaborators[0].name: must be 1-100 letters or digits, each optionally followed by one "_" or "-"',
    ]);
  });

  it('rejects a reference to a tool that is not in the catalogue', () => {
    const sources = withConfig('data_agent', (config) => {
      config.actionGroups = ['firebolt_query', 'salesforce_query'];
    });
    expect(problemsOf(() => defineAgents(sources))).toEqual([
      'data_agent: agent.json actionGroups[1]: unknown tool "salesforce_query"; the catalogue has firebolt_query, firebolt_writer, gong_retrieval, web_search, webhook_executor',
    ]);
  });

  it('rejects a function subset naming a function the tool does not have', () => {
    const sources = withConfig('execution_agent', (config) => {
      config.actionGroups = [{ tool: 'webhook_executor', functions: ['send_sms'] }];
    });
    expect(problemsOf(() => defineAgents(sources))).toEqual([
      'execution_agent: agent.json actionGroups[0].functions: tool "webhook_executor" has no function "send_sms"; it has send_notification, trigger_webhook',
    ]);
  });

  it('offers only the listed functions when an action group names a subset', () => {
    const sources = withConfig('execution_agent', (config) => {
      config.actionGroups = [{ tool: 'webhook_executor', functions: ['send_notification'] }];
    });
    const group = defineAgents(sources).get('execution_agent').actionGroups[0];
    expect(group?.functions.map((f) => f.name)).toEqual(['send_notification']);
  });

  it('rejects a collaborator that is not an agent folder', () => {
    const sources = withConfig('manager_agent', (config) => {
      collaborators(config)[4]!.agent = 'crm_agent';
    });
    expect(problemsOf(() => defineAgents(sources))).toEqual([
      'manager_agent: agent.json collaborators[4].agent: unknown agent "crm_agent"; agents are data_agent, deal_analysis_agent, execution_agent, lead_analysis_agent, manager_agent, web_search_agent',
    ]);
  });

  it('rejects an agent listed as its own collaborator', () => {
    const sources = withConfig('manager_agent', (config) => {
      collaborators(config)[0]!.agent = 'manager_agent';
    });
    expect(problemsOf(() => defineAgents(sources))).toContain(
      'manager_agent: agent.json collaborators[0].agent: an agent cannot collaborate with itself',
    );
  });

  it('rejects a cycle of supervisors', () => {
    const sources = withConfig('data_agent', (config) => {
      config.collaboration = 'SUPERVISOR';
      config.collaborators = [
        {
          agent: 'manager_agent',
          name: 'Manager',
          instruction: 'Escalate.',
          relayConversationHistory: false,
        },
      ];
    });
    expect(problemsOf(() => defineAgents(sources))).toEqual([
      'data_agent: agent.json collaborators: collaboration cycle: data_agent → manager_agent → data_agent',
    ]);
  });

  it('rejects a second entry agent that no supervisor calls', () => {
    const sources = withConfig('manager_agent', (config) => {
      config.collaborators = collaborators(config).filter((c) => c.agent !== 'web_search_agent');
    });
    expect(problemsOf(() => defineAgents(sources))).toEqual([
      'agents: collaborators: exactly one agent must be called by no other (the entry agent); found manager_agent, web_search_agent',
    ]);
  });

  it('rejects collaborators on an agent whose collaboration is disabled', () => {
    const sources = withConfig('manager_agent', (config) => {
      config.collaboration = 'DISABLED';
    });
    expect(problemsOf(() => defineAgents(sources))).toEqual([
      'manager_agent: agent.json collaboration: must be SUPERVISOR or SUPERVISOR_ROUTER for an agent with collaborators',
    ]);
  });

  it('rejects a model key missing from models.json', () => {
    const sources = withConfig('lead_analysis_agent', (config) => {
      config.model = 'fast';
    });
    expect(problemsOf(() => defineAgents(sources))).toEqual([
      'lead_analysis_agent: agent.json model: unknown model "fast"; models.json defines default',
    ]);
  });

  it('rejects an inference profile that does not route to the named foundation model', () => {
    const sources = structuredClone(real);
    sources.models = JSON.stringify({
      default: {
        inferenceProfileId: 'us.anthropic.claude-sonnet-4-6',
        foundationModelId: 'anthropic.claude-opus-4-6-v1',
      },
    });
    expect(problemsOf(() => defineAgents(sources))).toEqual([
      'models.json: models.json default.foundationModelId: must be the model the inference profile routes to ("anthropic.claude-sonnet-4-6")',
    ]);
  });

  it('rejects an inference profile without a geography prefix', () => {
    const sources = structuredClone(real);
    sources.models = JSON.stringify({
      default: { inferenceProfileId: 'mars.anthropic.x', foundationModelId: 'anthropic.x' },
    });
    expect(problemsOf(() => defineAgents(sources))).toEqual([
      'models.json: models.json default.inferenceProfileId: must start with one of us, us-gov, eu, apac, jp, au, ca, global (got "mars")',
    ]);
  });

  it('rejects an agent.json that is not JSON', () => {
    const sources = withSource('data_agent', (s) => {
      s.config = '{ "displayName": "Data", }';
    });
    const [only, ...rest] = problemsOf(() => defineAgents(sources));
    expect(rest).toEqual([]);
    expect(only).toMatch(/^data_agent: agent\.json: not valid JSON \(.+\)$/);
  });

  it('rejects unknown fields, a wrong type and a description over 200 characters', () => {
    const sources = withConfig('deal_analysis_agent', (config) => {
      config.temperature = 0.2;
      config.idleSessionTtlSeconds = '1800';
      config.description = 'Deals. '.repeat(40);
    });
    expect(problemsOf(() => defineAgents(sources)).sort()).toEqual([
      'deal_analysis_agent: agent.json description: must be at most 200 characters (got 279)',
      'deal_analysis_agent: agent.json idleSessionTtlSeconds: Invalid input: expected number, received string',
      'deal_analysis_agent: agent.json: Unrecognized key: "temperature"',
    ]);
  });

  it('rejects an idle session TTL outside 60..5,400 seconds', () => {
    const sources = withConfig('data_agent', (config) => {
      config.idleSessionTtlSeconds = 7200;
    });
    expect(problemsOf(() => defineAgents(sources))).toEqual([
      'data_agent: agent.json idleSessionTtlSeconds: must be at most 5,400 seconds',
    ]);
  });

  it('reports every problem of every agent in one error', () => {
    const sources = withConfig('manager_agent', (config) => {
      collaborators(config)[0]!.name = 'bad name';
    });
    const data = sources.agents.find((a) => a.key === 'data_agent')!;
    data.instructions = 'short';
    let message = '';
    try {
      defineAgents(sources);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('Invalid agent definitions (2 problems):');
    expect(message).toContain('- data_agent: instructions.md: must be at least 40 characters');
    expect(message).toContain('- manager_agent: agent.json collaborators[0].name:');
  });
});

describe('loadAgents on a folder', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const folder = (files: Record<string, string>) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'revbot-agents-'));
    dirs.push(dir);
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    return dir;
  };
  const instructions = 'Answer questions about the pipeline with figures and periods.';

  it('loads a single agent from its own folder', () => {
    const dir = folder({
      'models.json': JSON.stringify({
        default: {
          inferenceProfileId: 'eu.anthropic.claude-sonnet-4-6',
          foundationModelId: 'anthropic.claude-sonnet-4-6',
        },
      }),
      'solo_agent/agent.json': JSON.stringify({
        displayName: 'Solo',
        description: 'Answers everything.',
        model: 'default',
        idleSessionTtlSeconds: 600,
      }),
      'solo_agent/instructions.md': instructions,
      'notes/README.txt': 'not an agent',
    });
    const set = loadAgents(dir);
    expect(set.entry).toMatchObject({
      key: 'solo_agent',
      instructions,
      actionGroups: [],
      knowledgeBase: null,
      collaboration: 'DISABLED',
      collaborators: [],
      model: { inferenceProfileId: 'eu.anthropic.claude-sonnet-4-6' },
    });
  });

  it('reports a missing models.json, agent.json and a folder name that is not snake case', () => {
    const dir = folder({ 'Solo-Agent/instructions.md': instructions });
    expect(problemsOf(() => loadAgents(dir))).toEqual([
      'models.json: models.json: file is missing',
      'Solo-Agent: folder name: must be lowercase snake case, e.g. deal_analysis_agent',
      'Solo-Agent: agent.json: file is missing',
    ]);
  });
});
