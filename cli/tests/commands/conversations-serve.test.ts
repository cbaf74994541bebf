/**
 * `revbot conversations serve` as a process: it binds to 127.0.0.1, serves the viewer over a
 * local folder of records the monitoring package wrote, and stops cleanly on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  buildConversationRecord,
  exportConversation,
  localConversationSink,
} from '@revbot/monitoring';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordedStreamAt } from '../support/recorded-streams';
import { runCli } from '../support/run-cli';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

describe('revbot conversations serve', () => {
  let dir: string;
  let serve: ChildProcess;
  let output = '';
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'revbot-serve-'));
    const record = buildConversationRecord(
      recordedStreamAt(
        '04-supervisor-router-answers-directly.json',
        Date.parse('2026-11-22T08:00:00Z'),
      ),
      {
        conversationId: 'conv-served',
        channel: { kind: 'replay', source: 'fixture' },
        userQuery: 'Served <b>question</b>',
      },
    );
    await exportConversation(record, localConversationSink(dir));
    serve = spawn(
      process.execPath,
      ['--import', 'tsx', 'cli/src/main.ts', 'conversations', 'serve', '--dir', dir, '--port', '0'],
      { cwd: repoRoot, env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    serve.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    serve.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
      const check = () => {
        const match = output.match(/conversation viewer on (http:\/\/\S+)/);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        } else setTimeout(check, 50);
      };
      check();
    });
  });
  afterAll(() => {
    if (serve.exitCode === null) serve.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('binds to 127.0.0.1 and serves the viewer over the folder', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/conversations$/);
    const root = await fetch(new URL('/', url), { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/conversations');
    const list = await (await fetch(url)).text();
    expect(list).toContain('Served &lt;b&gt;question&lt;/b&gt;');
    expect(list).toContain('1 conversation');
  });

  it('stops on SIGTERM with exit code 0', async () => {
    const exited = new Promise<number | null>((resolve) => serve.once('exit', resolve));
    serve.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses --port outside serve', async () => {
    const result = await runCli(['conversations', 'list', '--local', '--port', '1'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.err).toContain('--port and --host are for serve');
  });
});
