import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type FakeAws, type FakeDataSource, startFakeAws } from '@revbot/testing/fake-aws';
import type { S3Object } from '@revbot/testing/local-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deployHealthyStage, KB_BUCKET } from '../support/deployed-stage';
import { runCli } from '../support/run-cli';

const object = (text: string): S3Object => ({
  body: Buffer.from(text),
  etag: createHash('md5').update(text).digest('hex'),
  lastModified: new Date('2026-11-01T10:00:00Z'),
});

const FINAL_STATISTICS = {
  numberOfDocumentsScanned: 4,
  numberOfNewDocumentsIndexed: 1,
  numberOfModifiedDocumentsIndexed: 1,
  numberOfDocumentsDeleted: 1,
  numberOfDocumentsFailed: 0,
};

describe('revbot kb sync', () => {
  let aws: FakeAws;
  let dir: string;
  let bucket: Map<string, S3Object>;
  let source: FakeDataSource;

  beforeEach(async () => {
    aws = await startFakeAws();
    deployHealthyStage(aws);
    bucket = aws.state.buckets[KB_BUCKET] as Map<string, S3Object>;
    source = aws.state.dataSources['KB12345678/DS12345678'] as FakeDataSource;
    dir = mkdtempSync(path.join(tmpdir(), 'revbot-kb-'));
    const kb = path.join(dir, 'knowledge_base');
    mkdirSync(path.join(kb, 'business_logic'), { recursive: true });
    mkdirSync(path.join(kb, 'sql_patterns'), { recursive: true });
    writeFileSync(path.join(kb, 'business_logic/icp_definition.md'), '# ICP\nUnchanged.\n');
    writeFileSync(
      path.join(kb, 'business_logic/stages.md'),
      '# Stages\nStage 3 is now Proposal.\n',
    );
    writeFileSync(path.join(kb, 'sql_patterns/deals.md'), '# Deal queries\nNew file.\n');
    writeFileSync(path.join(kb, 'README.md'), '# Knowledge base\n');
    writeFileSync(path.join(kb, '.DS_Store'), 'finder noise');
    bucket.set('knowledge_base/business_logic/icp_definition.md', object('# ICP\nUnchanged.\n'));
    bucket.set('knowledge_base/README.md', object('# Knowledge base\n'));
    bucket.set(
      'knowledge_base/business_logic/stages.md',
      object('# Stages\nStage 3 is Solution.\n'),
    );
    bucket.set('knowledge_base/workflows/retired.md', object('# Retired workflow\n'));
    source.script = [
      { status: 'IN_PROGRESS', statistics: { numberOfDocumentsScanned: 2 } },
      {
        status: 'IN_PROGRESS',
        statistics: { numberOfDocumentsScanned: 4, numberOfNewDocumentsIndexed: 1 },
      },
      { status: 'COMPLETE', statistics: FINAL_STATISTICS },
    ];
  });
  afterEach(async () => {
    await aws.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uploads only changed files, prunes removed ones, ingests and reports the counts', async () => {
    const { code, out, err } = await runCli(['kb', 'sync'], { env: aws.env(), cwd: dir });
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain(
      `Knowledge base KB12345678 (data source DS12345678), s3://${KB_BUCKET}/knowledge_base/`,
    );
    expect(out).toContain('  1 changed, 1 new, 1 removed, 2 unchanged');
    expect(out).toContain('  uploaded knowledge_base/business_logic/stages.md');
    expect(out).toContain('  uploaded knowledge_base/sql_patterns/deals.md');
    expect(out).toContain('  deleted knowledge_base/workflows/retired.md');
    expect(out).toContain('Ingestion job JOB1 started');
    expect(out).toMatch(
      /Ingestion job JOB1 COMPLETE after .+: 4 documents scanned, 2 indexed \(1 new, 1 modified\), 1 deleted, 0 failed/,
    );
    const puts = aws.calls
      .filter((c) => c.action === 'PutObject')
      .map((c) => (c.input as { key: string }).key);
    expect(puts.sort()).toEqual([
      'knowledge_base/business_logic/stages.md',
      'knowledge_base/sql_patterns/deals.md',
    ]);
    expect([...bucket.keys()].sort()).toEqual([
      'knowledge_base/README.md',
      'knowledge_base/business_logic/icp_definition.md',
      'knowledge_base/business_logic/stages.md',
      'knowledge_base/sql_patterns/deals.md',
    ]);
    expect(bucket.get('knowledge_base/business_logic/stages.md')?.body.toString()).toBe(
      '# Stages\nStage 3 is now Proposal.\n',
    );
    expect(bucket.get('knowledge_base/sql_patterns/deals.md')?.contentType).toBe(
      'text/markdown; charset=utf-8',
    );
    // Progress was polled until the job finished.
    expect(aws.calls.filter((c) => c.action === 'GetIngestionJob')).toHaveLength(3);
    expect(source.jobs.at(-1)?.status).toBe('COMPLETE');
  });

  it('starts no ingestion when nothing changed, unless forced', async () => {
    rmSync(path.join(dir, 'knowledge_base/sql_patterns'), { recursive: true });
    writeFileSync(
      path.join(dir, 'knowledge_base/business_logic/stages.md'),
      '# Stages\nStage 3 is Solution.\n',
    );
    writeFileSync(path.join(dir, 'knowledge_base/workflows.md'), 'x');
    bucket.delete('knowledge_base/workflows/retired.md');
    bucket.set('knowledge_base/workflows.md', object('x'));
    const { code, out } = await runCli(['kb', 'sync'], { env: aws.env(), cwd: dir });
    expect(code).toBe(0);
    expect(out).toContain('0 changed, 0 new, 0 removed, 4 unchanged');
    expect(out).toContain('Up to date: no ingestion started');
    expect(aws.calls.some((c) => c.action === 'StartIngestionJob')).toBe(false);

    const forced = await runCli(['kb', 'sync', '--force'], { env: aws.env(), cwd: dir });
    expect(forced.code).toBe(0);
    expect(forced.out).toContain('Ingestion job JOB1 COMPLETE');
  });

  it('changes nothing on a dry run', async () => {
    const { code, out } = await runCli(['kb', 'sync', '--dry-run', '--keep-remote'], {
      env: aws.env(),
      cwd: dir,
    });
    expect(code).toBe(0);
    expect(out).toContain('1 changed, 1 new, 0 removed, 2 unchanged');
    expect(out).toContain('  would update knowledge_base/business_logic/stages.md');
    expect(out).toContain('  would add knowledge_base/sql_patterns/deals.md');
    expect(
      aws.calls.filter((c) =>
        ['PutObject', 'DeleteObjects', 'StartIngestionJob'].includes(c.action),
      ),
    ).toEqual([]);
  });

  it('exits non-zero with the reasons when the ingestion fails or documents fail', async () => {
    source.script = [
      {
        status: 'COMPLETE',
        statistics: {
          ...FINAL_STATISTICS,
          numberOfModifiedDocumentsIndexed: 0,
          numberOfDocumentsFailed: 1,
        },
      },
    ];
    source.documents = [
      { uri: `s3://${KB_BUCKET}/knowledge_base/README.md`, status: 'INDEXED' },
      {
        uri: `s3://${KB_BUCKET}/knowledge_base/business_logic/stages.md`,
        status: 'FAILED',
        statusReason: 'The document exceeds the chunking limit',
      },
    ];
    const partial = await runCli(['kb', 'sync'], { env: aws.env(), cwd: dir });
    expect(partial.code).toBe(1);
    expect(partial.out).toContain('1 indexed (1 new, 0 modified), 1 deleted, 1 failed');
    expect(partial.out).toContain(
      `  failed: s3://${KB_BUCKET}/knowledge_base/business_logic/stages.md: The document exceeds the chunking limit`,
    );
    expect(partial.out).not.toContain('README.md: ');

    source.script = [
      { status: 'FAILED', failureReasons: ['AccessDenied on s3vectors:PutVectors'] },
    ];
    const failed = await runCli(['kb', 'sync', '--force', '--json'], { env: aws.env(), cwd: dir });
    expect(failed.code).toBe(1);
    const parsed = JSON.parse(failed.out) as {
      ingestionJob: { status: string; failureReasons: string[] };
    };
    expect(parsed.ingestionJob).toMatchObject({
      status: 'FAILED',
      failureReasons: ['AccessDenied on s3vectors:PutVectors'],
    });
  });

  it('waits for an ingestion job already running before starting its own', async () => {
    source.jobs.push({
      id: 'JOB-DEPLOY',
      status: 'IN_PROGRESS',
      startedAt: new Date(),
      updatedAt: new Date(),
      remaining: [{ status: 'IN_PROGRESS' }, { status: 'COMPLETE', statistics: FINAL_STATISTICS }],
    });
    const { code, out } = await runCli(['kb', 'sync'], { env: aws.env(), cwd: dir });
    expect(code).toBe(0);
    expect(out).toContain(
      'Ingestion job JOB-DEPLOY is already running; waiting for it before starting another',
    );
    expect(out).toContain('Ingestion job JOB1 started');
    expect(aws.calls.filter((c) => c.action === 'StartIngestionJob')).toHaveLength(2);
  });

  it('reports the last ingestion job with kb status', async () => {
    const { code, out } = await runCli(['kb', 'status'], { env: aws.env(), cwd: dir });
    expect(code).toBe(0);
    expect(out).toBe(
      'Knowledge base KB12345678: last ingestion job JOB0 COMPLETE started 3 h ago: 31 documents scanned, 31 indexed (31 new, 0 modified), 0 deleted, 0 failed\n',
    );
  });

  it('says where to run it when there is no knowledge_base folder', async () => {
    const { code, err } = await runCli(['kb', 'sync'], { env: aws.env(), cwd: tmpdir() });
    expect(code).toBe(1);
    expect(err).toMatch(
      /^revbot kb: no knowledge base folder at .*knowledge_base: run from the repository root or pass --dir\n$/,
    );
  });
});
