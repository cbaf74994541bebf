/**
 * The production model provider for `AGENT_RUNTIME=converse`: Bedrock's ConverseStream with tool
 * use, on the configured cross-Region inference profile. The stream's content blocks are put back
 * together (text deltas, tool inputs streamed as JSON fragments), with the stop reason and usage.
 *
 * The SDK retries throttling and 5xx on the request itself; a failure inside the stream, or one
 * that outlives the retries, becomes a ModelProviderError saying whether another try may help.
 */

import {
  type BedrockRuntimeClient,
  type ContentBlock as ConverseContentBlock,
  ConverseStreamCommand,
  type ConverseStreamOutput,
  type Message,
  type TokenUsage,
  type Tool,
} from '@aws-sdk/client-bedrock-runtime';
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

export const CONVERSE_PROVIDER = 'converse';

/** Exceptions another attempt may get past: capacity, throttling, transient model errors. */
const RETRYABLE = new Set([
  'ThrottlingException',
  'ServiceUnavailableException',
  'InternalServerException',
  'ModelTimeoutException',
  'ModelNotReadyException',
  'ModelStreamErrorException',
]);

export interface ConverseProviderOptions {
  /**
   * Put prompt-cache points after the system prompt, after the tool definitions and at the end
   * of the conversation, on models that support caching (three of the four a request may have);
   * an agent's later calls then read that prefix at the cache-read price.
   * @default false
   */
  promptCaching?: boolean;
}

const CACHE_POINT = { cachePoint: { type: 'default' as const } };

/**
 * Where a model accepts cache points: Claude 3.5 Haiku, 3.7 Sonnet and every Claude 4 model
 * cache the system prompt, the tools and messages; Amazon Nova the system prompt and messages. Inference
 * profile prefixes (`us.`, `global.`, …) and ARNs are looked through.
 */
export function promptCacheSupport(modelId: string): {
  system: boolean;
  tools: boolean;
  messages: boolean;
} {
  if (/anthropic\.claude-(3-5-haiku|3-7-sonnet|(sonnet|opus|haiku)-4)/.test(modelId)) {
    return { system: true, tools: true, messages: true };
  }
  if (/amazon\.nova-(micro|lite|pro|premier)/.test(modelId)) {
    return { system: true, tools: false, messages: true };
  }
  return { system: false, tools: false, messages: false };
}

export class ConverseProvider implements ModelProvider {
  readonly name = CONVERSE_PROVIDER;

  constructor(
    private readonly client: BedrockRuntimeClient,
    private readonly options: ConverseProviderOptions = {},
  ) {}

  async complete(request: ModelRequest): Promise<ModelResponse> {
    const caching = this.options.promptCaching
      ? promptCacheSupport(request.modelId)
      : { system: false, tools: false, messages: false };
    const messages = request.messages.map(toConverseMessage);
    // The conversation so far, cached too: the agent's next call (its next tool round, or the
    // next question of the session) reads it instead of paying for it again.
    const last = messages.at(-1);
    if (caching.messages && last) last.content = [...(last.content ?? []), CACHE_POINT];
    const command = new ConverseStreamCommand({
      modelId: request.modelId,
      system: [{ text: request.system }, ...(caching.system ? [CACHE_POINT] : [])],
      messages,
      ...(request.tools.length > 0
        ? {
            toolConfig: {
              tools: [
                ...request.tools.map(
                  (tool): Tool => ({
                    toolSpec: {
                      name: tool.name,
                      description: tool.description,
                      inputSchema: { json: tool.inputSchema as never },
                    },
                  }),
                ),
                ...(caching.tools ? [CACHE_POINT] : []),
              ],
            },
          }
        : {}),
      inferenceConfig: {
        maxTokens: request.inference.maxTokens,
        temperature: request.inference.temperature,
      },
    });

    let stream: AsyncIterable<ConverseStreamOutput> | undefined;
    let requestId: string | undefined;
    try {
      const output = await this.client.send(command, { abortSignal: request.signal });
      stream = output.stream;
      requestId = output.$metadata.requestId;
    } catch (error) {
      throw toProviderError(error);
    }
    if (!stream)
      throw new ModelProviderError('ConverseStream returned no stream', 'EMPTY_STREAM', true);

    const blocks = new Map<
      number,
      { text?: string; toolUse?: { id: string; name: string; input: string } }
    >();
    let stopReason: StopReason = 'other';
    let stopped = false;
    let usage: ModelUsage = { inputTokens: 0, outputTokens: 0 };
    try {
      for await (const event of stream) {
        if (event.contentBlockStart) {
          const start = event.contentBlockStart.start?.toolUse;
          if (start) {
            blocks.set(event.contentBlockStart.contentBlockIndex ?? blocks.size, {
              toolUse: { id: start.toolUseId ?? '', name: start.name ?? '', input: '' },
            });
            request.onToolUseStart?.(start.name ?? '');
          }
        } else if (event.contentBlockDelta) {
          const index = event.contentBlockDelta.contentBlockIndex ?? 0;
          const delta = event.contentBlockDelta.delta;
          const block = blocks.get(index) ?? {};
          if (delta?.text !== undefined) {
            block.text = (block.text ?? '') + delta.text;
            // Passed on as it arrives: the orchestrator streams the final answer from it.
            if (delta.text !== '') request.onTextDelta?.(delta.text);
          }
          if (delta?.toolUse?.input !== undefined && block.toolUse) {
            block.toolUse.input += delta.toolUse.input;
          }
          blocks.set(index, block);
        } else if (event.messageStop) {
          stopReason = toStopReason(event.messageStop.stopReason);
          stopped = true;
        } else if (event.metadata) {
          usage = converseUsage(event.metadata.usage);
        } else if (!event.messageStart && !event.contentBlockStop) {
          const exception = streamedException(event);
          if (exception) throw exception;
        }
      }
    } catch (error) {
      throw toProviderError(error, true);
    }
    if (!stopped) {
      throw new ModelProviderError(
        'The ConverseStream response ended early',
        'STREAM_INCOMPLETE',
        true,
      );
    }

    const content: (TextBlock | ToolUseBlock)[] = [];
    for (const index of [...blocks.keys()].sort((a, b) => a - b)) {
      const block = blocks.get(index)!;
      if (block.toolUse) {
        content.push({
          type: 'toolUse',
          toolUseId: block.toolUse.id,
          name: block.toolUse.name,
          input: parseToolInput(block.toolUse.input),
        });
      } else if (block.text) {
        content.push({ type: 'text', text: block.text });
      }
    }
    return {
      content,
      stopReason,
      usage,
      requestId,
      raw: JSON.stringify({
        output: { message: { role: 'assistant', content: content.map(toConverseBlock) } },
        stopReason: stopReasonWire(stopReason),
        usage: { ...usage, totalTokens: totalTokensOf(usage) },
      }),
    };
  }
}

/** The stream's `metadata.usage`, cache counts kept only when the service reported them. */
export function converseUsage(usage: TokenUsage | undefined): ModelUsage {
  return {
    inputTokens: usage?.inputTokens ?? 0,
    outputTokens: usage?.outputTokens ?? 0,
    ...(usage?.cacheReadInputTokens !== undefined
      ? { cacheReadInputTokens: usage.cacheReadInputTokens }
      : {}),
    ...(usage?.cacheWriteInputTokens !== undefined
      ? { cacheWriteInputTokens: usage.cacheWriteInputTokens }
      : {}),
  };
}

function toConverseBlock(block: ModelMessage['content'][number]): ConverseContentBlock {
  switch (block.type) {
    case 'text':
      return { text: block.text };
    case 'toolUse':
      return {
        toolUse: { toolUseId: block.toolUseId, name: block.name, input: block.input as never },
      };
    case 'toolResult':
      return {
        toolResult: {
          toolUseId: block.toolUseId,
          content: [{ text: block.content || '(empty)' }],
          status: block.status,
        },
      };
  }
}

function toConverseMessage(message: ModelMessage): Message {
  return { role: message.role, content: message.content.map(toConverseBlock) };
}

function toStopReason(reason: string | undefined): StopReason {
  switch (reason) {
    case 'end_turn':
    case 'tool_use':
    case 'max_tokens':
    case 'stop_sequence':
      return reason;
    default:
      return 'other';
  }
}

const stopReasonWire = (reason: StopReason) => (reason === 'other' ? 'end_turn' : reason);

/** A modeled exception delivered as an event of the stream. */
function streamedException(event: ConverseStreamOutput): ModelProviderError | undefined {
  const [member, value] =
    Object.entries(event).find(([key, v]) => key !== '$unknown' && v !== undefined) ?? [];
  if (!member) return undefined;
  const name = member.charAt(0).toUpperCase() + member.slice(1);
  const message = (value as { message?: string } | undefined)?.message ?? 'no message';
  return new ModelProviderError(
    `Bedrock ConverseStream failed (${name}): ${message}`,
    name,
    RETRYABLE.has(name),
  );
}

function toProviderError(error: unknown, midStream = false): Error {
  if (error instanceof ModelProviderError) return error;
  const e = (error ?? {}) as {
    name?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    $fault?: string;
  };
  const name = e.name ?? 'Error';
  // Cancellation is the orchestrator's to interpret (deadline or caller).
  if (name === 'AbortError') return error as Error;
  const status = e.$metadata?.httpStatusCode;
  const retryable =
    RETRYABLE.has(name) ||
    status === 429 ||
    (status !== undefined && status >= 500) ||
    e.$fault === 'server' ||
    (midStream && e.$metadata === undefined);
  const shown = status ? `${name}, HTTP ${status}` : name;
  return new ModelProviderError(
    `Bedrock ConverseStream failed (${shown}): ${e.message || 'no message'}`,
    name,
    retryable,
    { cause: error },
  );
}
