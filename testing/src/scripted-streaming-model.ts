/**
 * A scripted model that streams like a real one, for streaming tests and benchmarks: a local
 * Bedrock ConverseStream endpoint (HTTP/2, `application/vnd.amazon.eventstream`, what the real
 * BedrockRuntimeClient parses) that sends each scripted answer token by token: the first token
 * after a set delay, then one token every few milliseconds, tool calls after the text. A reply can
 * hold its stream open until the test lets it finish, and every request keeps a timeline (when it
 * arrived, when its first and last tokens went out, whether the client cancelled it).
 */
import type { ServerHttp2Stream } from 'node:http2';
import { performance } from 'node:perf_hooks';
import { type ConverseEvent, encodeConverseEvent } from './converse-stream-server';
import { startScriptedHttp2Server } from './scripted-http2-server';

export interface StreamingReply {
  /** The answer text, sent as tokens (a word with its following space each). */
  text?: string;
  /** Tool calls, sent after the text. */
  toolUses?: { id: string; name: string; input: Record<string, unknown> }[];
  /** Holds the stream open after the last token until this settles. */
  holdUntil?: Promise<unknown>;
  usage?: { inputTokens: number; outputTokens: number };
  /** Overrides the server's pacing for this reply. */
  firstTokenDelayMs?: number;
  tokenIntervalMs?: number;
}

export interface StreamingModelRequest {
  path: string;
  body: Record<string, unknown>;
  /** `performance.now()` times, in this process. */
  receivedAt: number;
  firstTokenAt?: number;
  lastTokenAt?: number;
  endedAt?: number;
  /** The client went away before the answer ended (its request was aborted). */
  cancelled: boolean;
}

export interface ScriptedStreamingModelOptions {
  /** Delay before the first token (default 200 ms). */
  firstTokenDelayMs?: number;
  /** Delay between tokens (default 20 ms). */
  tokenIntervalMs?: number;
}

export interface ScriptedStreamingModel {
  /** Pass as the BedrockRuntimeClient endpoint (with `localClientConfig`). */
  endpoint: string;
  requests: StreamingModelRequest[];
  /** Replies in order; the last one repeats. */
  reply(...replies: StreamingReply[]): void;
  /** Or one reply per request, chosen from it (e.g. by its system prompt). */
  respond(choose: (request: StreamingModelRequest) => StreamingReply): void;
  close(): Promise<void>;
}

/** The tokens `text` is sent as: each word with the whitespace after it. */
export const tokensOf = (text: string): string[] => text.match(/\s*\S+\s*/g) ?? [];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startScriptedStreamingModel(
  options: ScriptedStreamingModelOptions = {},
): Promise<ScriptedStreamingModel> {
  const requests: StreamingModelRequest[] = [];
  let chooser: ((request: StreamingModelRequest) => StreamingReply) | undefined;
  const server = await startScriptedHttp2Server<StreamingReply>((stream, request, nextReply) => {
    const record: StreamingModelRequest = {
      path: request.path,
      body: request.body,
      receivedAt: performance.now(),
      cancelled: false,
    };
    requests.push(record);
    const reply = chooser ? chooser(record) : nextReply();
    if (!reply) {
      stream.respond({ ':status': 500 });
      stream.end('no reply configured');
      return;
    }
    void send(stream, record, reply, requests.length, options);
  });
  return {
    endpoint: server.endpoint,
    requests,
    reply(...replies) {
      chooser = undefined;
      server.reply(...replies);
    },
    respond(choose) {
      chooser = choose;
    },
    close: server.close,
  };
}

async function send(
  stream: ServerHttp2Stream,
  record: StreamingModelRequest,
  reply: StreamingReply,
  n: number,
  options: ScriptedStreamingModelOptions,
): Promise<void> {
  const open = () => !stream.closed && !stream.destroyed;
  stream.on('close', () => {
    if (record.endedAt === undefined) record.cancelled = true;
  });
  const write = (event: ConverseEvent) => {
    if (open()) stream.write(encodeConverseEvent(event));
  };
  stream.respond({
    ':status': 200,
    'content-type': 'application/vnd.amazon.eventstream',
    'x-amzn-requestid': `streaming-request-${n}`,
  });
  write(['messageStart', { role: 'assistant' }]);
  await sleep(reply.firstTokenDelayMs ?? options.firstTokenDelayMs ?? 200);
  const interval = reply.tokenIntervalMs ?? options.tokenIntervalMs ?? 20;
  let index = 0;
  let first = true;
  const token = async (event: ConverseEvent) => {
    if (!first) await sleep(interval);
    first = false;
    if (!open()) return;
    write(event);
    const now = performance.now();
    record.firstTokenAt ??= now;
    record.lastTokenAt = now;
  };
  if (reply.text) {
    for (const piece of tokensOf(reply.text)) {
      await token(['contentBlockDelta', { contentBlockIndex: index, delta: { text: piece } }]);
    }
    write(['contentBlockStop', { contentBlockIndex: index }]);
    index++;
  }
  for (const use of reply.toolUses ?? []) {
    await token([
      'contentBlockStart',
      { contentBlockIndex: index, start: { toolUse: { toolUseId: use.id, name: use.name } } },
    ]);
    write([
      'contentBlockDelta',
      { contentBlockIndex: index, delta: { toolUse: { input: JSON.stringify(use.input) } } },
    ]);
    write(['contentBlockStop', { contentBlockIndex: index }]);
    index++;
  }
  if (reply.holdUntil) await reply.holdUntil.catch(() => undefined);
  if (!open()) return;
  const usage = reply.usage ?? { inputTokens: 150, outputTokens: 40 };
  write(['messageStop', { stopReason: reply.toolUses?.length ? 'tool_use' : 'end_turn' }]);
  write([
    'metadata',
    {
      usage: { ...usage, totalTokens: usage.inputTokens + usage.outputTokens },
      metrics: { latencyMs: 1 },
    },
  ]);
  record.endedAt = performance.now();
  stream.end();
}
