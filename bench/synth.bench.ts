/** Time to synthesize the whole CDK app in-process (every Lambda bundled, cdk-nag applied). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildApp, newRevbotApp } from '../infra/lib/app';
import { type BenchResult, round } from './types';

export async function run(): Promise<BenchResult[]> {
  const outdir = mkdtempSync(path.join(tmpdir(), 'revbot-synth-'));
  try {
    const started = performance.now();
    const app = newRevbotApp({ outdir });
    buildApp(app);
    app.synth();
    const seconds = (performance.now() - started) / 1000;
    return [
      {
        name: 'cdk synth (in-process, all stacks)',
        value: round(seconds),
        unit: 's',
        target: '< 30',
        ok: seconds < 30,
      },
    ];
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
