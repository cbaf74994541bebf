/**
 * `revbot conversations serve` as a process: it binds to 127.0.0.1, serves the viewer over a
 * local folder of records the monitoring package wrote, or over the stage's conversation bucket
 * (a local S3 speaking the real API, found through the stage's stack like `conversations list`),
 * and stops cleanly on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import {
  buildConversationRecord,
  type ConversationRecord,
  exportConversation,
  localConversationSink,
  s3ConversationSink,
} from '@revbot/monitoring';
import { type FakeAws, startFakeAws } from '@revbot/testing/fake-aws';
import { localClientConfig } from '@revbot/testing/local-client-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONVERSATION_BUCKET, deployHealthyStage } from '../support/deployed-stage';
import { recordedStreamAt } from '../support/recorded-streams';
import { runCli } from '../support/run-cli';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

const served = (id: string): ConversationRecord =>
  buildConversationRecord(
    recordedStreamAt('04-supervisor-router-answers-directly.json', Date.now() - 3_600_000),
    {
      conversationId: id,
      channel: { kind: 'replay', source: 'fixture' },
      userQuery: `Served <b>question</b> ${id}`,
    },
  );

/** Starts `revbot conversations serve …`; resolves with the process and the URL it printed. */
async function startServe(args: string[], env: Record<string, string | undefined> = {}) {
  let output = '';
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'cli/src/main.ts', 'conversations', 'serve', '--port', '0', ...args],
    { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 30_000);
    const check = () => {
      const match = output.match(/conversation viewer on (http:\/\/\S+)/);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      } else if (child.exitCode !== null) {
        clearTimeout(timer);
        reject(new Error(`serve exited ${child.exitCode}:\n${output}`));
      } else setTimeout(check, 50);
    };
    check();
  });
  return { child, url, output: () => output };
}

describe('revbot conversations serve --dir', () => {
  let dir: string;
  let serve: Awaited<ReturnType<typeof startServe>>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'revbot-serve-'));
    await exportConversation(served('conv-local'), localConversationSink(dir));
    serve = await startServe(['--dir', dir]);
  });
  afterAll(() => {
    if (serve?.child.exitCode === null) serve.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('binds to 127.0.0.1 and serves the viewer over the folder', async () => {
    expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/conversations$/);
    const root = await fetch(new URL('/', serve.url), { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/conversations');
    const list = await (await fetch(serve.url)).text();
    expect(list).toContain('Served &lt;b&gt;question&lt;/b&gt; conv-local');
    expect(list).toContain('1 conversation');
  });

  it('stops on SIGTERM with exit code 0', async () => {
    const exited = new Promise<number | null>((resolve) => serve.child.once('exit', resolve));
    serve.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses --port outside serve', async () => {
    const result = await runCli(['conversations', 'list', '--local', '--port', '1'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.err).toContain('--port and --host are for serve');
  });
});

describe('revbot conversations serve --stage', () => {
  let aws: FakeAws;
  let serve: Awaited<ReturnType<typeof startServe>>;

  beforeAll(async () => {
    aws = await startFakeAws();
    deployHealthyStage(aws);
    const s3 = new S3Client({ ...localClientConfig(aws.url), forcePathStyle: true });
    await exportConversation(
      served('conv-bucket'),
      s3ConversationSink({ client: s3, bucket: CONVERSATION_BUCKET }),
    );
    s3.destroy();
    serve = await startServe(['--stage', 'dev'], aws.env());
  });
  afterAll(async () => {
    if (serve?.child.exitCode === null) serve.child.kill('SIGKILL');
    await aws.close();
  });

  it("reads the stage's conversation bucket with the caller's credentials", async () => {
    expect(serve.output()).toContain(`reading s3://${CONVERSATION_BUCKET}`);
    const list = await (await fetch(serve.url)).text();
    expect(list).toContain('Served &lt;b&gt;question&lt;/b&gt; conv-bucket');
    const lists = aws.calls.filter((c) => c.service === 's3' && c.action === 'ListObjectsV2');
    expect(lists.length).toBeGreaterThan(0);
  });
});
