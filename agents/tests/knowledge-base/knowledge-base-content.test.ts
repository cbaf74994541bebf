/**
 * The business rules the agents retrieve must agree with the warehouse schema they query:
 * stage names and probabilities, lead grade bands, and the files the instructions point to.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAgents } from '../../src/loader';

const KB = path.resolve(import.meta.dirname, '../../../knowledge_base');
const read = (file: string) => readFileSync(path.join(KB, file), 'utf8');

/** Rows of the first Markdown table under `heading` (cells trimmed, header and rule dropped). */
function tableAfter(markdown: string, heading: string): string[][] {
  const start = markdown.indexOf(heading);
  expect(start, `heading "${heading}"`).toBeGreaterThanOrEqual(0);
  const lines = markdown.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

describe('business rules in the knowledge base', () => {
  it('defines the same stages and probabilities as the opportunities table', () => {
    const stages = tableAfter(read('business_logic/stages_and_probabilities.md'), '## Stages').map(
      ([stage, probability]) => `${stage} ${probability?.replace('%', '')}`,
    );
    const schema = read('firebolt_schema/opportunities.md');
    const documented = /`stage` and `probability` move together: ([^.]+)\./s
      .exec(schema)?.[1]
      ?.replace(/\s+/g, ' ')
      .split(', ');
    expect(stages).toEqual(documented);
  });

  it('grades lead scores with the bands the lead_scores table documents', () => {
    const bands = tableAfter(
      read('business_logic/icp_definition.md'),
      '## Total, grade and action',
    ).map(([score, grade]) => `${grade} ${score}`);
    expect(bands).toEqual(['A 80-100', 'B 60-79', 'C 40-59', 'D 0-39']);
    expect(read('firebolt_schema/lead_scores.md')).toContain(
      '`A` (80-100), `B` (60-79), `C` (40-59) or `D` (below 40)',
    );
  });

  it('adds the ICP worked example up to the score and grade it states', () => {
    const icp = read('business_logic/icp_definition.md');
    const example = icp.slice(icp.indexOf('## Worked example'), icp.indexOf('## Engagement'));
    const sections = [...example.matchAll(/→ \w+ (\d+)/g)].map((m) => Number(m[1]));
    expect(sections).toEqual([28, 25, 11, 25]);
    const parts = [...example.matchAll(/\((\d+)(?: \+ (\d+))?(?: \+ (\d+))?\)/g)].flatMap((m) =>
      m.slice(1).filter(Boolean).map(Number),
    );
    expect(parts.reduce((a, b) => a + b, 0)).toBe(89);
    expect(example).toContain('Total 89, grade A');
  });

  it('states churn-risk and expansion score ranges that the signal weights add up to', () => {
    const rules = read('business_logic/churn_and_expansion_rules.md');
    const total = (heading: string) =>
      tableAfter(rules, heading).reduce((sum, row) => sum + Number(row.at(-1)), 0);
    expect(rules).toContain(`(0-${total('## Churn-risk signals')})`);
    expect(rules).toContain(`(0-${total('## Expansion signals')})`);
    expect(total('## Churn-risk signals')).toBe(21);
  });

  it('has every knowledge-base folder the agents are told to look in', () => {
    const text = loadAgents()
      .agents.map((a) => a.instructions)
      .join('\n');
    const folders = new Set([...text.matchAll(/`([a-z_]+)\/`/g)].map((m) => m[1]!));
    expect([...folders].sort()).toEqual([
      'business_logic',
      'firebolt_schema',
      'sql_patterns',
      'workflows',
    ]);
    for (const folder of ['business_logic', 'firebolt_schema', 'workflows']) {
      expect(existsSync(path.join(KB, folder)), folder).toBe(true);
    }
  });
});
