import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli';

describe('revbot seed', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'revbot-seed-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('rebuilds the warehouse, reports every table and pins the day for later answers', async () => {
    const seeded = await runCli(['seed', '--as-of', '2026-06-30', '--data-dir', dataDir, '--json']);
    expect(seeded.code).toBe(0);
    const report = JSON.parse(seeded.out) as { as_of: string; tables: Record<string, number> };
    expect(report.as_of).toBe('2026-06-30');
    expect(Object.keys(report.tables)).toEqual(
      expect.arrayContaining(['accounts', 'opportunities', 'gong_calls', 'leads', 'arr_history']),
    );
    for (const rows of Object.values(report.tables)) expect(rows).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'warehouse.json'), 'utf8'))).toEqual({
      asOf: '2026-06-30',
    });

    const answer = await runCli([
      'ask',
      'What is our pipeline this quarter?',
      '--data-dir',
      dataDir,
    ]);
    expect(answer.code).toBe(0);
    expect(answer.out).toMatch(/2026-Q2/);
  });

  it('refuses a date that does not exist', async () => {
    const result = await runCli(['seed', '--as-of', '2026-13-40', '--data-dir', dataDir]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/--as-of must be a date/);
  });
});
