/**
 * A local OpenAI-compatible chat completions server (`POST /v1/chat/completions`) that streams
 * scripted answers as server-sent events the way OpenAI documents them: `chat.completion.chunk`
 * objects with deltas, tool calls streamed by index, a usage-only last chunk when
 * `stream_options.include_usage` is set, then `data: [DONE]`. Errors use OpenAI's error body.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback';

export type ChatReply =
  | {
      text?: string;
      toolCalls?: { id: string; name: string; arguments: Record<string, unknown> }[];
      finishReason?: string;
      usage?: {
        prompt_tokens: number;
        completion_tokens: number;
        /** As OpenAI reports prompt caching (`cached_tokens` is part of `prompt_tokens`). */
        prompt_tokens_details?: { cached_tokens: number; audio_tokens?: number };
        completion_tokens_details?: { reasoning_tokens: number };
      };
      /** Stop sending after this many events, without [DONE] (a dropped connection). */
      cutAfter?: number;
    }
  | {
      status: number;
      error: { message: string; type: string; code?: string };
      retryAfter?: string;
    };

export interface ChatRequest {
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

export interface OpenAISseServer {
  baseUrl: string;
  requests: ChatRequest[];
  reply(...replies: ChatReply[]): void;
  close(): Promise<void>;
}

function chunkEvents(
  reply: Exclude<ChatReply, { status: number }>,
  includeUsage: boolean,
): string[] {
  const base = {
    id: 'chatcmpl-local1',
    object: 'chat.completion.chunk',
    created: 1764000000,
    model: 'local-model',
  };
  const events: unknown[] = [
    {
      ...base,
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
    },
  ];
  for (const piece of reply.text?.match(/.{1,6}/gs) ?? []) {
    events.push({
      ...base,
      choices: [{ index: 0, delta: { content: piece }, finish_reason: null }],
    });
  }
  reply.toolCalls?.forEach((call, index) => {
    events.push({
      ...base,
      choices: [
        {
          index: 0,
          delta: {
            tool_calls: [
              {
                index,
                id: call.id,
                type: 'function',
                function: { name: call.name, arguments: '' },
              },
            ],
          },
          finish_reason: null,
        },
      ],
    });
    for (const piece of JSON.stringify(call.arguments).match(/.{1,8}/gs) ?? []) {
      events.push({
        ...base,
        choices: [
          {
            index: 0,
            delta: { tool_calls: [{ index, function: { arguments: piece } }] },
            finish_reason: null,
          },
        ],
      });
    }
  });
  events.push({
    ...base,
    choices: [
      {
        index: 0,
        delta: {},
        finish_reason: reply.finishReason ?? (reply.toolCalls?.length ? 'tool_calls' : 'stop'),
      },
    ],
  });
  if (includeUsage) {
    const usage = reply.usage ?? { prompt_tokens: 200, completion_tokens: 40 };
    events.push({
      ...base,
      choices: [],
      usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
    });
  }
  const lines = events.map((e) => `data: ${JSON.stringify(e)}\n\n`);
  if (reply.cutAfter !== undefined) return lines.slice(0, reply.cutAfter);
  return [...lines, 'data: [DONE]\n\n'];
}

export async function startOpenAISseServer(): Promise<OpenAISseServer> {
  const requests: ChatRequest[] = [];
  let replies: ChatReply[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'Not found', type: 'invalid_request_error' } }));
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    requests.push({ headers: req.headers, body });
    const reply = replies.length > 1 ? replies.shift()! : replies[0];
    if (!reply) {
      res.writeHead(500).end();
      return;
    }
    if ('status' in reply) {
      res.writeHead(reply.status, {
        'content-type': 'application/json',
        ...(reply.retryAfter ? { 'retry-after': reply.retryAfter } : {}),
      });
      res.end(JSON.stringify({ error: reply.error }));
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-request-id': `req_local_${requests.length}`,
    });
    const includeUsage = Boolean(
      (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage,
    );
    for (const event of chunkEvents(reply, includeUsage)) res.write(event);
    res.end();
  });
  const listening = await listenOnLoopback(server);
  return {
    baseUrl: `${listening.url}/v1`,
    requests,
    reply(...next) {
      replies = next;
    },
    close: listening.close,
  };
}
