import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { toSdkForm } from '@revbot/testing/fixtures';
import { localClientConfig } from '@revbot/testing/local-client-config';
import { type LocalS3, startLocalS3 } from '@revbot/testing/local-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildConversationRecord } from '../src/build-conversation-record';
import { conversationKeyPrefix } from '../src/conversation-key';
import { exportConversation } from '../src/conversation-sink';
import { ConversationExportError } from '../src/errors';
import { localConversationSink } from '../src/local-conversation-sink';
import { s3ConversationSink } from '../src/s3-conversation-sink';
import { parseSavedStream } from '../src/saved-stream';
import { conversationSchema, metadataSchema } from '../src/schema';
import { loadFixture, replayContext } from './support/fixtures';

const file = '05-function-action-groups-with-guardrail-pre-post.json';
const context = replayContext(file, {
  conversationId: 'conv/42 ✓',
  channel: {
    kind: 'webhook',
    tracking_id: 'trk_42',
    source_system: 'hubspot',
    source_process: 'lead-scoring',
  },
  startedAt: '2025-05-30T17:28:08.001Z',
});
const fixedClock = { now: () => new Date('2025-05-30T17:29:00.000Z') };

describe('conversationKeyPrefix', () => {
  it('files a conversation by its UTC start day, basic-format ISO time and a path-safe id', () => {
    expect(conversationKeyPrefix('2025-05-30T23:59:59.999-02:00', 'conv/42 ✓')).toBe(
      'conversation-history/2025/05/31/20250531T015959.999Z_conv-42--/',
    );
  });

  it('rejects an invalid start time', () => {
    expect(() => conversationKeyPrefix('yesterday', 'c')).toThrow(
      /Invalid conversation start time/,
    );
  });
});

describe('s3ConversationSink against a local S3 endpoint', () => {
  let s3: LocalS3;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startLocalS3();
    client = new S3Client({
      ...localClientConfig(s3.endpoint, { maxAttempts: 3 }),
      forcePathStyle: true,
    });
  });
  afterEach(() => {
    s3.objects.length = 0;
    s3.log.length = 0;
    s3.failNext(0, 200, '');
  });
  afterAll(async () => {
    client.destroy();
    await s3.close();
  });

  it('writes conversation.json then metadata.json under the dated prefix, encrypted with AES256', async () => {
    const record = buildConversationRecord(toSdkForm(loadFixture(file)), context, fixedClock);
    const result = await exportConversation(
      record,
      s3ConversationSink({ client, bucket: 'revops-dev-conversations' }),
    );
    const prefix = 'conversation-history/2025/05/30/20250530T172808.001Z_conv-42--/';
    expect(result).toEqual({
      location: `s3://revops-dev-conversations/${prefix}`,
      keyPrefix: prefix,
      files: [
        `s3://revops-dev-conversations/${prefix}conversation.json`,
        `s3://revops-dev-conversations/${prefix}metadata.json`,
      ],
    });
    expect(s3.objects.map((o) => [o.bucket, o.key])).toEqual([
      ['revops-dev-conversations', `${prefix}conversation.json`],
      ['revops-dev-conversations', `${prefix}metadata.json`],
    ]);
    for (const object of s3.objects) {
      expect(object.headers['x-amz-server-side-encryption']).toBe('AES256');
      expect(object.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(object.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDLOCAL\//);
    }
    const conversation = conversationSchema.parse(JSON.parse(s3.objects[0]?.body ?? ''));
    const metadata = metadataSchema.parse(JSON.parse(s3.objects[1]?.body ?? ''));
    expect(conversation).toEqual(record.conversation);
    expect(conversation.channel).toEqual({
      kind: 'webhook',
      tracking_id: 'trk_42',
      source_system: 'hubspot',
      source_process: 'lead-scoring',
    });
    expect(metadata.files.conversation.bytes).toBe(Buffer.byteLength(s3.objects[0]?.body ?? ''));
    expect(metadata.exported_at).toBe('2025-05-30T17:29:00.000Z');
  });

  it('retries a throttled write (503 SlowDown) and succeeds', async () => {
    const record = buildConversationRecord(loadFixture(file), context, fixedClock);
    s3.failNext(1, 503, 'SlowDown');
    await exportConversation(record, s3ConversationSink({ client, bucket: 'b' }));
    expect(s3.log[0]).toMatch(/conversation\.json -> 503$/);
    expect(s3.log.slice(1)).toEqual([
      expect.stringMatching(/conversation\.json -> 200$/),
      expect.stringMatching(/metadata\.json -> 200$/),
    ]);
  });

  /** Exports the fixture's record while S3 answers `status` `times` times; the error it fails with. */
  const failedExport = (times: number, status: number, code: string) => {
    const record = buildConversationRecord(loadFixture(file), context, fixedClock);
    s3.failNext(times, status, code);
    return exportConversation(record, s3ConversationSink({ client, bucket: 'b' })).catch(
      (e: unknown) => e,
    );
  };

  it('fails with a non-retryable export error naming the object when access is denied', async () => {
    const failure = await failedExport(5, 403, 'AccessDenied');
    expect(failure).toBeInstanceOf(ConversationExportError);
    expect((failure as ConversationExportError).retryable).toBe(false);
    expect((failure as Error).message).toMatch(
      /^Could not write s3:\/\/b\/conversation-history\/.+\/conversation\.json: AccessDenied \(HTTP 403\)/,
    );
    expect(s3.log).toHaveLength(1);
    expect(s3.objects).toEqual([]);
  });

  it('marks a persistent server error as retryable after the SDK gives up', async () => {
    const failure = await failedExport(10, 500, 'InternalError');
    expect((failure as ConversationExportError).retryable).toBe(true);
    expect(s3.log).toHaveLength(3);
  });
});

describe('localConversationSink', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'revbot-conversations-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the same layout to a folder', async () => {
    const record = buildConversationRecord(loadFixture(file), context, fixedClock);
    const result = await exportConversation(record, localConversationSink(dir));
    const folder = path.join(dir, 'conversation-history/2025/05/30/20250530T172808.001Z_conv-42--');
    expect(result.location).toBe(`${folder}${path.sep}`);
    expect(readdirSync(folder).sort()).toEqual(['conversation.json', 'metadata.json']);
    expect(JSON.parse(readFileSync(path.join(folder, 'conversation.json'), 'utf8'))).toEqual(
      record.conversation,
    );
  });

  it('saves the redacted raw stream when asked, and replaying it gives the same record', async () => {
    const events = toSdkForm(loadFixture(file));
    const record = buildConversationRecord(events, context, { ...fixedClock, keepRawEvents: true });
    const result = await exportConversation(record, localConversationSink(dir));
    expect(result.files.map((f) => path.basename(f))).toEqual([
      'conversation.json',
      'events.json',
      'metadata.json',
    ]);
    const saved = readFileSync(result.files[1] ?? '', 'utf8');
    expect(saved).not.toContain('You are a helpful travel agent');
    expect(saved).toMatch(/\[redacted prompt sha256=[0-9a-f]{64} length=\d+\]/);
    expect(record.metadata.files.raw_events).toEqual({
      bytes: Buffer.byteLength(saved),
      events: events.length,
    });
    const replayed = buildConversationRecord(parseSavedStream(saved), context, fixedClock);
    expect(replayed.conversation).toEqual(record.conversation);
  });

  it('does not save raw events by default', () => {
    const record = buildConversationRecord(loadFixture(file), context);
    expect(record.rawEvents).toBeUndefined();
    expect(record.metadata.files.raw_events).toBeNull();
  });

  it('refuses a key that escapes the folder', async () => {
    await expect(
      localConversationSink(dir).put('../outside.json', '{}', 'application/json'),
    ).rejects.toThrow(/outside/);
  });
});
