import { silentLogger } from '@revbot/core';
import { type OpenAISseServer, startOpenAISseServer } from '@revbot/testing/openai-sse-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadAgents } from '../../../src';
import { createActionGroupTool, defineToolFunction, toolParam } from '../../../src/action-group';
import { Orchestrator } from '../../../src/runtime/orchestrator';
import { OpenAIProvider } from '../../../src/runtime/providers/openai';
import { InMemorySessionStore } from '../../../src/runtime/session-store';
import { InProcessToolInvoker } from '../../../src/runtime/tool-invoker';
import { approvalPolicy } from '../../../src/tools/approval-policy';
import { collectEvents } from '../../support/collect-events';
import { toolResult, toolRoundRequest, toolUse } from '../../support/model-request';

let server: OpenAISseServer;
const waits: number[] = [];
const provider = (options: { apiKey?: string; maxAttempts?: number } = {}) =>
  new OpenAIProvider({
    baseUrl: server.baseUrl,
    apiKey: options.apiKey ?? 'sk-local-test',
    maxAttempts: options.maxAttempts,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });

beforeAll(async () => {
  server = await startOpenAISseServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  waits.length = 0;
});

const request = toolRoundRequest({
  agent: { key: 'lead_analysis_agent', name: 'Lead Analysis' },
  modelId: 'qwen3-32b',
  system: 'You qualify leads.',
  question: 'Assess John Smith at DataCorp',
  preamble: 'Looking up the lead.',
  calls: [
    toolUse('call_1', 'firebolt_query__execute_query', { query: 'SELECT 1' }),
    toolUse('call_2', 'web_search__research_company', { company_name: 'DataCorp' }),
  ],
  results: [toolResult('call_1', '{"rows":[]}'), toolResult('call_2', 'rate limited', 'error')],
  maxTokens: 1024,
});

describe('the OpenAI-compatible provider', () => {
  it('posts a streamed chat completion with the conversation as chat messages and the tools as functions', async () => {
    server.reply({ text: 'John Smith scores 89/100.' });
    await provider().complete(request);
    const [sent] = server.requests;
    expect(sent?.headers.authorization).toBe('Bearer sk-local-test');
    expect(sent?.body).toEqual({
      model: 'qwen3-32b',
      messages: [
        { role: 'system', content: 'You qualify leads.' },
        { role: 'user', content: 'Assess John Smith at DataCorp' },
        {
          role: 'assistant',
          content: 'Looking up the lead.',
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: {
                name: 'firebolt_query__execute_query',
                arguments: '{"query":"SELECT 1"}',
              },
            },
            {
              id: 'call_2',
              type: 'function',
              function: {
                name: 'web_search__research_company',
                arguments: '{"company_name":"DataCorp"}',
              },
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"rows":[]}' },
        { role: 'tool', tool_call_id: 'call_2', content: 'Error: rate limited' },
      ],
      tools: [
        {
          type: 'function',
          function: {
            name: 'firebolt_query__execute_query',
            description: 'Run one read-only SELECT.',
            parameters: request.tools[0]!.inputSchema,
          },
        },
      ],
      max_tokens: 1024,
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('assembles streamed text, tool calls by index, finish reason and usage', async () => {
    server.reply({
      text: 'I will look up the lead and research the company.',
      toolCalls: [
        {
          id: 'call_a',
          name: 'firebolt_query__execute_query',
          arguments: { query: "SELECT * FROM leads WHERE company ILIKE '%DataCorp%'" },
        },
        {
          id: 'call_b',
          name: 'web_search__research_company',
          arguments: { company_name: 'DataCorp', focus: 'funding' },
        },
      ],
      usage: { prompt_tokens: 812, completion_tokens: 64 },
    });
    const response = await provider().complete(request);
    expect(response.content).toEqual([
      { type: 'text', text: 'I will look up the lead and research the company.' },
      {
        type: 'toolUse',
        toolUseId: 'call_a',
        name: 'firebolt_query__execute_query',
        input: { query: "SELECT * FROM leads WHERE company ILIKE '%DataCorp%'" },
      },
      {
        type: 'toolUse',
        toolUseId: 'call_b',
        name: 'web_search__research_company',
        input: { company_name: 'DataCorp', focus: 'funding' },
      },
    ]);
    expect(response.stopReason).toBe('tool_use');
    expect(response.usage).toEqual({ inputTokens: 812, outputTokens: 64 });
    expect(response.requestId).toBe('req_local_1');
    expect(JSON.parse(response.raw).choices[0].message.tool_calls).toHaveLength(2);
  });

  it('splits the cached part of prompt_tokens out as cache reads, as OpenAI reports prompt caching', async () => {
    // OpenAI's documented usage object: cached_tokens is included in prompt_tokens.
    server.reply({
      text: 'John Smith scores 89/100.',
      usage: {
        prompt_tokens: 2006,
        completion_tokens: 300,
        prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
    const response = await provider().complete(request);
    expect(response.usage).toEqual({
      inputTokens: 86,
      outputTokens: 300,
      cacheReadInputTokens: 1920,
    });
    const raw = JSON.parse(response.raw).usage;
    expect(raw).toEqual({
      prompt_tokens: 2006,
      completion_tokens: 300,
      total_tokens: 2306,
      prompt_tokens_details: { cached_tokens: 1920 },
    });
  });

  it('reports an answer cut at the token limit', async () => {
    server.reply({ text: 'A long answer', finishReason: 'length' });
    const response = await provider().complete(request);
    expect(response.stopReason).toBe('max_tokens');
  });

  it('retries a rate limit after the time Retry-After asks for', async () => {
    server.reply(
      { status: 429, error: { message: 'Rate limit reached', type: 'requests' }, retryAfter: '2' },
      { text: 'Done.' },
    );
    const response = await provider().complete(request);
    expect(response.content).toEqual([{ type: 'text', text: 'Done.' }]);
    expect(server.requests).toHaveLength(2);
    expect(waits).toEqual([2000]);
  });

  it('gives up after its attempts on server errors, as a retryable failure', async () => {
    server.reply({ status: 503, error: { message: 'overloaded', type: 'server_error' } });
    await expect(provider({ maxAttempts: 2 }).complete(request)).rejects.toMatchObject({
      code: 'HTTP_503',
      retryable: true,
      message: 'The model server answered HTTP 503: overloaded',
    });
    expect(server.requests).toHaveLength(2);
    expect(waits).toEqual([500]);
  });

  it('does not retry a rejected key', async () => {
    server.reply({
      status: 401,
      error: { message: 'Incorrect API key provided', type: 'invalid_request_error' },
    });
    const error = await provider({ apiKey: 'sk-wrong' })
      .complete(request)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'HTTP_401', retryable: false });
    expect((error as Error).message).not.toContain('sk-wrong');
    expect(server.requests).toHaveLength(1);
  });

  it('retries a stream that breaks off before it finishes', async () => {
    server.reply({ text: 'Partial', cutAfter: 2 }, { text: 'Complete answer.' });
    const response = await provider().complete(request);
    expect(response.content).toEqual([{ type: 'text', text: 'Complete answer.' }]);
    expect(server.requests).toHaveLength(2);
  });

  it('passes each text delta on as it arrives, and says when a tool call starts', async () => {
    const text = 'John Smith at DataCorp scores 89/100: strong ICP fit.';
    server.reply({
      text,
      toolCalls: [{ id: 'c1', name: 'firebolt_query__execute_query', arguments: { query: 'x' } }],
    });
    const deltas: string[] = [];
    const tools: string[] = [];
    const response = await provider().complete({
      ...request,
      onTextDelta: (delta) => deltas.push(delta),
      onToolUseStart: (name) => tools.push(name),
    });
    // The local server sends the text in pieces of six characters.
    expect(deltas).toHaveLength(Math.ceil(text.length / 6));
    expect(deltas.join('')).toBe(text);
    expect(tools).toEqual(['firebolt_query__execute_query']);
    expect(response.content[0]).toEqual({ type: 'text', text });
  });

  it('does not try again a stream that broke off after text went out, so no text is repeated', async () => {
    server.reply({ text: 'Partial answer here', cutAfter: 3 }, { text: 'Complete answer.' });
    const deltas: string[] = [];
    const error = await provider()
      .complete({ ...request, onTextDelta: (delta) => deltas.push(delta) })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STREAM_INCOMPLETE', retryable: true });
    expect(server.requests).toHaveLength(1);
    expect(deltas.join('')).toBe('Partial answ');
  });

  it('runs the agents end to end through the orchestrator', async () => {
    const agents = loadAgents();
    const writes: unknown[] = [];
    const writer = createActionGroupTool({
      name: 'webhook_executor',
      logger: silentLogger,
      functions: [
        defineToolFunction({
          name: 'send_notification',
          parameters: z.object({
            message: toolParam.text(),
            recipient: toolParam.text().optional(),
          }),
          async run(params) {
            writes.push(params);
            return { delivered: true, status: 200 };
          },
        }),
      ],
    });
    server.reply(
      {
        toolCalls: [
          {
            id: 'c1',
            name: 'AgentCommunication__ExecutionAgent',
            arguments: { content: 'Notify Sarah Johnson: IXIS review is ready.' },
          },
        ],
      },
      {
        toolCalls: [
          {
            id: 'c2',
            name: 'webhook_executor__send_notification',
            arguments: { message: '*IXIS review is ready*', recipient: 'Sarah Johnson' },
          },
        ],
      },
      { text: 'Notified Sarah Johnson — delivered, status 200.' },
      { text: 'Done: Sarah Johnson was notified (delivered).' },
    );
    const runtime = new Orchestrator({
      agents,
      provider: provider(),
      tools: new InProcessToolInvoker({ webhook_executor: writer }),
      sessions: new InMemorySessionStore(),
      models: { modelId: () => 'qwen3-32b', foundationModel: () => 'qwen3-32b' },
      // This test is about the provider; approvals are tested in approval-gate.test.ts.
      approvals: approvalPolicy(['webhook_executor.send_notification']),
    });
    const events = await collectEvents(
      runtime.ask({ question: 'Tell Sarah the IXIS review is ready', sessionId: 'oa-1' }),
    );
    expect(writes).toEqual([{ message: '*IXIS review is ready*', recipient: 'Sarah Johnson' }]);
    expect(new TextDecoder().decode(events.at(-1)?.chunk?.bytes)).toBe(
      'Done: Sarah Johnson was notified (delivered).',
    );
    expect(server.requests.map((r) => r.body.model)).toEqual([
      'qwen3-32b',
      'qwen3-32b',
      'qwen3-32b',
      'qwen3-32b',
    ]);
    const models = events
      .map((e) => e.trace?.trace?.orchestrationTrace?.modelInvocationInput?.foundationModel)
      .filter(Boolean);
    expect(new Set(models)).toEqual(new Set(['qwen3-32b']));
  });
});
