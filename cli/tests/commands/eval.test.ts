/** `revbot eval` as a user runs it: JSON on stdout, a Markdown report, exit codes by threshold. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli';

const env = { REVBOT_DATA_AS_OF: '2026-11-23' };
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'revbot-eval-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('revbot eval', () => {
  it('prints one JSON object with total, passed and each case, and writes a Markdown report', async () => {
    const report = path.join(dir, 'report.md');
    const { code, out } = await runCli(
      ['eval', '--area', 'out-of-scope', '--json', '--report', report],
      { env, cwd: dir },
    );
    expect(code).toBe(0);
    const result = JSON.parse(out) as {
      total: number;
      passed: number;
      cases: { question: string; passed: boolean; reasons: string[] }[];
    };
    expect(result.total).toBe(result.cases.length);
    expect(result.total).toBeGreaterThan(5);
    expect(result.passed).toBe(result.cases.filter((c) => c.passed).length);
    expect(result.cases[0]).toMatchObject({ question: expect.any(String), reasons: [] });
    expect(readFileSync(report, 'utf8')).toMatch(/^# RevBot evaluation: offline/);
  });

  it('exits 1 below the threshold and names the failing case', async () => {
    const golden = path.join(dir, 'golden');
    mkdirSync(golden, { recursive: true });
    writeFileSync(
      path.join(golden, 'wrong.json'),
      JSON.stringify({
        area: 'wrong',
        description: 'a case whose expected route is wrong on purpose',
        cases: [
          {
            id: 'pipeline-to-leads',
            kind: 'documented',
            question: "What's our pipeline this quarter?",
            expect: { agents: ['LeadAnalysisAgent'] },
          },
        ],
      }),
    );
    const { code, out, err } = await runCli(['eval', '--golden', golden], { env, cwd: dir });
    expect(code).toBe(1);
    expect(out).toMatch(
      /FAIL\s+wrong\s+What's our pipeline this quarter\?.*routing: answered by DataAgent/,
    );
    expect(err).toMatch(/0\/1 passed .* below the threshold of 95\.0%/);
  });

  it('rejects a golden file that does not follow the schema, naming the field', async () => {
    const golden = path.join(dir, 'bad');
    mkdirSync(golden, { recursive: true });
    writeFileSync(
      path.join(golden, 'bad.json'),
      JSON.stringify({
        area: 'bad',
        description: 'x',
        cases: [{ id: 'x', kind: 'odd', question: 'q', expect: {} }],
      }),
    );
    const { code, err } = await runCli(['eval', '--golden', golden], { env, cwd: dir });
    expect(code).not.toBe(0);
    expect(err).toMatch(/bad\.json: cases\.0\.kind/);
  });
});
