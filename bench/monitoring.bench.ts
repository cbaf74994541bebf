/**
 * Monitoring transform on a large stream (≥ 10 MB of events): the whole transform (recorder over
 * every event, finish with quality checks and leak scan, both files serialized) against JSON.parse
 * of the same bytes, and the transform's peak heap, measured in child processes with an exposed
 * GC so other work does not blur it.
 */
import { fork } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type ConversationRecord,
  ConversationRecorder,
  serializeMetadata,
} from '@revbot/monitoring';
import { toSdkForm } from '@revbot/testing/fixtures';
import { generateStream } from '@revbot/testing/stream-generator';
import { type BenchResult, round } from './types';

const TARGET_BYTES = 10.5 * 1024 * 1024;
const RUNS = 21;
const here = fileURLToPath(import.meta.url);
const tsxLoader = pathToFileURL(
  fileURLToPath(new URL('../node_modules/tsx/dist/loader.mjs', import.meta.url)),
).href;

function transform(events: unknown[], onEvent?: (i: number) => void): ConversationRecord {
  const recorder = new ConversationRecorder({
    conversationId: 'bench',
    channel: { kind: 'replay', source: 'bench' },
    userQuery: 'How is the pipeline?',
  });
  for (let i = 0; i < events.length; i++) {
    recorder.add(events[i]);
    onEvent?.(i);
  }
  const record = recorder.finish();
  // finish() already serialized conversation.json; metadata.json is the rest of what is written.
  serializeMetadata(record.metadata);
  return record;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

function timeIt(fn: () => void): number {
  const start = performance.now();
  fn();
  return performance.now() - start;
}

interface MemoryReport {
  inputMb: number;
  peakHeapMb: number;
  retainedHeapMb: number;
  conversationMb: number;
}

/** Child process: heap above the parsed input while transforming, sampled every 100 events. */
async function measureMemory(): Promise<MemoryReport> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  const text = JSON.stringify(generateStream(42, TARGET_BYTES).events);
  const events = JSON.parse(text) as unknown[];
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  let record: ConversationRecord | null = transform(events, (i) => {
    if (i % 100 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  });
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  const conversationBytes = record.metadata.files.conversation.bytes;
  // What the finished record holds: heap with it, minus heap once it is dropped.
  gc();
  const withRecord = process.memoryUsage().heapUsed;
  record = null;
  gc();
  const retained = withRecord - process.memoryUsage().heapUsed;
  const mb = (n: number) => round(n / 1024 / 1024, 1);
  return {
    inputMb: mb(Buffer.byteLength(text) + (events.length > 0 ? 0 : 1)),
    peakHeapMb: mb(peak - base),
    retainedHeapMb: mb(retained),
    conversationMb: mb(conversationBytes),
  };
}

if (process.env.REVBOT_BENCH_CHILD === 'monitoring-memory') {
  process.send?.(await measureMemory());
}

/**
 * `default`: Node's usual young generation, so the peak includes garbage not yet collected.
 * `live`: a 1 MB young generation collects garbage almost at once: the peak is close to the
 * transform's live working set.
 */
function memoryInChild(mode: 'default' | 'live'): Promise<MemoryReport> {
  return new Promise((resolve, reject) => {
    const child = fork(here, [], {
      env: { ...process.env, REVBOT_BENCH_CHILD: 'monitoring-memory' },
      execArgv: [
        '--expose-gc',
        ...(mode === 'live' ? ['--max-semi-space-size=1'] : []),
        '--import',
        tsxLoader,
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('message', (report) => resolve(report as MemoryReport));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`memory child exited with ${code}`));
    });
  });
}

export async function run(): Promise<BenchResult[]> {
  const text = JSON.stringify(generateStream(42, TARGET_BYTES).events);
  const bytes = Buffer.byteLength(text);
  const events = JSON.parse(text) as unknown[];
  const sdkEvents = toSdkForm(events);

  // Warm both paths up before measuring.
  for (let i = 0; i < 5; i++) {
    JSON.parse(text);
    transform(events);
    transform(sdkEvents);
  }
  // Each transform is timed right after a JSON.parse of the same bytes and compared with it, so a
  // burst of load from other processes shifts both sides of a ratio alike.
  const parse: number[] = [];
  const saved: number[] = [];
  const sdk: number[] = [];
  const savedRatio: number[] = [];
  const sdkRatio: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const p1 = timeIt(() => JSON.parse(text));
    const t1 = timeIt(() => transform(events));
    const p2 = timeIt(() => JSON.parse(text));
    const t2 = timeIt(() => transform(sdkEvents));
    parse.push(p1, p2);
    saved.push(t1);
    sdk.push(t2);
    savedRatio.push(t1 / p1);
    sdkRatio.push(t2 / p2);
  }
  const parseMs = median(parse);
  const savedMs = median(saved);
  const ratio = median(savedRatio);
  const sdkMs = median(sdk);
  const ratioSdk = median(sdkRatio);
  const mb = bytes / 1024 / 1024;
  const usual = await memoryInChild('default');
  const live = await memoryInChild('live');

  const row = (name: string, value: number, unit: string, target = '', ok = true): BenchResult => ({
    name: `monitoring ${name}`,
    value,
    unit,
    target,
    ok,
  });
  return [
    row(`stream size (${events.length} events)`, round(mb, 1), 'MB', '>= 10', mb >= 10),
    row('JSON.parse of the stream (median)', round(parseMs, 1), 'ms'),
    row('transform of saved-JSON events (median)', round(savedMs, 1), 'ms'),
    row('transform / JSON.parse (median of paired runs)', round(ratio, 2), 'x', '<= 3', ratio <= 3),
    row('transform throughput', round(mb / (savedMs / 1000), 0), 'MB/s'),
    row('transform of SDK-form events: Date, Uint8Array (median)', round(sdkMs, 1), 'ms'),
    row('transform / JSON.parse, SDK-form events', round(ratioSdk, 2), 'x', '<= 3', ratioSdk <= 3),
    row('peak heap above the parsed input, garbage included', usual.peakHeapMb, 'MB'),
    row(
      `peak heap with a 1 MB young generation (≈ live; stream ${usual.inputMb} MB)`,
      live.peakHeapMb,
      'MB',
    ),
    row('heap retained by the finished record', live.retainedHeapMb, 'MB'),
    row('conversation.json size', usual.conversationMb, 'MB'),
  ];
}
