/**
 * An evaluation's result in the three forms `revbot eval` writes: a terminal table, one JSON
 * object (`total`, `passed`, `cases` with `question`, `passed` and `reasons`) and a Markdown
 * report with the failures spelled out.
 */
import type { EvalResult } from './eval-runner';

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const clip = (text: string, max: number) =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

export function evalJson(result: EvalResult, threshold: number): string {
  return `${JSON.stringify(
    {
      runtime: result.runtime,
      total: result.total,
      passed: result.passed,
      pass_rate: Number(result.passRate.toFixed(4)),
      threshold,
      wall_ms: Math.round(result.wallMs),
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
    c.passed ? '' : clip(c.reasons[0] ?? '', 70),
  ]);
  const headers = ['', 'area', 'question', 'calls', 'latency', 'first failure'];
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
    '| Area | Passed | Total |',
    '| --- | --- | --- |',
    ...[...byArea.entries()].map(([area, e]) => `| ${area} | ${e.passed} | ${e.total} |`),
    '',
    '## Cases',
    '',
    '| Case | Question | Result | Agents | Model calls | Latency |',
    '| --- | --- | --- | --- | --- | --- |',
    ...result.cases.map(
      (c) =>
        `| ${c.id} | ${cell(c.question)} | ${c.passed ? 'pass' : '**fail**'} | ${c.agents.join(', ') || 'Manager'} | ${c.modelCalls} | ${Math.round(c.latencyMs)} ms |`,
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
