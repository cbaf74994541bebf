/**
 * `pnpm dev` as a user runs it, in a child process the fault suite can SIGKILL or SIGTERM, plus
 * the client calls the suite makes against it (webhooks at a concurrency, raw SQS sends).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const repoRoot = path.resolve(import.meta.dirname, '../..');

export interface StackProcess {
  url: string;
  pid: number;
  apiKey: string;
  /** Everything the process printed so far. */
  output(): string;
  /** Sends `signal` and resolves with the exit code once the process is gone. */
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

export async function startStackProcess(
  dataDir: string,
  env: Record<string, string>,
): Promise<StackProcess> {
  // node itself runs dev.ts (no tsx wrapper process), so the signals reach the stack.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'cli/src/dev.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: '0',
      REVBOT_DATA_DIR: dataDir,
      REVBOT_DATA_AS_OF: '2026-11-23',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const check = () => {
      const match = output.match(/RevBot local stack on (http:\/\/\S+)/);
      if (match?.[1]) return resolve(match[1]);
      if (child.exitCode !== null || Date.now() > deadline) {
        return reject(new Error(`pnpm dev did not start:\n${output}`));
      }
      setTimeout(check, 50);
    };
    check();
  });
  return {
    url,
    pid: child.pid as number,
    apiKey: readFileSync(path.join(dataDir, 'api-key'), 'utf8').trim(),
    output: () => output,
    async stop(signal) {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface PostResult {
  status: number;
  trackingId?: string;
  retryAfter?: string | null;
  /** Milliseconds from sending to the answer's body. */
  ms: number;
  /** The request failed before an answer (connection refused or reset). */
  error?: string;
}

/** POSTs `bodies` to `/webhook`, `concurrency` at a time, each result in the bodies' order. */
export async function postWebhooks(
  stack: Pick<StackProcess, 'url' | 'apiKey'>,
  bodies: string[],
  concurrency: number,
  onResult?: (result: PostResult, index: number) => void,
): Promise<PostResult[]> {
  const results: PostResult[] = new Array(bodies.length);
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const index = next++;
      let result: PostResult;
      const started = performance.now();
      try {
        const response = await fetch(`${stack.url}/webhook`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': stack.apiKey },
          body: bodies[index],
        });
        const json = (await response.json().catch(() => ({}))) as { tracking_id?: string };
        result = {
          status: response.status,
          trackingId: response.status === 202 ? json.tracking_id : undefined,
          retryAfter: response.headers.get('retry-after'),
          ms: performance.now() - started,
        };
      } catch (error) {
        result = {
          status: 0,
          error: error instanceof Error ? error.message : String(error),
          ms: performance.now() - started,
        };
      }
      results[index] = result;
      onResult?.(result, index);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

export const question = (i: number, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    query:
      i % 2 === 0 ? 'What is our pipeline this quarter?' : "What's the status of the IXIS deal?",
    source_system: 'fault-suite',
    source_process: `load-${i}`,
    ...extra,
  });

/** Sends `body` to a queue of the running stack through its SQS JSON endpoint, as SQS would redeliver it. */
export async function sendToQueue(url: string, queue: string, body: string): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': 'AmazonSQS.SendMessage',
    },
    body: JSON.stringify({ QueueUrl: `${url}/000000000000/${queue}`, MessageBody: body }),
  });
  if (response.status !== 200) throw new Error(`SendMessage answered ${response.status}`);
}

/** The resident set size of a process in bytes (Linux `/proc`), as `ps` reports it. */
export function residentBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
  return Number(line?.[1] ?? Number.NaN) * 1024;
}

/** The bodies a queue's journal holds (every message ever put while the file was not rewritten). */
export function journalBodies(dataDir: string, queue: string): string[] {
  const file = path.join(dataDir, 'state', 'queues', `${queue}.jsonl`);
  const bodies = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const entry = JSON.parse(line) as { put?: { body: string } };
    if (entry.put) bodies.add(entry.put.body);
  }
  return [...bodies];
}
