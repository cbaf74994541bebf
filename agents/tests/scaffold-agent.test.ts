import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentDefinitionError } from '../src/errors';
import { defineAgents, loadAgents } from '../src/loader';
import { writeBundledAgentDefinitions } from '../src/runtime/agent-definitions';
import { scaffoldAgent } from '../src/scaffold-agent';

const repoAgents = path.resolve(import.meta.dirname, '..');

describe('scaffoldAgent', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'revbot-scaffold-'));
    cpSync(path.join(repoAgents, 'models.json'), path.join(dir, 'models.json'));
    for (const entry of readdirSync(repoAgents).filter((e) => e.endsWith('_agent'))) {
      cpSync(path.join(repoAgents, entry), path.join(dir, entry), { recursive: true });
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes an agent the loader accepts and the bundled copy carries', () => {
    const result = scaffoldAgent(dir, { key: 'renewals_agent', tools: ['firebolt_query'] });
    expect(result.written).toEqual([
      'renewals_agent/agent.json',
      'renewals_agent/instructions.md',
      'manager_agent/agent.json',
    ]);
    const agent = loadAgents(dir).get('renewals_agent');
    expect(agent.displayName).toBe('Renewals');
    expect(agent.model.key).toBe('default');
    expect(agent.instructions.length).toBeGreaterThanOrEqual(40);

    const bundle = path.join(dir, 'agent-definitions.json');
    writeBundledAgentDefinitions(dir, bundle);
    const bundled = defineAgents(JSON.parse(readFileSync(bundle, 'utf8')));
    expect(bundled.agents.map((a) => a.key)).toContain('renewals_agent');
    expect(bundled.entry.collaborators.at(-1)).toMatchObject({
      agentKey: 'renewals_agent',
      name: 'RenewalsAgent',
    });
  });

  it("refuses an eleventh collaborator of the Manager, Bedrock's limit, writing nothing", () => {
    const file = path.join(dir, 'manager_agent/agent.json');
    const config = JSON.parse(readFileSync(file, 'utf8')) as { collaborators: object[] };
    for (const key of ['a_agent', 'b_agent', 'c_agent', 'd_agent', 'e_agent']) {
      cpSync(path.join(dir, 'web_search_agent'), path.join(dir, key), { recursive: true });
      config.collaborators.push({
        agent: key,
        name: key.replace('_', ''),
        instruction: `Send ${key} questions here.`,
        relayConversationHistory: false,
      });
    }
    writeFileSync(file, JSON.stringify(config));
    expect(loadAgents(dir).entry.collaborators).toHaveLength(10);

    let error: unknown;
    try {
      scaffoldAgent(dir, { key: 'renewals_agent' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AgentDefinitionError);
    expect((error as AgentDefinitionError).problems[0]?.message).toMatch(
      /^already lists 10 collaborators, Bedrock's limit per supervisor/,
    );
    expect(readdirSync(dir)).not.toContain('renewals_agent');
  });
});
