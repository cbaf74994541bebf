import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadAgents } from '@revbot/agents';
import { type FakeAgent, type FakeAws, startFakeAws } from '@revbot/testing/fake-aws';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bedrockAgentName } from '../../../infra/constructs/bedrock-agent';
import { newRevbotApp } from '../../../infra/lib/app';
import { loadConfig } from '../../../infra/lib/config';
import { AgentsStack } from '../../../infra/stacks/agents-stack';
import { loadGoldenSet } from '../../src/eval/golden-set';
import { deployHealthyStage } from '../support/deployed-stage';
import { runCli } from '../support/run-cli';

const repoAgents = path.resolve(import.meta.dirname, '../../../agents');

/** A copy of the repository's agent folders and models.json under `<root>/agents`. */
function copyAgents(root: string): string {
  const dir = path.join(root, 'agents');
  mkdirSync(dir);
  cpSync(path.join(repoAgents, 'models.json'), path.join(dir, 'models.json'));
  for (const entry of readdirSync(repoAgents)) {
    if (entry.endsWith('_agent'))
      cpSync(path.join(repoAgents, entry), path.join(dir, entry), { recursive: true });
  }
  return dir;
}

/** For each test of the calling `describe`: a fresh copy (`copyAgents`) in a new temporary root. */
function freshAgentsCopy(prefix: string): { root: string; dir: string } {
  const copy = { root: '', dir: '' };
  beforeEach(() => {
    copy.root = mkdtempSync(path.join(tmpdir(), prefix));
    copy.dir = copyAgents(copy.root);
  });
  afterEach(() => rmSync(copy.root, { recursive: true, force: true }));
  return copy;
}

const editConfig = (dir: string, key: string, edit: (config: Record<string, unknown>) => void) => {
  const file = path.join(dir, key, 'agent.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  edit(config);
  writeFileSync(file, JSON.stringify(config, null, 2));
};

const collaborator = (agent: string, name: string) => ({
  agent,
  name,
  instruction: `Send ${name} questions here.`,
  relayConversationHistory: false,
});

describe('revbot agents list and show', () => {
  it('lists the six agents with the Manager as entry, the model and every tool', async () => {
    const { code, out } = await runCli(['agents', 'list', '--json']);
    expect(code).toBe(0);
    const listed = JSON.parse(out) as {
      entry: string;
      agents: { key: string; tools: string[]; collaborators: { agent: string }[] }[];
      tools: { name: string; usedBy: string[] }[];
    };
    expect(listed.entry).toBe('manager_agent');
    expect(listed.agents.map((a) => a.key).sort()).toEqual([
      'data_agent',
      'deal_analysis_agent',
      'execution_agent',
      'lead_analysis_agent',
      'manager_agent',
      'web_search_agent',
    ]);
    expect(listed.agents.find((a) => a.key === 'manager_agent')?.collaborators).toHaveLength(5);
    expect(listed.tools.find((t) => t.name === 'firebolt_writer')?.usedBy).toEqual([
      'execution_agent',
    ]);
  });

  it('shows one agent with its instruction length and who calls it', async () => {
    const instructions = readFileSync(path.join(repoAgents, 'data_agent/instructions.md'), 'utf8');
    const { code, out } = await runCli(['agents', 'show', 'data_agent']);
    expect(code).toBe(0);
    expect(out).toContain(
      `${instructions.trim().length.toLocaleString('en-US')} of 20,000 characters`,
    );
    expect(out).toMatch(/called by\s+manager_agent/);
    expect(out).toMatch(/tools\s+firebolt_query, gong_retrieval/);
  });

  it('refuses an unknown agent with a usage error', async () => {
    const { code, err } = await runCli(['agents', 'show', 'ghost_agent']);
    expect(code).toBe(2);
    expect(err).toMatch(/no agent "ghost_agent"/);
  });
});

describe('revbot agents check', () => {
  const copy = freshAgentsCopy('revbot-agents-');

  it('passes the repository copy', async () => {
    const { code, out } = await runCli(['agents', 'check', '--dir', copy.dir]);
    expect(out).toMatch(/every agent loads/);
    expect(code).toBe(0);
  });

  it('names each problem of a broken copy once, one line each, and exits 1', async () => {
    writeFileSync(path.join(copy.dir, 'data_agent/instructions.md'), 'Too short to steer.');
    editConfig(copy.dir, 'web_search_agent', (c) => {
      c.actionGroups = ['web_search', 'crystal_ball'];
    });
    editConfig(copy.dir, 'manager_agent', (c) => {
      (c.collaborators as unknown[]).push(collaborator('ghost_agent', 'GhostAgent'));
    });
    // An agent nobody calls.
    cpSync(path.join(copy.dir, 'web_search_agent'), path.join(copy.dir, 'lonely_agent'), {
      recursive: true,
    });
    editConfig(copy.dir, 'lonely_agent', (c) => {
      c.actionGroups = ['web_search'];
    });
    // Deal and Lead analysis call each other.
    editConfig(copy.dir, 'deal_analysis_agent', (c) => {
      c.collaboration = 'SUPERVISOR';
      c.collaborators = [collaborator('lead_analysis_agent', 'LeadAnalysisAgent')];
    });
    editConfig(copy.dir, 'lead_analysis_agent', (c) => {
      c.collaboration = 'SUPERVISOR';
      c.collaborators = [collaborator('deal_analysis_agent', 'DealAnalysisAgent')];
    });

    const { code, out } = await runCli(['agents', 'check', '--dir', copy.dir]);
    expect(code).toBe(1);
    const lines = out.trim().split('\n');
    const count = (pattern: RegExp) => lines.filter((l) => pattern.test(l)).length;
    expect(count(/^data_agent: instructions\.md: must be at least 40 characters \(got 19\)$/)).toBe(
      1,
    );
    expect(
      count(/^web_search_agent: agent\.json actionGroups\[1\]: unknown tool "crystal_ball"/),
    ).toBe(1);
    expect(
      count(/^manager_agent: agent\.json collaborators\[5\]\.agent: unknown agent "ghost_agent"/),
    ).toBe(1);
    expect(count(/^lonely_agent: collaborators: orphan: no agent calls it/)).toBe(1);
    expect(
      count(
        /collaboration cycle: (deal_analysis_agent → lead_analysis_agent → deal_analysis_agent|lead_analysis_agent → deal_analysis_agent → lead_analysis_agent)$/,
      ),
    ).toBe(1);
    expect(count(/cycle/)).toBe(1);
    // Five problems, and the summary line.
    expect(lines).toHaveLength(6);
    expect(lines.at(-1)).toBe(`5 problems in ${copy.dir}`);
  });

  it('names a folder too long for the Bedrock agent name of every stage', async () => {
    // 74 + 5 = 79 letters: one more than `revops` and a 16-letter stage leave within 100.
    const key = `${'x'.repeat(74)}_agent`;
    cpSync(path.join(copy.dir, 'web_search_agent'), path.join(copy.dir, key), { recursive: true });
    editConfig(copy.dir, 'manager_agent', (c) => {
      (c.collaborators as unknown[]).push(collaborator(key, 'LongAgent'));
    });
    const { code, out } = await runCli(['agents', 'check', '--dir', copy.dir]);
    expect(code).toBe(1);
    expect(out.trim().split('\n')).toEqual([
      `${key}: folder name: must have at most 78 letters and digits (got 79), so the Bedrock agent name revops-<stage>-<name> fits Bedrock's pattern for every stage`,
      `1 problem in ${copy.dir}`,
    ]);
  });

  it('reports more collaborators than Bedrock allows a supervisor', async () => {
    editConfig(copy.dir, 'manager_agent', (c) => {
      const list = c.collaborators as unknown[];
      for (let i = 0; i < 6; i++) list.push(collaborator('data_agent', `Extra${i}`));
    });
    const { code, out } = await runCli(['agents', 'check', '--dir', copy.dir, '--json']);
    expect(code).toBe(1);
    const { problems } = JSON.parse(out) as { problems: { agent: string; message: string }[] };
    expect(problems).toEqual([
      {
        agent: 'manager_agent',
        field: 'agent.json collaborators',
        message: "must list at most 10 agents (Bedrock's limit per supervisor)",
      },
    ]);
  });

  it('reports a second entry agent', async () => {
    editConfig(copy.dir, 'execution_agent', (c) => {
      c.collaboration = 'SUPERVISOR';
      c.collaborators = [collaborator('data_agent', 'DataAgent')];
    });
    editConfig(copy.dir, 'manager_agent', (c) => {
      c.collaborators = (c.collaborators as { agent: string }[]).filter(
        (x) => x.agent !== 'execution_agent',
      );
    });
    const { code, out } = await runCli(['agents', 'check', '--dir', copy.dir]);
    expect(code).toBe(1);
    expect(out).toMatch(
      /^agents: collaborators: more than one entry agent \(agents nobody calls that call others\): execution_agent, manager_agent;/,
    );
    expect(out).toMatch(/\n1 problem in /);
  });
});

describe('revbot agents new', () => {
  const copy = freshAgentsCopy('revbot-agents-new-');

  it('scaffolds an agent that loads, is called by the Manager and answers offline', async () => {
    const created = await runCli([
      'agents',
      'new',
      'forecast_agent',
      '--dir',
      copy.dir,
      '--tools',
      'firebolt_query',
      '--description',
      'Forecasts bookings for a quarter from the open pipeline.',
    ]);
    expect(created.err).toBe('');
    expect(created.code).toBe(0);
    expect(created.out).toMatch(
      /registered forecast_agent as collaborator ForecastAgent of manager_agent/,
    );
    expect(created.out).toMatch(/no golden set at .*eval\/golden: no starter case added/);
    expect(existsSync(path.join(copy.root, 'eval'))).toBe(false);

    const agents = loadAgents(copy.dir);
    const forecast = agents.get('forecast_agent');
    expect(forecast.displayName).toBe('Forecast');
    expect(forecast.actionGroups.map((g) => g.name)).toEqual(['firebolt_query']);
    expect(agents.entry.key).toBe('manager_agent');
    expect(agents.entry.collaborators.map((c) => c.name)).toContain('ForecastAgent');

    const checked = await runCli(['agents', 'check', '--dir', copy.dir]);
    expect(checked.code).toBe(0);

    const dataDir = path.join(copy.root, 'data');
    const asked = await runCli(['ask', "What's the status of the IXIS deal?"], {
      env: { AGENTS_DIR: copy.dir, REVBOT_DATA_AS_OF: '2026-11-23', REVBOT_DATA_DIR: dataDir },
    });
    expect(asked.code).toBe(0);
    expect(asked.out).toMatch(/Negotiate \(75%\)/);
  }, 60_000);

  it('scaffolds an agent the CDK app deploys as a Bedrock agent the Manager supervises', async () => {
    const created = await runCli(['agents', 'new', 'forecast_agent', '--dir', copy.dir]);
    expect(created.code).toBe(0);
    // An empty bundling list makes NodejsFunction skip esbuild: the templates are the same.
    const app = newRevbotApp({ context: { stage: 'scaffold', 'aws:cdk:bundling-stacks': [] } });
    const stack = new AgentsStack(app, 'Agents', {
      config: loadConfig(app.node),
      definitions: loadAgents(copy.dir),
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Bedrock::Agent', 7);
    template.hasResourceProperties('AWS::Bedrock::Agent', {
      AgentName: bedrockAgentName('scaffold', 'forecast_agent'),
    });
    template.hasResourceProperties('AWS::Bedrock::Agent', {
      AgentName: bedrockAgentName('scaffold', 'manager_agent'),
      AgentCollaborators: Match.arrayWith([
        Match.objectLike({ CollaboratorName: 'ForecastAgent' }),
      ]),
    });
  }, 120_000);

  it('adds a starter case when the golden set exists', async () => {
    mkdirSync(path.join(copy.root, 'eval', 'golden'), { recursive: true });
    const { code } = await runCli(['agents', 'new', 'forecast_agent', '--dir', copy.dir]);
    expect(code).toBe(0);
    // The starter is a golden-set file revbot eval reads.
    const [starter] = loadGoldenSet(path.join(copy.root, 'eval/golden'), copy.dir);
    expect(starter?.area).toBe('forecast');
    expect(starter?.expect.agents).toEqual(['ForecastAgent']);
  });

  it('writes nothing for a name that exists or breaks the rules', async () => {
    const before = readFileSync(path.join(copy.dir, 'manager_agent/agent.json'), 'utf8');
    const taken = await runCli(['agents', 'new', 'data_agent', '--dir', copy.dir]);
    expect(taken.code).toBe(1);
    expect(taken.err).toMatch(/agents\/data_agent already exists/);
    const unknownTool = await runCli([
      'agents',
      'new',
      'x_agent',
      '--dir',
      copy.dir,
      '--tools',
      'magic',
    ]);
    expect(unknownTool.code).toBe(1);
    expect(unknownTool.err).toMatch(/x_agent: agent\.json actionGroups\[0\]: unknown tool "magic"/);
    expect(existsSync(path.join(copy.dir, 'x_agent'))).toBe(false);
    expect(readFileSync(path.join(copy.dir, 'manager_agent/agent.json'), 'utf8')).toBe(before);
  });
});

describe('revbot agents rollback', () => {
  let aws: FakeAws;
  beforeEach(async () => {
    aws = await startFakeAws();
    deployHealthyStage(aws);
  });
  afterEach(() => aws.close());

  it('points the alias at the previous version, keeping its name', async () => {
    const { code, out, err } = await runCli(
      ['agents', 'rollback', 'data_agent', '--stage', 'dev'],
      {
        env: aws.env(),
      },
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(
      /DataAgent \(DATAAGENT1\): alias live \(DATAALIAS1\) moved from version 2 to 1/,
    );
    expect((aws.state.agents.DATAAGENT1 as FakeAgent).aliases.DATAALIAS1?.version).toBe('1');
    const update = aws.calls.find((c) => c.action === 'UpdateAgentAlias')?.input as Record<
      string,
      unknown
    >;
    expect(update).toMatchObject({
      agentId: 'DATAAGENT1',
      aliasId: 'DATAALIAS1',
      agentAliasName: 'live',
      routingConfiguration: [{ agentVersion: '1' }],
    });
  });

  it('refuses when there is no earlier version, without updating', async () => {
    (aws.state.agents.MANAGER001 as FakeAgent).aliases.MANAGERAL1!.version = '1';
    const { code, err } = await runCli(['agents', 'rollback', 'ManagerAgent'], { env: aws.env() });
    expect(code).toBe(1);
    expect(err).toMatch(/ManagerAgent has no version before 1 \(versions: 1, 2\)/);
    expect(aws.calls.some((c) => c.action === 'UpdateAgentAlias')).toBe(false);
  });

  it('names the deployed agents when the name is unknown', async () => {
    const { code, err } = await runCli(['agents', 'rollback', 'ghost_agent'], { env: aws.env() });
    expect(code).toBe(1);
    expect(err).toMatch(
      /revops-dev-agents has no agent ghost_agent; it has DataAgent, DealAnalysisAgent/,
    );
  });
});
