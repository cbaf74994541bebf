/**
 * Builders for model-provider tests: one model turn's content blocks and the request both
 * providers are exercised with (a question, the assistant's tool calls, their results, with the
 * Data agent's query tool offered), so each provider test states only what differs.
 */
import type {
  ModelRequest,
  ModelTool,
  ToolResultBlock,
  ToolUseBlock,
} from '../../src/runtime/model-provider';

/** The firebolt_query tool as the model is offered it. */
export const QUERY_TOOL: ModelTool = {
  name: 'firebolt_query__execute_query',
  description: 'Run one read-only SELECT.',
  inputSchema: {
    type: 'object',
    properties: { query: { type: 'string', description: 'The SQL.' } },
    required: ['query'],
  },
};

export const toolUse = (
  toolUseId: string,
  name: string,
  input: Record<string, unknown>,
): ToolUseBlock => ({ type: 'toolUse', toolUseId, name, input });

export const toolResult = (
  toolUseId: string,
  content: string,
  status: ToolResultBlock['status'] = 'success',
): ToolResultBlock => ({ type: 'toolResult', toolUseId, content, status });

export interface ToolRoundOptions {
  agent: ModelRequest['agent'];
  modelId: string;
  system: string;
  question: string;
  /** What the assistant said before calling its tools. */
  preamble: string;
  calls: ToolUseBlock[];
  results: ToolResultBlock[];
  maxTokens: number;
}

/** A request after one round of tool calls: question, the calls, their results; QUERY_TOOL offered. */
export function toolRoundRequest(options: ToolRoundOptions): ModelRequest {
  return {
    agent: options.agent,
    modelId: options.modelId,
    system: options.system,
    messages: [
      { role: 'user', content: [{ type: 'text', text: options.question }] },
      { role: 'assistant', content: [{ type: 'text', text: options.preamble }, ...options.calls] },
      { role: 'user', content: options.results },
    ],
    tools: [QUERY_TOOL],
    inference: { maxTokens: options.maxTokens, temperature: 0 },
  };
}
