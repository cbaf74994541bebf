/**
 * The golden set: the questions RevBot must keep answering right, kept as data in
 * `eval/golden/<area>.json` (one file per agent area) and read through one zod schema, so a typo
 * in a case stops the run with the file and the field instead of passing silently.
 *
 * A case states what a right answer looks like without copying today's output: the collaborators
 * that should answer, the tools and SQL patterns or tables they should use, and the facts the
 * answer must contain as SQL queries run at evaluation time against the warehouse in use.
 */

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadAgents } from '@revbot/agents';
import { ConfigError } from '@revbot/core';
import { z } from 'zod';

/** `eval/golden/` at the repository root. */
export const GOLDEN_SET_DIR = path.resolve(import.meta.dirname, '../../../eval/golden');

/** Tools that change something outside RevBot: each must be asked for. */
export const ACTION_TOOLS = ['send_notification', 'trigger_webhook', 'write_record'] as const;

export const factSchema = z
  .object({
    /** What the fact is, for the report ("IXIS deal ARR"). */
    name: z.string().min(1),
    /** A read-only query against the warehouse; the first row's `column` is the expected value. */
    sql: z.string().min(1),
    column: z.string().min(1),
    /** How the value should appear in the answer. */
    as: z.enum(['money', 'count', 'percent', 'text', 'date']),
    /** `all`: every row's value must appear (keep the query to a few rows). */
    rows: z.enum(['first', 'all']).default('first'),
  })
  .strict();
export type Fact = z.infer<typeof factSchema>;

/**
 * A tool expectation: a function name (`execute_query`, `research_company`, `send_notification`,
 * `knowledge_base`), `pattern:<sql-pattern-id>` or `table:<warehouse table>`.
 */
const toolExpectation = z
  .string()
  .regex(
    /^(pattern:[a-z0-9-]+|table:[a-z_]+|[a-z_]+)$/,
    'a function, pattern:<id> or table:<name>',
  );

export const expectationSchema = z
  .object({
    /** The collaborators that must answer, exactly (order aside); [] means the Manager alone. */
    /** Names as the entry agent's `agent.json` gives its collaborators (checked on load). */
    agents: z.array(z.string().min(1)).optional(),
    /** Tools, SQL patterns or tables that must be used. */
    tools: z.array(toolExpectation).default([]),
    /** Figures and names the answer must contain, computed at run time. */
    facts: z.array(factSchema).default([]),
    /** Regular expressions (case-insensitive) the answer must match. */
    includes: z.array(z.string()).default([]),
    /** Regular expressions (case-insensitive) the answer must not match. */
    excludes: z.array(z.string()).default([]),
    /** The request is out of scope: the answer must decline it and call no tool. */
    declined: z.boolean().default(false),
    /** Action tools the user asked for; any other action fails the case. */
    actions: z.array(z.enum(ACTION_TOOLS)).default([]),
    /** Check the Manager's answer rules (off for one-line clarifications and declines). */
    format: z.boolean().default(true),
    /** Longest answer, in words outside tables (the Manager's rule: a review fits in 350). */
    maxWords: z.number().int().positive().default(350),
    /** Check that every figure in the answer is traced to a tool result or passage. */
    grounded: z.boolean().default(true),
    maxModelCalls: z.number().int().positive().optional(),
    maxLatencyMs: z.number().int().positive().optional(),
  })
  .strict();
export type Expectation = z.infer<typeof expectationSchema>;

export const goldenCaseSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'kebab-case'),
    /** What the case is for: the documented question, a paraphrase, a follow-up… */
    kind: z.enum([
      'documented',
      'paraphrase',
      'multi-step',
      'follow-up',
      'clarification',
      'out-of-scope',
    ]),
    /** Earlier turns asked in the same session first (not checked). */
    before: z.array(z.string().min(1)).default([]),
    question: z.string().min(1),
    expect: expectationSchema,
  })
  .strict();
export type GoldenCase = z.infer<typeof goldenCaseSchema> & { area: string };

export const goldenFileSchema = z
  .object({
    area: z.string().min(1),
    description: z.string().min(1),
    cases: z.array(goldenCaseSchema).min(1),
  })
  .strict();

/**
 * Every case of every `*.json` file in `dir`, file by file; ids are unique across files, and
 * every expected agent is a collaborator of the entry agent of `agentsDir` (default `agents/`).
 */
export function loadGoldenSet(dir: string = GOLDEN_SET_DIR, agentsDir?: string): GoldenCase[] {
  const collaborators = new Set(loadAgents(agentsDir).entry.collaborators.map((c) => c.name));
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  if (files.length === 0) throw new ConfigError(`No golden set files (*.json) in ${dir}`);
  const cases: GoldenCase[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    } catch (error) {
      throw new ConfigError(`${file}: not valid JSON (${(error as Error).message})`);
    }
    const parsed = goldenFileSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ConfigError(`${file}: ${issue.path.join('.')}: ${issue.message}`);
    }
    for (const c of parsed.data.cases) {
      if (seen.has(c.id)) throw new ConfigError(`${file}: case id ${c.id} is used twice`);
      const unknown = c.expect.agents?.filter((name) => !collaborators.has(name)) ?? [];
      if (unknown.length > 0) {
        throw new ConfigError(
          `${file}: case ${c.id} expects ${unknown.join(', ')}, not a collaborator of the entry agent (${[...collaborators].join(', ')})`,
        );
      }
      seen.add(c.id);
      cases.push({ ...c, area: parsed.data.area });
    }
  }
  return cases;
}
