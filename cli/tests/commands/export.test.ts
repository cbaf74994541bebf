import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { conversationSchema, metadataSchema } from '@revbot/monitoring';
import { BEDROCK_TRACES_DIR } from '@revbot/testing/fixtures';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli';
import { suiteTempDir } from '../support/suite-temp-dir';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const fixtures = BEDROCK_TRACES_DIR;

const run = (args: string[], cwd: string) => runCli(['export', ...args], { cwd });

describe('revbot export', () => {
  const dir = suiteTempDir('revbot-export-');

  it('writes conversation.json and metadata.json for a recorded stream', async () => {
    const stream = path.join(fixtures, '01-supervisor-nested-collaborators.json');
    const { code, out, err } = await run(
      [stream, '--out', 'exports', '--conversation-id', 'run-1', '--query', 'Sum 1..10'],
      dir(),
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    const folder = path.join(
      dir(),
      'exports/conversation-history/2025/05/21/20250521T094901.718Z_run-1',
    );
    expect(out).toContain(`wrote ${folder}${path.sep}`);
    expect(out).toContain('3 agent runs, 0 tool calls');
    expect(out).toContain('quality 1: All 7 quality checks passed.');
    const conversation = conversationSchema.parse(
      JSON.parse(readFileSync(path.join(folder, 'conversation.json'), 'utf8')),
    );
    expect(conversation.user_query).toBe('Sum 1..10');
    expect(conversation.channel).toEqual({
      kind: 'replay',
      source: '01-supervisor-nested-collaborators.json',
    });
    expect(conversation.agent_flow.map((inv) => inv.agent_name)).toEqual([
      'Manager',
      'SimpleSupervisor',
      'MathSolverAgent',
    ]);
    metadataSchema.parse(JSON.parse(readFileSync(path.join(folder, 'metadata.json'), 'utf8')));
    expect(existsSync(path.join(folder, 'events.json'))).toBe(false);
  });

  it('prints the conversation as an OTLP/JSON trace with --format otlp, writing no files', async () => {
    const stream = path.join(fixtures, '01-supervisor-nested-collaborators.json');
    const out = path.join(dir(), 'otlp-out');
    const result = await run(
      [stream, '--out', 'otlp-out', '--format', 'otlp', '--query', 'Sum 1..10'],
      dir(),
    );
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const request = JSON.parse(result.out) as {
      resourceSpans: { scopeSpans: { spans: { name: string; parentSpanId?: string }[] }[] }[];
    };
    const spans = request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(spans.filter((s) => s.name.startsWith('invoke_agent ')).map((s) => s.name)).toEqual([
      'invoke_agent Manager',
      'invoke_agent SimpleSupervisor',
      'invoke_agent MathSolverAgent',
    ]);
    expect(spans.filter((s) => !s.parentSpanId)).toHaveLength(1);
    expect(result.out).not.toContain('Sum 1..10');
    expect(existsSync(out)).toBe(false);
    const withContent = await run(
      [stream, '--format', 'otlp', '--content', '--query', 'Sum 1..10'],
      dir(),
    );
    expect(withContent.out).toContain('Sum 1..10');
    const bad = await run([stream, '--format', 'xml'], dir());
    expect(bad.code).not.toBe(0);
    expect(bad.err).toContain('--format must be record or otlp');
  });

  it('prints JSON, names the record after the file hash by default, and saves the raw stream on request', async () => {
    const stream = path.join(fixtures, '06-knowledge-base-lookup-with-citation-chunk.json');
    const { code, out } = await run([stream, '--out', 'exports', '--save-raw', '--json'], dir());
    expect(code).toBe(0);
    const result = JSON.parse(out) as {
      location: string;
      files: string[];
      counts: { knowledge_base_lookups: number };
    };
    expect(result.location).toMatch(/_replay-[0-9a-f]{12}\/$/);
    expect(result.files.map((f) => path.basename(f))).toEqual([
      'conversation.json',
      'events.json',
      'metadata.json',
    ]);
    expect(result.counts.knowledge_base_lookups).toBe(1);
  });

  it.each([
    ['not-json.json', '{"trace": {', 'not-json.json is not valid JSON'],
    [
      'object.json',
      '{"trace": {}}',
      'object.json must be a JSON array of {trace}/{chunk} events, but it is an object',
    ],
    ['empty.json', '[]', 'empty.json holds no events'],
    ['blank.json', '', 'blank.json is empty'],
    [
      'shape.json',
      '[{"chunk": {}}, {"event": 1}]',
      'event 2 of shape.json is not a {trace}, {chunk} or {returnControl} object',
    ],
  ])('rejects %s with one line and exit code 1', async (name, content, message) => {
    writeFileSync(path.join(dir(), name), content);
    const { code, out, err } = await run([name], dir());
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err).toBe(`revbot export: ${err.slice('revbot export: '.length)}`);
    expect(err).toContain(message);
    expect(err.trimEnd().split('\n')).toHaveLength(1);
  });

  it('names a missing file', async () => {
    const { code, err } = await run(['nope.json'], dir());
    expect(code).toBe(1);
    expect(err).toBe('revbot export: cannot read nope.json: no such file\n');
  });

  it('answers usage mistakes with exit code 2 and a hint', async () => {
    const missing = await run([], dir());
    expect(missing.code).toBe(2);
    expect(missing.err).toBe('revbot export: missing <stream.json>\nsee "revbot export --help"\n');
    const unknown = await run(['x.json', '--bogus'], dir());
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^revbot export: Unknown option '--bogus'/);
  });

  it('exits non-zero from the real command line on bad input', async () => {
    writeFileSync(path.join(dir(), 'bad.json'), 'nope');
    const failure = await promisify(execFile)(
      process.execPath,
      [
        '--import',
        pathToFileURL(path.join(repoRoot, 'node_modules/tsx/dist/loader.mjs')).href,
        path.join(repoRoot, 'cli/src/main.ts'),
        'export',
        'bad.json',
      ],
      { cwd: dir() },
    ).catch((e: { code: number; stderr: string }) => e);
    expect((failure as { code: number }).code).toBe(1);
    expect((failure as { stderr: string }).stderr).toMatch(
      /^revbot export: bad\.json is not valid JSON/,
    );
  });
});
