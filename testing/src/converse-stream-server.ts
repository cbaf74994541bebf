/**
 * A local stand-in for Bedrock Runtime's ConverseStream (`POST /model/{modelId}/converse-stream`)
 * over HTTP/2 without TLS (the SDK client's default handler), answering with events encoded as
 * `application/vnd.amazon.eventstream` frames so the real BedrockRuntimeClient parses them. It
 * also answers the Agent Runtime's `Retrieve` (`POST /knowledgebases/{id}/retrieve`, JSON) when
 * given results, so one local server stands in for both Bedrock endpoints of the runtime.
 */
import { encodeStreamEvent } from './aws-event-stream';
import { startScriptedHttp2Server } from './scripted-http2-server';

/** One ConverseStream event: its member name and body, e.g. `['messageStop', {stopReason}]`. */
export type ConverseEvent = [eventType: string, body: Record<string, unknown>];

export function encodeConverseEvent([eventType, body]: ConverseEvent): Uint8Array {
  return encodeStreamEvent(eventType, body);
}

/** `metadata.usage` as Bedrock reports it; the cache counts appear once caching is in play. */
export interface ConverseUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

/** The events of a complete answer: text, then tool calls, stop reason and usage. */
export function converseAnswer(options: {
  text?: string;
  toolUses?: { id: string; name: string; input: Record<string, unknown> }[];
  stopReason?: string;
  usage?: ConverseUsage;
}): Uint8Array[] {
  const events: ConverseEvent[] = [['messageStart', { role: 'assistant' }]];
  let index = 0;
  if (options.text) {
    // Streamed in small pieces, as the service does.
    for (const piece of options.text.match(/.{1,7}/gs) ?? []) {
      events.push(['contentBlockDelta', { contentBlockIndex: index, delta: { text: piece } }]);
    }
    events.push(['contentBlockStop', { contentBlockIndex: index }]);
    index++;
  }
  for (const use of options.toolUses ?? []) {
    events.push([
      'contentBlockStart',
      { contentBlockIndex: index, start: { toolUse: { toolUseId: use.id, name: use.name } } },
    ]);
    const json = JSON.stringify(use.input);
    for (const piece of json.match(/.{1,9}/gs) ?? []) {
      events.push([
        'contentBlockDelta',
        { contentBlockIndex: index, delta: { toolUse: { input: piece } } },
      ]);
    }
    events.push(['contentBlockStop', { contentBlockIndex: index }]);
    index++;
  }
  const usage = options.usage ?? { inputTokens: 120, outputTokens: 30 };
  events.push([
    'messageStop',
    { stopReason: options.stopReason ?? (options.toolUses?.length ? 'tool_use' : 'end_turn') },
  ]);
  events.push([
    'metadata',
    {
      usage: {
        ...usage,
        totalTokens:
          usage.inputTokens +
          usage.outputTokens +
          (usage.cacheReadInputTokens ?? 0) +
          (usage.cacheWriteInputTokens ?? 0),
      },
      metrics: { latencyMs: 42 },
    },
  ]);
  return events.map(encodeConverseEvent);
}

/** An answer whose usage the server works out from the request (see `startConverseStreamServer`). */
export interface ConverseAnswerReply {
  answer: {
    text?: string;
    toolUses?: { id: string; name: string; input: Record<string, unknown> }[];
    stopReason?: string;
  };
}

export type ConverseReply =
  | { frames: Uint8Array[] }
  | ConverseAnswerReply
  | { status: number; errorType: string; message: string };

/** A reply calling one tool, after `text` if given: the turn orchestration tests script most. */
export const converseToolCall = (
  id: string,
  name: string,
  input: Record<string, unknown>,
  text?: string,
): ConverseReply => ({ frames: converseAnswer({ text, toolUses: [{ id, name, input }] }) });

export interface ConverseRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

export interface ConverseStreamServer {
  endpoint: string;
  requests: ConverseRequest[];
  /** Replies in order; the last one repeats. */
  reply(...replies: ConverseReply[]): void;
  /** What `Retrieve` answers (its `retrievalResults`). */
  retrieveResults(results: unknown[]): void;
  close(): Promise<void>;
}

export interface ConverseStreamServerOptions {
  /**
   * The usage of an `{answer}` reply, from the request and the answer's output tokens (e.g. a
   * ConversePromptCache's); by default input is the request's characters over four, uncached.
   */
  usage?: (modelId: string, body: Record<string, unknown>, outputTokens: number) => ConverseUsage;
}

export async function startConverseStreamServer(
  options: ConverseStreamServerOptions = {},
): Promise<ConverseStreamServer> {
  const requests: ConverseRequest[] = [];
  let retrievalResults: unknown[] = [];
  const scripted = await startScriptedHttp2Server<ConverseReply>((stream, request, nextReply) => {
    requests.push({ path: request.path, headers: request.headers, body: request.body });
    if (/^\/knowledgebases\/[^/]+\/retrieve$/.test(request.path)) {
      stream.respond({ ':status': 200, 'content-type': 'application/json' });
      stream.end(JSON.stringify({ retrievalResults }));
      return;
    }
    const scripted = nextReply();
    const reply =
      scripted && 'answer' in scripted ? answerFrames(scripted, request, options) : scripted;
    if (!reply) {
      stream.respond({ ':status': 500 });
      stream.end('no reply configured');
    } else if ('status' in reply) {
      stream.respond({
        ':status': reply.status,
        'content-type': 'application/json',
        'x-amzn-errortype': reply.errorType,
        'x-amzn-requestid': 'local-error-request',
      });
      stream.end(JSON.stringify({ message: reply.message }));
    } else {
      stream.respond({
        ':status': 200,
        'content-type': 'application/vnd.amazon.eventstream',
        'x-amzn-requestid': `local-request-${requests.length}`,
      });
      for (const frame of reply.frames) stream.write(frame);
      stream.end();
    }
  });
  return {
    ...scripted,
    requests,
    retrieveResults(results) {
      retrievalResults = results;
    },
  };
}

/** An `{answer}` reply as frames, its usage worked out from the request it answers. */
function answerFrames(
  reply: ConverseAnswerReply,
  request: { path: string; body: Record<string, unknown> },
  options: ConverseStreamServerOptions,
): { frames: Uint8Array[] } {
  const { text, toolUses } = reply.answer;
  const outputTokens = Math.ceil(`${text ?? ''}${JSON.stringify(toolUses ?? [])}`.length / 4);
  const modelId = decodeURIComponent(request.path.split('/')[2] ?? '');
  const usage = options.usage?.(modelId, request.body, outputTokens) ?? {
    inputTokens: Math.ceil(JSON.stringify(request.body).length / 4),
    outputTokens,
  };
  return { frames: converseAnswer({ ...reply.answer, usage }) };
}
