/**
 * An evaluation's result in the three forms `revbot eval` writes: a terminal table, one JSON
 * object (`total`, `passed`, `cases` with `question`, `passed` and `reasons`) and a Markdown
 * report with the failures spelled out.
 */
import type { EvalResult } from './eval-runner';
import { cacheShare, type RunUsage, sumUsage } from './observed-run';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const clip = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

/** The usage of a case or of the run in the JSON report's terms. */
function usageJson(usage: RunUsage) {
  const share = cacheShare(usage);
  return {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    cache_read_input_tokens: usage.cacheReadInputTokens,
    cache_write_input_tokens: usage.cacheWriteInputTokens,
    cache_share: share === null ? null : Number(share.toFixed(4)),
    estimated_cost_usd: usage.costUsd === null ? null : Number(usage.costUsd.toFixed(6)),
  };
}

const tokens = (u: RunUsage) =>
  `${u.inputTokens + u.cacheReadInputTokens + u.cacheWriteInputTokens}/${u.outputTokens}`;
const share = (u: RunUsage) => {
  const s = cacheShare(u);
  return s === null ? '-' : pct(s);
};
const cost = (u: RunUsage) => (u.costUsd === null ? 'unknown' : `$${u.costUsd.toFixed(4)}`);

/** Tokens, cache share and cost of the whole run, one line. */
export function usageLine(result: EvalResult): string {
  const total = sumUsage(result.cases.map((c) => c.usage));
  return `Tokens ${total.inputTokens + total.cacheReadInputTokens + total.cacheWriteInputTokens} in (${total.cacheReadInputTokens} cache read, ${total.cacheWriteInputTokens} cache write, cache share ${share(total)}), ${total.outputTokens} out; estimated cost ${cost(total)}`;
}

export function evalJson(result: EvalResult, threshold: number): string {
  return `${JSON.stringify(
    {
      runtime: result.runtime,
      total: result.total,
      passed: result.passed,
      pass_rate: Number(result.passRate.toFixed(4)),
      threshold,
      wall_ms: Math.round(result.wallMs),
      usage: usageJson(sumUsage(result.cases.map((c) => c.usage))),
      cases: result.cases.map((c) => ({
        id: c.id,
        area: c.area,
        kind: c.kind,
        question: c.question,
        passed: c.passed,
        reasons: c.reasons,
        agents: c.agents,
        tools: c.tools,
        latency_ms: Math.round(c.latencyMs),
        model_calls: c.modelCalls,
        usage: usageJson(c.usage),
      })),
    },
    null,
    2,
  )}\n`;
}

export function evalTable(result: EvalResult): string {
  const rows = result.cases.map((c) => [
    c.passed ? 'pass' : 'FAIL',
    c.area,
    clip(c.question, 56),
    String(c.modelCalls),
    `${Math.round(c.latencyMs)} ms`,
    tokens(c.usage),
    share(c.usage),
    cost(c.usage),
    c.passed ? '' : clip(c.reasons[0] ?? '', 70),
  ]);
  const headers = [
    '',
    'area',
    'question',
    'calls',
    'latency',
    'tokens in/out',
    'cached',
    'cost',
    'first failure',
  ];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    line(headers),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    summaryLine(result),
    usageLine(result),
  ].join('\n');
}

export function summaryLine(result: EvalResult): string {
  return `${result.passed}/${result.total} passed (${pct(result.passRate)}) on ${result.runtime} in ${(result.wallMs / 1000).toFixed(1)} s`;
}

export function evalMarkdown(result: EvalResult, threshold: number): string {
  const byArea = new Map<string, { total: number; passed: number }>();
  for (const c of result.cases) {
    const entry = byArea.get(c.area) ?? { total: 0, passed: 0 };
    entry.total++;
    if (c.passed) entry.passed++;
    byArea.set(c.area, entry);
  }
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const failed = result.cases.filter((c) => !c.passed);
  return [
    `# RevBot evaluation: ${result.runtime}`,
    '',
    `**${result.passed}/${result.total} cases passed (${pct(result.passRate)}); threshold ${pct(threshold)}: ${result.passRate >= threshold ? 'met' : 'NOT met'}.** Wall time ${(result.wallMs / 1000).toFixed(1)} s.`,
    '',
    `${usageLine(result)}.`,
    '',
    '| Area | Passed | Total |',
    '| --- | --- | --- |',
    ...[...byArea.entries()].map(([area, e]) => `| ${area} | ${e.passed} | ${e.total} |`),
    '',
    '## Cases',
    '',
    '| Case | Question | Result | Agents | Model calls | Latency | Tokens in/out | Cached | Cost |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...result.cases.map(
      (c) =>
        `| ${c.id} | ${cell(c.question)} | ${c.passed ? 'pass' : '**fail**'} | ${c.agents.join(', ') || 'Manager'} | ${c.modelCalls} | ${Math.round(c.latencyMs)} ms | ${tokens(c.usage)} | ${share(c.usage)} | ${cost(c.usage)} |`,
    ),
    ...(failed.length > 0
      ? [
          '',
          '## Failures',
          ...failed.flatMap((c) => [
            '',
            `### ${c.id}: ${c.question}`,
            '',
            ...c.reasons.map((r) => `- ${r}`),
            '',
            '<details><summary>Answer</summary>',
            '',
            c.answer,
            '',
            '</details>',
          ]),
        ]
      : []),
    '',
  ].join('\n');
}
