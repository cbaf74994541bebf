/**
 * `pnpm bench`: runs every `bench/*.bench.ts` (or those named on the command line), prints one
 * table and writes the same figures to `bench/results.json`; a run of named benchmarks replaces
 * their figures there and keeps the others'.
 *
 * Each file runs in a process of its own: a handler module loaded by one benchmark (and the
 * clients it built from that benchmark's environment) must not answer the next one's requests,
 * and a cold-start figure must not find modules already loaded.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Benchmark, BenchResult } from './types';

const here = path.dirname(fileURLToPath(import.meta.url));
const self = fileURLToPath(import.meta.url);

// In a child: run one file, write its figures where the parent said, and stop.
const childAt = process.argv.indexOf('--child');
if (childAt !== -1) {
  const [file, out] = process.argv.slice(childAt + 1) as [string, string];
  const mod = (await import(pathToFileURL(path.join(here, file)).href)) as { run: Benchmark };
  writeFileSync(out, JSON.stringify(await mod.run()));
  process.exit(0);
}

const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => only.length === 0 || only.some((name) => file.includes(name)))
  .sort();

const results: BenchResult[] = [];
const scratch = mkdtempSync(path.join(tmpdir(), 'revbot-bench-'));
try {
  for (const file of files) {
    const started = performance.now();
    process.stderr.write(`running ${file}…\n`);
    const out = path.join(scratch, `${file}.json`);
    const child = spawnSync(process.execPath, [...process.execArgv, self, '--child', file, out], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (child.status !== 0) {
      throw new Error(`${file} failed (exit ${child.status ?? child.signal})`);
    }
    results.push(...(JSON.parse(readFileSync(out, 'utf8')) as BenchResult[]));
    process.stderr.write(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const rows = results.map((r) => [
  r.name,
  String(r.value),
  r.unit,
  r.target,
  r.ok ? 'ok' : 'MISSED',
]);
const header = ['benchmark', 'value', 'unit', 'target', 'result'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of rows) console.log(line(row));

const resultsFile = path.join(here, 'results.json');
const measured = new Set(results.map((r) => r.name));
const kept =
  only.length > 0 && existsSync(resultsFile)
    ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as BenchResult[]).filter(
        (r) => !measured.has(r.name),
      )
    : [];
writeFileSync(resultsFile, `${JSON.stringify([...kept, ...results], null, 2)}\n`);
console.log(`\n${results.length} figures written to bench/results.json`);
if (files.length === 0) console.log('No benchmarks found in bench/*.bench.ts.');
