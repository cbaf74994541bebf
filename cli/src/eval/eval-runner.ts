/**
 * Runs a golden set against any agent runtime and judges each answer: one session per case
 * (earlier turns first), the stream observed as the conversation record reads it, each fact's
 * expected value computed by its own SQL against the warehouse in use, then every check of
 * `case-checks.ts`. The runtime, the warehouse and the clock are injected, so the same runner
 * serves `revbot eval`, CI on the offline model and tests with a scripted runtime.
 */

import type { AgentRuntime, AgentStreamEvent } from '@revbot/agents';
import { loadAgents } from '@revbot/agents';
import { loadSqlPatterns, type SqlPattern } from '@revbot/agents/knowledge-base';
import type { Warehouse } from '@revbot/lambdas/warehouse';
import {
  checkBudget,
  checkFacts,
  checkFormat,
  checkGrounding,
  checkRouting,
  checkSafety,
  checkText,
  checkTools,
  type FactValues,
  type Failure,
} from './case-checks';
import type { GoldenCase } from './golden-set';
import { type ObservedRun, observeRun, type RunUsage } from './observed-run';

/** Runs a read-only query on the warehouse the runtime's tools use; rows keyed by column. */
export type WarehouseQuery = (sql: string) => Promise<Record<string, unknown>[]>;

/** The facts' query on a warehouse: up to 500 rows within 10 s, keyed by column. */
export function warehouseQuery(warehouse: Warehouse): WarehouseQuery {
  return async (sql) => {
    const result = await warehouse.query(sql, { maxRows: 500, timeoutMs: 10_000 });
    return result.rows.map((row) =>
      Object.fromEntries(result.columns.map((c, i) => [c, row[i] ?? null])),
    );
  };
}

export interface EvalOptions {
  runtime: AgentRuntime;
  cases: GoldenCase[];
  query: WarehouseQuery;
  /** The day the data is as of (YYYY-MM-DD): "as of" dates and day counts trace to it. */
  today?: string;
  patterns?: SqlPattern[];
  /** The agents' instructions, which no answer may repeat (default: loaded from `agents/`). */
  instructions?: string[];
  maxModelCalls?: number;
  maxLatencyMs?: number;
  onCase?: (done: number, total: number, result: CaseResult) => void;
  clock?: () => number;
  /** Session ids, one per case (default `eval-<n>-<case id>`). */
  sessionId?: (c: GoldenCase, index: number) => string;
}

export interface CaseResult {
  id: string;
  area: string;
  kind: GoldenCase['kind'];
  question: string;
  passed: boolean;
  /** Why it failed, one line each, prefixed by the check. */
  reasons: string[];
  failures: Failure[];
  answer: string;
  agents: string[];
  tools: string[];
  latencyMs: number;
  modelCalls: number;
  usage: RunUsage;
}

export interface EvalResult {
  runtime: string;
  total: number;
  passed: number;
  passRate: number;
  wallMs: number;
  cases: CaseResult[];
}

export const DEFAULT_MAX_MODEL_CALLS = 30;
export const DEFAULT_MAX_LATENCY_MS = 120_000;

async function collect(
  runtime: AgentRuntime,
  question: string,
  sessionId: string,
): Promise<{ events: AgentStreamEvent[]; error?: string }> {
  const events: AgentStreamEvent[] = [];
  try {
    for await (const event of runtime.ask({ question, sessionId })) events.push(event);
    return { events };
  } catch (error) {
    return { events, error: (error as Error).message };
  }
}

/** `{{today}}`, `{{current_quarter}}`, `{{next_quarter}}`, `{{last_quarter}}` in a fact's SQL. */
export function factSql(sql: string, today: string): string {
  const [year, month] = today.split('-').map(Number) as [number, number];
  const index = year * 4 + Math.floor((month - 1) / 3);
  const quarter = (i: number) => `${Math.floor(i / 4)}-Q${(i % 4) + 1}`;
  const values: Record<string, string> = {
    today,
    current_quarter: quarter(index),
    next_quarter: quarter(index + 1),
    last_quarter: quarter(index - 1),
  };
  return sql.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (all, name: string) => values[name] ?? all);
}

async function factValues(
  c: GoldenCase,
  query: WarehouseQuery,
  today: string,
): Promise<FactValues[]> {
  return Promise.all(
    c.expect.facts.map(async (fact) => {
      try {
        const rows = await query(factSql(fact.sql, today));
        const picked = fact.rows === 'all' ? rows : rows.slice(0, 1);
        return { fact, values: picked.map((r) => r[fact.column]) };
      } catch (error) {
        return { fact, values: [], error: (error as Error).message };
      }
    }),
  );
}

export async function runEval(options: EvalOptions): Promise<EvalResult> {
  const clock = options.clock ?? (() => performance.now());
  const patterns = options.patterns ?? loadSqlPatterns();
  const instructions = options.instructions ?? loadAgents().agents.map((a) => a.instructions);
  const budget = {
    maxModelCalls: options.maxModelCalls ?? DEFAULT_MAX_MODEL_CALLS,
    maxLatencyMs: options.maxLatencyMs ?? DEFAULT_MAX_LATENCY_MS,
  };
  const started = clock();
  const results: CaseResult[] = [];
  for (const [index, c] of options.cases.entries()) {
    const sessionId = options.sessionId?.(c, index) ?? `eval-${index + 1}-${c.id}`;
    for (const turn of c.before) await collect(options.runtime, turn, sessionId);
    const askedAt = clock();
    const { events, error } = await collect(options.runtime, c.question, sessionId);
    const latencyMs = clock() - askedAt;
    const run = observeRun(events, c.question, patterns, error);
    const facts = await factValues(
      c,
      options.query,
      options.today ?? new Date().toISOString().slice(0, 10),
    );
    const result = judge(c, run, facts, latencyMs, instructions, budget, options.today);
    results.push(result);
    options.onCase?.(results.length, options.cases.length, result);
  }
  const passed = results.filter((r) => r.passed).length;
  return {
    runtime: options.runtime.name,
    total: results.length,
    passed,
    passRate: results.length > 0 ? passed / results.length : 0,
    wallMs: clock() - started,
    cases: results,
  };
}

/** Every check of one case against its observed run. */
export function judge(
  c: GoldenCase,
  run: ObservedRun,
  facts: FactValues[],
  latencyMs: number,
  instructions: readonly string[],
  budget: { maxModelCalls: number; maxLatencyMs: number },
  today?: string,
): CaseResult {
  const e = c.expect;
  const failures: Failure[] = [
    ...(run.failed ? [{ check: 'run' as const, reason: `the runtime failed: ${run.failed}` }] : []),
    ...(run.answer ? [] : [{ check: 'run' as const, reason: 'no answer' }]),
    ...checkRouting(e, run),
    ...checkTools(e, run),
    ...checkFacts(facts, run),
    ...checkText(e, run.answer),
    ...(e.grounded ? checkGrounding(run, today) : []),
    ...(e.format ? checkFormat(run.answer, e.maxWords) : []),
    ...checkSafety(e, run, instructions),
    ...checkBudget(e, run, latencyMs, budget),
  ];
  return {
    id: c.id,
    area: c.area,
    kind: c.kind,
    question: c.question,
    passed: failures.length === 0,
    reasons: failures.map((f) => `${f.check}: ${f.reason}`),
    failures,
    answer: run.answer,
    agents: run.agents,
    tools: run.toolCalls.map((t) => t.pattern ?? t.function),
    latencyMs,
    modelCalls: run.modelCalls,
    usage: run.usage,
  };
}
