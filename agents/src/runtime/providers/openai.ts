/**
 * A model provider for any OpenAI-compatible chat completions API (OpenAI, vLLM, Ollama,
 * llama.cpp, LiteLLM, …): `POST {baseUrl}/chat/completions` with function tools, streamed as
 * server-sent events (`stream: true`, usage in the last chunk), so a team can run RevBot's agents
 * on a local model server or another provider.
 *
 * Rate limits (429), server errors and dropped connections are retried with backoff (honouring
 * `Retry-After`); what still fails becomes a ModelProviderError saying whether to retry later.
 * The API key is sent as a Bearer token and never logged.
 */

import { parseRetryAfter } from '@revbot/core';
import { ModelProviderError } from '../../errors';
import type {
  ModelMessage,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  ModelUsage,
  StopReason,
  TextBlock,
  ToolUseBlock,
} from '../model-provider';
import { parseToolInput, totalTokensOf } from '../model-provider';

export const OPENAI_PROVIDER = 'openai';

export interface OpenAIProviderOptions {
  /** API root including the version, e.g. `https://api.openai.com/v1` or `http://localhost:11434/v1`. */
  baseUrl: string;
  /** The API key, or a function reading it (e.g. from Secrets Manager); none for local servers. */
  apiKey?: string | (() => Promise<string>);
  /** Attempts per model call (default 3). */
  maxAttempts?: number;
  /** First backoff delay in milliseconds (default 500), doubled on each retry. */
  backoffMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Chat completions wire types (the parts RevBot sends and reads). */
type WireMessage =
  | { role: 'system' | 'user'; content: string }
  | {
      role: 'assistant';
      content: string | null;
      tool_calls?: {
        id: string;
        type: 'function';
        function: { name: string; arguments: string };
      }[];
    }
  | { role: 'tool'; tool_call_id: string; content: string };

interface StreamChunk {
  id?: string;
  model?: string;
  choices?: {
    index?: number;
    delta?: {
      content?: string | null;
      tool_calls?: {
        index?: number;
        id?: string;
        type?: string;
        function?: { name?: string; arguments?: string };
      }[];
    };
    finish_reason?: string | null;
  }[];
  usage?: {
    prompt_tokens?: number;
    completion_tokens?: number;
    /** OpenAI's automatic prompt caching: the part of `prompt_tokens` read from its cache. */
    prompt_tokens_details?: { cached_tokens?: number } | null;
  } | null;
  error?: { message?: string; type?: string; code?: string | number };
}

const RETRYABLE_STATUS = new Set([408, 409, 429, 500, 502, 503, 504]);

export class OpenAIProvider implements ModelProvider {
  readonly name = OPENAI_PROVIDER;
  private readonly url: string;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(private readonly options: OpenAIProviderOptions) {
    this.url = `${options.baseUrl.replace(/\/+$/, '')}/chat/completions`;
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.sleep = options.sleep ?? abortableSleep;
  }

  async complete(request: ModelRequest): Promise<ModelResponse> {
    const body = JSON.stringify({
      model: request.modelId,
      messages: toWireMessages(request.system, request.messages),
      ...(request.tools.length > 0
        ? {
            tools: request.tools.map((tool) => ({
              type: 'function',
              function: {
                name: tool.name,
                description: tool.description,
                parameters: tool.inputSchema,
              },
            })),
          }
        : {}),
      max_tokens: request.inference.maxTokens,
      temperature: request.inference.temperature,
      stream: true,
      stream_options: { include_usage: true },
    });
    const attempts = Math.max(1, this.options.maxAttempts ?? 3);
    for (let attempt = 1; ; attempt++) {
      let streamed = false;
      try {
        return await this.attempt(body, request, () => {
          streamed = true;
        });
      } catch (error) {
        if (isAbort(error) || request.signal?.aborted) throw error;
        const failure =
          error instanceof ModelProviderError
            ? error
            : new ModelProviderError(
                `The model server could not be reached (${describe(error)})`,
                'NETWORK_ERROR',
                true,
                { cause: error },
              );
        // Text already passed on cannot be taken back: another attempt would repeat it.
        if (!failure.retryable || attempt >= attempts || streamed) throw failure;
        const wait =
          (failure as RetryAfter).retryAfterMs ??
          (this.options.backoffMs ?? 500) * 2 ** (attempt - 1);
        await this.sleep(Math.min(wait, 20_000), request.signal);
      }
    }
  }

  private async attempt(
    body: string,
    request: ModelRequest,
    onStreamed: () => void,
  ): Promise<ModelResponse> {
    const { signal } = request;
    const key =
      typeof this.options.apiKey === 'function' ? await this.options.apiKey() : this.options.apiKey;
    const response = await this.fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body,
      signal,
    });
    if (!response.ok) throw await httpError(response);
    if (!response.body) {
      throw new ModelProviderError('The model server sent no response body', 'EMPTY_STREAM', true);
    }
    const requestId = response.headers.get('x-request-id') ?? undefined;

    let text = '';
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    let finish: string | undefined;
    let usage: ModelUsage = { inputTokens: 0, outputTokens: 0 };
    let id: string | undefined;
    let model: string | undefined;
    let done = false;
    for await (const data of serverSentData(response.body)) {
      if (data === '[DONE]') {
        done = true;
        break;
      }
      let chunk: StreamChunk;
      try {
        chunk = JSON.parse(data) as StreamChunk;
      } catch {
        throw new ModelProviderError(
          'The model server sent an unreadable event',
          'BAD_STREAM',
          true,
        );
      }
      if (chunk.error) {
        throw new ModelProviderError(
          `The model server failed mid-answer: ${chunk.error.message ?? 'no message'}`,
          'STREAM_ERROR',
          true,
        );
      }
      id ??= chunk.id;
      model ??= chunk.model;
      if (chunk.usage) usage = openAIUsage(chunk.usage);
      for (const choice of chunk.choices ?? []) {
        if ((choice.index ?? 0) !== 0) continue;
        if (choice.delta?.content) {
          text += choice.delta.content;
          if (request.onTextDelta) {
            onStreamed();
            request.onTextDelta(choice.delta.content);
          }
        }
        for (const call of choice.delta?.tool_calls ?? []) {
          const index = call.index ?? 0;
          if (!calls.has(index)) request.onToolUseStart?.(call.function?.name ?? '');
          const current = calls.get(index) ?? { id: '', name: '', arguments: '' };
          if (call.id) current.id = call.id;
          if (call.function?.name) current.name += call.function.name;
          if (call.function?.arguments) current.arguments += call.function.arguments;
          calls.set(index, current);
        }
        if (choice.finish_reason) finish = choice.finish_reason;
      }
    }
    if (!done && finish === undefined) {
      throw new ModelProviderError(
        'The model server’s stream ended early',
        'STREAM_INCOMPLETE',
        true,
      );
    }

    const content: (TextBlock | ToolUseBlock)[] = [];
    if (text.trim()) content.push({ type: 'text', text });
    const toolCalls = [...calls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
    toolCalls.forEach((call, i) => {
      content.push({
        type: 'toolUse',
        toolUseId: call.id || `call_${id ?? 'local'}_${i}`,
        name: call.name,
        input: parseToolInput(call.arguments),
      });
    });
    const stopReason = toStopReason(finish, toolCalls.length > 0);
    return {
      content,
      stopReason,
      usage,
      requestId: requestId ?? id,
      raw: JSON.stringify({
        id,
        object: 'chat.completion',
        model,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: text || null,
              ...(toolCalls.length > 0
                ? {
                    tool_calls: toolCalls.map((call) => ({
                      id: call.id,
                      type: 'function',
                      function: { name: call.name, arguments: call.arguments },
                    })),
                  }
                : {}),
            },
            finish_reason: finish ?? null,
          },
        ],
        usage: {
          prompt_tokens: usage.inputTokens + (usage.cacheReadInputTokens ?? 0),
          completion_tokens: usage.outputTokens,
          total_tokens: totalTokensOf(usage),
          ...(usage.cacheReadInputTokens !== undefined
            ? { prompt_tokens_details: { cached_tokens: usage.cacheReadInputTokens } }
            : {}),
        },
      }),
    };
  }
}

/**
 * A chunk's `usage` in Converse's terms: `prompt_tokens` includes the cached tokens, which are
 * taken out of the input and reported as cache reads (OpenAI reports no cache writes).
 */
export function openAIUsage(usage: NonNullable<StreamChunk['usage']>): ModelUsage {
  const prompt = usage.prompt_tokens ?? 0;
  const cached = usage.prompt_tokens_details?.cached_tokens;
  const read = cached === undefined ? undefined : Math.min(Math.max(0, cached), prompt);
  return {
    inputTokens: prompt - (read ?? 0),
    outputTokens: usage.completion_tokens ?? 0,
    ...(read !== undefined ? { cacheReadInputTokens: read } : {}),
  };
}

/** The conversation as chat messages: tool results become `tool` messages after the call. */
export function toWireMessages(system: string, messages: ModelMessage[]): WireMessage[] {
  const wire: WireMessage[] = [{ role: 'system', content: system }];
  for (const message of messages) {
    if (message.role === 'assistant') {
      const text = message.content
        .filter((b) => b.type === 'text')
        .map((b) => (b.type === 'text' ? b.text : ''))
        .join('');
      const calls = message.content.flatMap((b) =>
        b.type === 'toolUse'
          ? [
              {
                id: b.toolUseId,
                type: 'function' as const,
                function: { name: b.name, arguments: JSON.stringify(b.input) },
              },
            ]
          : [],
      );
      wire.push({
        role: 'assistant',
        content: text || null,
        ...(calls.length > 0 ? { tool_calls: calls } : {}),
      });
      continue;
    }
    const texts: string[] = [];
    for (const block of message.content) {
      if (block.type === 'toolResult') {
        wire.push({
          role: 'tool',
          tool_call_id: block.toolUseId,
          content: block.status === 'error' ? `Error: ${block.content}` : block.content,
        });
      } else if (block.type === 'text') texts.push(block.text);
    }
    if (texts.length > 0) wire.push({ role: 'user', content: texts.join('\n') });
  }
  return wire;
}

/** The `data:` payloads of a server-sent event stream, one per event. */
async function* serverSentData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  const reader = body.getReader();
  try {
    while (true) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline = buffer.search(/\r?\n/);
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(buffer[newline] === '\r' ? newline + 2 : newline + 1);
        if (line === '') {
          if (data.length > 0) yield data.join('\n');
          data = [];
        } else if (line.startsWith('data:')) {
          data.push(line.slice(5).replace(/^ /, ''));
        }
        newline = buffer.search(/\r?\n/);
      }
      if (done) break;
    }
    if (buffer.startsWith('data:')) data.push(buffer.slice(5).replace(/^ /, ''));
    if (data.length > 0) yield data.join('\n');
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

interface RetryAfter {
  retryAfterMs?: number;
}

async function httpError(response: Response): Promise<ModelProviderError> {
  let detail = '';
  try {
    const body = (await response.json()) as { error?: { message?: string; code?: unknown } };
    detail = body.error?.message ?? '';
  } catch {
    // Not JSON: the status says enough.
  }
  const retryable = RETRYABLE_STATUS.has(response.status);
  const error = new ModelProviderError(
    `The model server answered HTTP ${response.status}${detail ? `: ${detail.slice(0, 300)}` : ''}`,
    response.status === 429 ? 'RATE_LIMITED' : `HTTP_${response.status}`,
    retryable,
  );
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
  if (retryAfterMs !== undefined) (error as RetryAfter).retryAfterMs = retryAfterMs;
  return error;
}

function toStopReason(finish: string | undefined, calledTools: boolean): StopReason {
  if (calledTools) return 'tool_use';
  switch (finish) {
    case 'stop':
      return 'end_turn';
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    default:
      return 'other';
  }
}

const isAbort = (error: unknown) =>
  (error as { name?: string })?.name === 'AbortError' ||
  (error as { name?: string })?.name === 'TimeoutError';

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string } })?.cause;
  return cause?.code ?? (error as { name?: string })?.name ?? 'Error';
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
