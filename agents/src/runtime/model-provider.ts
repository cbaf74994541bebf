/**
 * The one interface RevBot's orchestrator asks a model through, whatever serves it: Bedrock
 * Converse, an OpenAI-compatible chat completions server, or the offline deterministic model.
 *
 * The shapes follow Converse (text, tool use and tool result blocks; stop reasons; usage), the
 * richest of the three; each provider translates to and from its own wire format.
 */

/** JSON Schema of a tool's input: always an object with named properties. */
export interface ToolInputSchema {
  type: 'object';
  properties: Record<string, { type: string; description: string; items?: { type: string } }>;
  required: string[];
}

/** A tool the model may call. Names follow `^[a-zA-Z0-9_-]{1,64}$` (Converse and OpenAI alike). */
export interface ModelTool {
  name: string;
  description: string;
  inputSchema: ToolInputSchema;
}

export interface TextBlock {
  type: 'text';
  text: string;
}

export interface ToolUseBlock {
  type: 'toolUse';
  toolUseId: string;
  name: string;
  input: Record<string, unknown>;
}

export interface ToolResultBlock {
  type: 'toolResult';
  toolUseId: string;
  /** The tool's answer as text (an action group's response body, a collaborator's reply). */
  content: string;
  status: 'success' | 'error';
}

export type ContentBlock = TextBlock | ToolUseBlock | ToolResultBlock;

export interface ModelMessage {
  role: 'user' | 'assistant';
  content: ContentBlock[];
}

/** Why the model stopped: finished, wants tools run, or ran out of room. */
export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'stop_sequence' | 'other';

/**
 * Tokens of one model call, in Converse's terms: `inputTokens` counts only the input read
 * neither from nor into the prompt cache, so input + cache read + cache write is the whole
 * prompt (OpenAI's `prompt_tokens`, which includes its cached tokens, is split accordingly).
 */
export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
  /** Input tokens served from the prompt cache (billed at the cache-read price). */
  cacheReadInputTokens?: number;
  /** Input tokens written into the prompt cache (billed at the cache-write price). */
  cacheWriteInputTokens?: number;
}

/** Every token of a call: uncached input, cache reads and writes, and output. */
export const totalTokensOf = (usage: ModelUsage): number =>
  usage.inputTokens +
  usage.outputTokens +
  (usage.cacheReadInputTokens ?? 0) +
  (usage.cacheWriteInputTokens ?? 0);

export interface ModelRequest {
  /** Which agent is asking (its folder key and the name collaborators know it by). */
  agent: { key: string; name: string };
  /** Model or inference profile id as the provider understands it. */
  modelId: string;
  system: string;
  messages: ModelMessage[];
  tools: ModelTool[];
  inference: { maxTokens: number; temperature: number };
  signal?: AbortSignal;
  /** `routing`: the one classifier call of SUPERVISOR_ROUTER (no tools, a short answer). */
  purpose?: 'orchestration' | 'routing';
  /**
   * Called with each piece of text as the model produces it, in order, before `complete`
   * resolves; the pieces joined are the response's text. Providers that do not stream never call
   * it (the orchestrator then sends the answer whole).
   */
  onTextDelta?: (text: string) => void;
  /** Called when the response starts a tool call: the text so far is not an answer. */
  onToolUseStart?: (name: string) => void;
}

export interface ModelResponse {
  /** Text and tool-use blocks, in the order the model produced them. */
  content: (TextBlock | ToolUseBlock)[];
  stopReason: StopReason;
  usage: ModelUsage;
  /** The provider's answer as it came (for the trace's `rawResponse`), JSON text. */
  raw: string;
  /** Provider request id, when the provider has one (the trace's `clientRequestId`). */
  requestId?: string;
}

export interface ModelProvider {
  /** `converse`, `openai` or `offline`, for logs and traces. */
  readonly name: string;
  complete(request: ModelRequest): Promise<ModelResponse>;
}

export const textOf = (content: readonly ContentBlock[]): string =>
  content
    .filter((block): block is TextBlock => block.type === 'text')
    .map((block) => block.text)
    .join('')
    .trim();

export const toolUsesOf = (content: readonly ContentBlock[]): ToolUseBlock[] =>
  content.filter((block): block is ToolUseBlock => block.type === 'toolUse');

/**
 * A tool input as the providers stream it, JSON text in fragments; a truncated or non-object one
 * becomes `{}` (the tool then asks again).
 */
export function parseToolInput(text: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
