/**
 * The viewer's handler over records the monitoring package writes (recorded Bedrock streams
 * through buildConversationRecord and the real sinks), read from a local folder and from a
 * local S3 with the real S3 client; pages fetched over HTTP as a browser would.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import {
  type ConversationContext,
  type ConversationSink,
  localConversationSink,
  s3ConversationSink,
} from '@revbot/monitoring';
import { type FakeAws, startFakeAws } from '@revbot/testing/fake-aws';
import { listenOnLoopback } from '@revbot/testing/listen-on-loopback';
import { localClientConfig } from '@revbot/testing/local-client-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localConversationStore, s3ConversationStore } from '../../src/ops/conversation-store';
import { createConversationViewer } from '../../src/viewer/conversation-viewer';
import { OVERVIEW_CHARTS } from '../../src/viewer/overview-page';
import { exportRecordedConversations } from '../support/recorded-streams';

const XSS = `<script>alert('x')</script><img src=x onerror=alert(1)> *bold* <@U1>`;
const BUCKET = 'viewer-test-bucket';

const slack = (id: string, user: string, query: string): ConversationContext => ({
  conversationId: id,
  channel: {
    kind: 'slack',
    team: 'T1',
    channel: 'C0REVOPS',
    thread_ts: '1.2',
    user,
    event_id: `Ev${id}`,
  },
  userQuery: query,
});
const webhook = (id: string, query: string): ConversationContext => ({
  conversationId: id,
  channel: { kind: 'webhook', tracking_id: id, source_system: 'salesforce', source_process: null },
  userQuery: query,
});

const RECORDS: { file: string; at: string; context: ConversationContext }[] = [
  {
    file: '03-supervisor-router-routes-to-collaborator-with-action-group.json',
    at: '2026-11-20T09:00:00Z',
    context: slack('conv-primes', 'U0456', 'Find all prime numbers between 10 and 50'),
  },
  {
    file: '01-supervisor-nested-collaborators.json',
    at: '2026-11-21T10:00:00Z',
    context: slack('conv-sum', 'U0789', XSS),
  },
  {
    file: '06-knowledge-base-lookup-with-citation-chunk.json',
    at: '2026-11-22T11:00:00Z',
    context: webhook('conv-kb', 'What does the policy say?'),
  },
];

const writeRecords = (sink: ConversationSink) =>
  exportRecordedConversations(
    RECORDS.map(({ file, at, context }) => ({ file, startMs: Date.parse(at), context })),
    [sink],
  );

async function serve(viewer: ReturnType<typeof createConversationViewer>) {
  const server = createServer((req, res) => {
    void viewer.handle(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  return listenOnLoopback(server);
}

describe('the conversation viewer over a local folder', () => {
  let dir: string;
  let url: string;
  let close: () => Promise<void>;
  let viewer: ReturnType<typeof createConversationViewer>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'revbot-viewer-'));
    await writeRecords(localConversationSink(dir));
    viewer = createConversationViewer({
      store: localConversationStore(dir),
      refreshMs: 0,
      recentDays: Number.POSITIVE_INFINITY,
    });
    ({ url, close } = await serve(viewer));
  });
  afterAll(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (pathAndQuery: string) => {
    const response = await fetch(`${url}${pathAndQuery}`);
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  const rowCount = (page: string) => (page.match(/<tr>\n<td><time/g) ?? []).length;

  it('lists every conversation newest first, with a strict content security policy', async () => {
    const page = await get('/conversations');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(rowCount(page.text)).toBe(3);
    const order = ['What does the policy say?', 'alert', 'Find all prime numbers'].map((t) =>
      page.text.indexOf(t),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(page.text).toContain('3 conversations');
  });

  it('shows a question holding HTML or Slack markup as text, on the list and on its page', async () => {
    const list = await get('/conversations');
    expect(list.text).not.toContain('<script>alert');
    expect(list.text).not.toContain('<img src=x');
    expect(list.text).toContain(
      '&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; *bold* &lt;@U1&gt;',
    );
    const summary = viewer.index.all().find((s) => s.id === 'conv-sum');
    const page = await get(`/conversations/c/${summary?.path}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain('<script>alert');
    expect(page.text).toContain('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;');
    // The only scripts are the viewer's own.
    expect(page.text.match(/<script/g)).toHaveLength(1);
  });

  it('filters by channel, user, agent, status, dates and text, and says when a filter is invalid', async () => {
    expect(rowCount((await get('/conversations?channel=webhook')).text)).toBe(1);
    expect(rowCount((await get('/conversations?channel=C0REVOPS&user=U0456')).text)).toBe(1);
    expect(rowCount((await get('/conversations?from=2026-11-21&to=2026-11-21')).text)).toBe(1);
    expect(rowCount((await get('/conversations?q=PRIME+numbers')).text)).toBe(1);
    expect(rowCount((await get('/conversations?status=completed')).text)).toBe(
      viewer.index.all().filter((s) => s.status === 'completed').length,
    );
    const agent = viewer.index.all().find((s) => s.id === 'conv-sum')?.agents[2] as string;
    expect(agent).toBeTruthy();
    expect(rowCount((await get(`/conversations?agent=${encodeURIComponent(agent)}`)).text)).toBe(1);
    const bad = await get('/conversations?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('from: must be a date, YYYY-MM-DD');
  });

  it('shows a conversation with its waterfall, SQL-free steps, passages and raw files', async () => {
    const summary = viewer.index.all().find((s) => s.id === 'conv-kb');
    const page = await get(`/conversations/c/${summary?.path}`);
    expect(page.text).toContain('<h2 id="h-timeline">Timeline</h2>');
    expect(page.text).toContain('data-kind="knowledge_base"');
    expect(page.text).toMatch(/\d+ passages retrieved/);
    const raw = await get(`/conversations/raw/${summary?.path}/conversation.json`);
    expect(raw.headers.get('content-type')).toContain('application/json');
    expect(JSON.parse(raw.text).conversation_id).toBe('conv-kb');
    const meta = await get(`/conversations/raw/${summary?.path}/metadata.json`);
    expect(JSON.parse(meta.text).conversation_id).toBe('conv-kb');
  });

  it('answers 404 for paths outside the records and 405 for writes', async () => {
    expect((await get('/conversations/c/..%2F..%2Fetc%2Fpasswd')).status).toBe(404);
    expect((await get('/conversations/raw/2026/11/20/../../../x/conversation.json')).status).toBe(
      404,
    );
    expect((await get('/conversations/c/2026/11/20/nope')).status).toBe(404);
    expect((await fetch(`${url}/conversations`, { method: 'POST' })).status).toBe(405);
  });

  it('picks up a new record and a feedback click on refresh', async () => {
    await exportRecordedConversations(
      [
        {
          file: '04-supervisor-router-answers-directly.json',
          startMs: Date.parse('2026-11-22T12:00:00Z'),
          context: webhook('conv-new', 'A later question'),
        },
      ],
      [localConversationSink(dir)],
    );
    const target = viewer.index.all().find((s) => s.id === 'conv-primes');
    writeFileSync(
      path.join(dir, target?.key as string, 'feedback-1.2-U0456.json'),
      JSON.stringify({ schema: 'revbot.slack-feedback/1', rating: 'negative', user: 'U0456' }),
    );
    await viewer.index.refresh();
    expect(viewer.index.size).toBe(4);
    const rated = await get('/conversations?feedback=negative');
    expect(rowCount(rated.text)).toBe(1);
    expect(rated.text).toContain('Find all prime numbers');
  });

  it('draws the overview: per-day counts, answer times, failure rate, agents, feedback', async () => {
    const page = await get('/conversations/overview');
    expect(page.status).toBe(200);
    for (const id of OVERVIEW_CHARTS) {
      expect(page.text).toContain(`id="${id}"`);
    }
    // 2026-11-20 to 2026-11-22: three days, one bar each.
    expect(page.text.match(/<rect class="s-count"/g)).toHaveLength(3);
    expect(page.text).toContain('👍 0 · 👎 1 (0% positive)');
  });
});

describe('the conversation viewer over an S3 bucket', () => {
  let aws: FakeAws;
  let s3: S3Client;

  beforeAll(async () => {
    aws = await startFakeAws();
    aws.state.buckets[BUCKET] = new Map();
    s3 = new S3Client({ ...localClientConfig(aws.url), forcePathStyle: true });
    await writeRecords(s3ConversationSink({ client: s3, bucket: BUCKET }));
  });
  afterAll(async () => {
    s3.destroy();
    await aws.close();
  });

  it('indexes the days and folders of the bucket and reads each record once', async () => {
    const store = s3ConversationStore(s3, BUCKET);
    expect(await store.listDays()).toEqual(['2026/11/22', '2026/11/21', '2026/11/20']);
    const viewer = createConversationViewer({ store, refreshMs: 60_000 });
    await viewer.index.refresh();
    expect(viewer.index.all().map((s) => s.id)).toEqual(['conv-kb', 'conv-sum', 'conv-primes']);
    const gets = aws.calls.filter((c) => c.service === 's3' && c.action === 'GetObject').length;
    await viewer.index.refresh();
    expect(aws.calls.filter((c) => c.service === 's3' && c.action === 'GetObject').length).toBe(
      gets,
    );
  });
});
