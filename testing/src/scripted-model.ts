/**
 * A scripted model for orchestrator tests: each agent answers from its own queue of steps, and
 * every request it received is kept so tests can check what the model was shown.
 */
import type {
  ContentBlock,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  StopReason,
} from '@revbot/agents/runtime';

export type ScriptStep =
  | ModelResponse
  | ((request: ModelRequest) => ModelResponse | Promise<ModelResponse>);

export interface ScriptedModel extends ModelProvider {
  requests: ModelRequest[];
  /** Requests one agent received, in order. */
  requestsOf(agentKey: string): ModelRequest[];
}

let toolUseCounter = 0;

/** A reply with optional text and tool calls; usage defaults to 100 in, 20 out. */
export function reply(
  text: string,
  toolCalls: { name: string; input: Record<string, unknown> }[] = [],
  options: { usage?: { inputTokens: number; outputTokens: number }; stopReason?: StopReason } = {},
): ModelResponse {
  const content: ContentBlock[] = [];
  if (text) content.push({ type: 'text', text });
  for (const call of toolCalls) {
    content.push({
      type: 'toolUse',
      toolUseId: `tooluse_${++toolUseCounter}`,
      name: call.name,
      input: call.input,
    });
  }
  return {
    content: content as ModelResponse['content'],
    stopReason: options.stopReason ?? (toolCalls.length > 0 ? 'tool_use' : 'end_turn'),
    usage: options.usage ?? { inputTokens: 100, outputTokens: 20 },
    raw: JSON.stringify({ scripted: true, content }),
  };
}

export function scriptedModel(script: Record<string, ScriptStep[]>): ScriptedModel {
  const queues = new Map(Object.entries(script).map(([key, steps]) => [key, [...steps]]));
  const requests: ModelRequest[] = [];
  return {
    name: 'scripted',
    requests,
    requestsOf: (agentKey) => requests.filter((r) => r.agent.key === agentKey),
    async complete(request) {
      // Snapshot: the orchestrator keeps appending to the same message list.
      const { signal: _signal, onTextDelta: _text, onToolUseStart: _tool, ...recorded } = request;
      requests.push(structuredClone(recorded));
      const step = queues.get(request.agent.key)?.shift();
      if (!step) throw new Error(`The script has no more steps for ${request.agent.key}`);
      return typeof step === 'function' ? step(request) : step;
    },
  };
}
