/**
 * The conversation viewer with 5,000 local conversations, as `pnpm dev` serves it:
 * - the records: the recorder run over every recorded Bedrock stream
 *   (testing/fixtures/bedrock-traces), each moved to its own time over 60 days, with its own id,
 *   channel and user, and exported with the local sink;
 * - the index build (informational), then the list page's time to first byte over HTTP (p50 of
 *   30 requests after a warm-up) and its time to interactive in headless Chromium (the
 *   navigation's DOMContentLoaded end, after the viewer's deferred script ran; p50 of 10);
 * - the conversation page of the largest record, read and parsed afresh each time (no cache),
 *   to DOMContentLoaded in Chromium (p50 of 10).
 * Skipped with one line when Debian's Chromium is missing (`apt-get install -y chromium`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  buildConversationRecord,
  type ConversationContext,
  exportConversation,
  localConversationSink,
} from '@revbot/monitoring';
import {
  CHROMIUM_MISSING,
  chromiumInstalled,
  launchChromium,
} from '@revbot/testing/headless-chromium';
import { listenOnLoopback } from '@revbot/testing/listen-on-loopback';
import { localConversationStore } from '../cli/src/ops/conversation-store';
import { createConversationViewer } from '../cli/src/viewer/conversation-viewer';
import { readRecordedStream, shiftTimestamps } from '../cli/tests/support/recorded-streams';
import { type BenchResult, percentile, round } from './types';

const CONVERSATIONS = 5_000;
const DAYS = 60;
const FIXTURES = [
  '01-supervisor-nested-collaborators.json',
  '02-supervisor-two-sequential-collaborator-calls.json',
  '03-supervisor-router-routes-to-collaborator-with-action-group.json',
  '04-supervisor-router-answers-directly.json',
  '05-function-action-groups-with-guardrail-pre-post.json',
  '06-knowledge-base-lookup-with-citation-chunk.json',
  '07-stream-final-response-with-guardrail-intervals.json',
  '08-guardrail-intervened-on-input.json',
  '09-preprocessing-and-postprocessing.json',
];
const LIST_TTFB_TARGET_MS = 300;
const LIST_TTI_TARGET_MS = 1_000;
const CONVERSATION_TARGET_MS = 500;
const END = Date.parse('2026-11-30T18:00:00Z');

function context(i: number): ConversationContext {
  const id = `bench-${String(i).padStart(5, '0')}`;
  if (i % 3 === 0) {
    return {
      conversationId: id,
      channel: {
        kind: 'webhook',
        tracking_id: id,
        source_system: ['salesforce', 'hubspot'][i % 2] as string,
        source_process: null,
      },
      userQuery: `Pipeline review ${i}: which deals slipped this week?`,
    };
  }
  return {
    conversationId: id,
    channel: {
      kind: 'slack',
      team: 'T0BENCH',
      channel: `C0${i % 7}`,
      thread_ts: `${1_700_000_000 + i}.000100`,
      user: `U0${i % 40}`,
      event_id: `Ev${id}`,
    },
    userQuery: `Question ${i}: what is the status of deal ${i % 97}?`,
  };
}

/** Writes the records; returns the viewer path of the largest conversation.json. */
async function writeRecords(dir: string): Promise<string> {
  const sink = localConversationSink(dir);
  const streams = FIXTURES.map((file) => readRecordedStream(file));
  let largest = { bytes: 0, key: '' };
  for (let i = 0; i < CONVERSATIONS; i++) {
    const stream = streams[i % streams.length] as ReturnType<typeof readRecordedStream>;
    // Spread over DAYS days, newest last, at varied times of day.
    const start = END - Math.floor((i / CONVERSATIONS) * DAYS * 86_400_000) - (i % 97) * 61_000;
    const events = shiftTimestamps(stream.events, start - stream.firstMs) as unknown[];
    const record = buildConversationRecord(events, context(i));
    await exportConversation(record, sink);
    if (record.metadata.files.conversation.bytes > largest.bytes) {
      largest = {
        bytes: record.metadata.files.conversation.bytes,
        key: record.metadata.key_prefix,
      };
    }
  }
  return largest.key.replace(/^conversation-history\//, '').replace(/\/$/, '');
}

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/** Time to the first byte of the body, over a fresh connection. */
async function timeToFirstByte(url: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, { headers: { connection: 'close' } });
  const reader = response.body?.getReader();
  await reader?.read();
  const elapsed = performance.now() - started;
  await reader?.cancel();
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return elapsed;
}

export async function run(): Promise<BenchResult[]> {
  if (!chromiumInstalled()) {
    console.warn(CHROMIUM_MISSING);
    return [];
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'revbot-viewer-bench-'));
  const results: BenchResult[] = [];
  try {
    let started = performance.now();
    const largest = await writeRecords(dir);
    process.stderr.write(
      `  ${CONVERSATIONS} records written in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );

    // As pnpm dev mounts it: every day re-listed in the background when the index is 2 s old.
    const viewer = createConversationViewer({
      store: localConversationStore(dir),
      recentDays: Number.POSITIVE_INFINITY,
      cacheSize: 0,
    });
    const server = createServer((req, res) => {
      void viewer.handle(req, res).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    const listening = await listenOnLoopback(server);
    const base = `${listening.url}${viewer.basePath}`;
    const browser = await launchChromium();
    try {
      started = performance.now();
      await viewer.index.refresh();
      const buildMs = performance.now() - started;
      if (viewer.index.size !== CONVERSATIONS) {
        throw new Error(
          `indexed ${viewer.index.size} of ${CONVERSATIONS}: ${[...viewer.index.unreadable.values()][0]}`,
        );
      }
      results.push({
        name: `viewer index build, ${CONVERSATIONS} conversations`,
        value: round(buildMs, 0),
        unit: 'ms',
        target: '',
        ok: true,
      });

      for (let i = 0; i < 5; i++) await timeToFirstByte(base);
      const ttfb: number[] = [];
      for (let i = 0; i < 30; i++) ttfb.push(await timeToFirstByte(base));
      const ttfbP50 = median(ttfb);
      results.push({
        name: `viewer list page TTFB p50, ${CONVERSATIONS} conversations`,
        value: round(ttfbP50),
        unit: 'ms',
        target: `< ${LIST_TTFB_TARGET_MS}`,
        ok: ttfbP50 < LIST_TTFB_TARGET_MS,
      });
      const ttfbP95 = percentile(
        [...ttfb].sort((a, b) => a - b),
        95,
      );
      results.push({
        name: 'viewer list page TTFB p95',
        value: round(ttfbP95),
        unit: 'ms',
        target: `< ${LIST_TTFB_TARGET_MS}`,
        ok: ttfbP95 < LIST_TTFB_TARGET_MS,
      });

      const page = await browser.context.newPage();
      const navigate = async (url: string) => {
        await page.goto(url, { waitUntil: 'domcontentloaded' });
        if ((await page.getAttribute('html', 'data-ready')) !== 'true')
          throw new Error('viewer script did not run');
        // A string: the bench is compiled without the DOM library.
        return page.evaluate<number>(
          "performance.getEntriesByType('navigation')[0]?.domContentLoadedEventEnd ?? NaN",
        );
      };
      for (let i = 0; i < 3; i++) await navigate(base);
      const tti: number[] = [];
      for (let i = 0; i < 10; i++) tti.push(await navigate(`${base}?page=${1 + (i % 5)}`));
      const ttiP50 = median(tti);
      results.push({
        name: 'viewer list page time to interactive p50 (Chromium)',
        value: round(ttiP50),
        unit: 'ms',
        target: `< ${LIST_TTI_TARGET_MS}`,
        ok: ttiP50 < LIST_TTI_TARGET_MS,
      });

      const conversationUrl = `${base}/c/${largest}`;
      await navigate(conversationUrl);
      const rows = await page.locator('.waterfall li.row').count();
      const conversation: number[] = [];
      for (let i = 0; i < 10; i++) conversation.push(await navigate(conversationUrl));
      const conversationP50 = median(conversation);
      results.push({
        name: `viewer conversation page, largest record (${rows} steps), p50 (Chromium)`,
        value: round(conversationP50),
        unit: 'ms',
        target: `< ${CONVERSATION_TARGET_MS}`,
        ok: conversationP50 < CONVERSATION_TARGET_MS,
      });
    } finally {
      await browser.close();
      await listening.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
