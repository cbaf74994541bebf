import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { encodeStreamException } from '@revbot/testing/aws-event-stream';
import {
  type ConverseStreamServer,
  converseAnswer,
  converseToolCall,
  encodeConverseEvent,
  startConverseStreamServer,
} from '@revbot/testing/converse-stream-server';
import { localClientConfig } from '@revbot/testing/local-client-config';
import { startScriptedStreamingModel, tokensOf } from '@revbot/testing/scripted-streaming-model';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadAgents } from '../../../src';
import { ModelProviderError } from '../../../src/errors';
import { Orchestrator } from '../../../src/runtime/orchestrator';
import { ConverseProvider, promptCacheSupport } from '../../../src/runtime/providers/converse';
import { InMemorySessionStore } from '../../../src/runtime/session-store';
import { InProcessToolInvoker } from '../../../src/runtime/tool-invoker';
import { collectEvents } from '../../support/collect-events';
import { toolResult, toolRoundRequest, toolUse } from '../../support/model-request';
import { scriptedQueryTool } from '../../support/scripted-query-tool';

const MODEL = 'us.anthropic.claude-sonnet-4-6';
let server: ConverseStreamServer;
let client: BedrockRuntimeClient;

beforeAll(async () => {
  server = await startConverseStreamServer();
  client = new BedrockRuntimeClient(localClientConfig(server.endpoint));
});
afterAll(async () => {
  client.destroy();
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

const request = toolRoundRequest({
  agent: { key: 'data_agent', name: 'Data' },
  modelId: MODEL,
  system: 'You answer revenue questions.',
  question: 'Pipeline for 2026-Q4?',
  preamble: 'Querying.',
  calls: [toolUse('tu-1', 'firebolt_query__execute_query', { query: 'SELECT 1' })],
  results: [toolResult('tu-1', '{"rows":[[1]]}')],
  maxTokens: 2048,
});

describe('the Converse provider', () => {
  it('sends a ConverseStream request with the system prompt, messages, tools and inference settings', async () => {
    server.reply({ frames: converseAnswer({ text: 'Open pipeline is $18.4M ARR.' }) });
    await new ConverseProvider(client).complete(request);
    const [sent] = server.requests;
    expect(sent?.path).toBe(`/model/${MODEL}/converse-stream`);
    expect(String(sent?.headers.authorization)).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDLOCAL\//);
    expect(sent?.body).toEqual({
      system: [{ text: 'You answer revenue questions.' }],
      messages: [
        { role: 'user', content: [{ text: 'Pipeline for 2026-Q4?' }] },
        {
          role: 'assistant',
          content: [
            { text: 'Querying.' },
            {
              toolUse: {
                toolUseId: 'tu-1',
                name: 'firebolt_query__execute_query',
                input: { query: 'SELECT 1' },
              },
            },
          ],
        },
        {
          role: 'user',
          content: [
            {
              toolResult: {
                toolUseId: 'tu-1',
                content: [{ text: '{"rows":[[1]]}' }],
                status: 'success',
              },
            },
          ],
        },
      ],
      toolConfig: {
        tools: [
          {
            toolSpec: {
              name: 'firebolt_query__execute_query',
              description: 'Run one read-only SELECT.',
              inputSchema: { json: request.tools[0]!.inputSchema },
            },
          },
        ],
      },
      inferenceConfig: { maxTokens: 2048, temperature: 0 },
    });
  });

  it('puts streamed text and tool inputs back together, with stop reason, usage and request id', async () => {
    server.reply({
      frames: converseAnswer({
        text: 'I will query the pipeline by segment.',
        toolUses: [
          {
            id: 'tooluse_A',
            name: 'firebolt_query__execute_query',
            input: { query: 'SELECT segment FROM accounts WHERE x = \'a "b"\'', max_rows: 20 },
          },
          { id: 'tooluse_B', name: 'gong_retrieval__list_calls', input: {} },
        ],
        usage: { inputTokens: 1234, outputTokens: 56 },
      }),
    });
    const response = await new ConverseProvider(client).complete(request);
    expect(response.content).toEqual([
      { type: 'text', text: 'I will query the pipeline by segment.' },
      {
        type: 'toolUse',
        toolUseId: 'tooluse_A',
        name: 'firebolt_query__execute_query',
        input: { query: 'SELECT segment FROM accounts WHERE x = \'a "b"\'', max_rows: 20 },
      },
      { type: 'toolUse', toolUseId: 'tooluse_B', name: 'gong_retrieval__list_calls', input: {} },
    ]);
    expect(response.stopReason).toBe('tool_use');
    expect(response.usage).toEqual({ inputTokens: 1234, outputTokens: 56 });
    expect(response.requestId).toBe('local-request-1');
    expect(JSON.parse(response.raw).usage.totalTokens).toBe(1290);
  });

  it('reads the cache reads and writes Bedrock reports in metadata.usage', async () => {
    server.reply({
      frames: converseAnswer({
        text: 'Open pipeline is $18.4M ARR.',
        usage: {
          inputTokens: 212,
          outputTokens: 48,
          cacheReadInputTokens: 3150,
          cacheWriteInputTokens: 640,
        },
      }),
    });
    const response = await new ConverseProvider(client).complete(request);
    expect(response.usage).toEqual({
      inputTokens: 212,
      outputTokens: 48,
      cacheReadInputTokens: 3150,
      cacheWriteInputTokens: 640,
    });
    // Bedrock's totalTokens counts the cached input too: 212 + 48 + 3150 + 640.
    expect(JSON.parse(response.raw).usage.totalTokens).toBe(4050);
  });

  it('places cache points after the system prompt, the tools and the conversation when caching is on', async () => {
    server.reply({ frames: converseAnswer({ text: 'Open pipeline is $18.4M ARR.' }) });
    await new ConverseProvider(client, { promptCaching: true }).complete(request);
    const body = server.requests[0]?.body as {
      system: unknown[];
      toolConfig: { tools: unknown[] };
      messages: { content: unknown[] }[];
    };
    expect(body.system).toEqual([
      { text: 'You answer revenue questions.' },
      { cachePoint: { type: 'default' } },
    ]);
    expect(body.toolConfig.tools).toHaveLength(2);
    expect(body.toolConfig.tools[1]).toEqual({ cachePoint: { type: 'default' } });
    const { messages } = body;
    expect(messages.at(-1)?.content.at(-1)).toEqual({ cachePoint: { type: 'default' } });
    expect(JSON.stringify(messages.slice(0, -1))).not.toContain('cachePoint');
    // The request the caller gave is left as it was.
    expect(JSON.stringify(request.messages)).not.toContain('cachePoint');
  });

  it('sends no cache point to a model without prompt caching, nor when caching is off', async () => {
    server.reply({ frames: converseAnswer({ text: 'ok' }) });
    await new ConverseProvider(client, { promptCaching: true }).complete({
      ...request,
      modelId: 'meta.llama3-3-70b-instruct-v1:0',
    });
    await new ConverseProvider(client, { promptCaching: false }).complete(request);
    for (const sent of server.requests) {
      expect(JSON.stringify(sent.body)).not.toContain('cachePoint');
    }
    expect(server.requests).toHaveLength(2);
  });

  it('knows which models cache the system prompt and the tools', () => {
    expect(promptCacheSupport('us.anthropic.claude-sonnet-4-6')).toEqual({
      system: true,
      tools: true,
      messages: true,
    });
    expect(promptCacheSupport('anthropic.claude-haiku-4-5-20251001-v1:0')).toEqual({
      system: true,
      tools: true,
      messages: true,
    });
    expect(promptCacheSupport('us.amazon.nova-pro-v1:0')).toEqual({
      system: true,
      tools: false,
      messages: true,
    });
    expect(promptCacheSupport('anthropic.claude-3-haiku-20240307-v1:0')).toEqual({
      system: false,
      tools: false,
      messages: false,
    });
  });

  it('reports a throttle inside the stream as retryable', async () => {
    server.reply({
      frames: [
        encodeConverseEvent(['messageStart', { role: 'assistant' }]),
        encodeStreamException('throttlingException', 'Too many tokens, please wait'),
      ],
    });
    const error = await new ConverseProvider(client).complete(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelProviderError);
    expect(error).toMatchObject({ code: 'ThrottlingException', retryable: true });
  });

  it('reports a rejected request as not retryable, naming the exception', async () => {
    server.reply({
      status: 400,
      errorType: 'ValidationException',
      message: 'The provided model identifier is invalid.',
    });
    const error = await new ConverseProvider(client).complete(request).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ValidationException', retryable: false });
    expect((error as Error).message).toBe(
      'Bedrock ConverseStream failed (ValidationException, HTTP 400): The provided model identifier is invalid.',
    );
  });

  it('treats a stream that ends before messageStop as an interrupted, retryable answer', async () => {
    server.reply({
      frames: [
        encodeConverseEvent(['messageStart', { role: 'assistant' }]),
        encodeConverseEvent([
          'contentBlockDelta',
          { contentBlockIndex: 0, delta: { text: 'Open pipe' } },
        ]),
      ],
    });
    await expect(new ConverseProvider(client).complete(request)).rejects.toMatchObject({
      code: 'STREAM_INCOMPLETE',
      retryable: true,
    });
  });

  it('passes each text delta on as it arrives, and says when a tool call starts', async () => {
    const text = 'I will query the pipeline by segment.';
    server.reply({
      frames: converseAnswer({
        text,
        toolUses: [{ id: 'tooluse_A', name: 'firebolt_query__execute_query', input: {} }],
      }),
    });
    const deltas: string[] = [];
    const tools: string[] = [];
    await new ConverseProvider(client).complete({
      ...request,
      onTextDelta: (delta) => deltas.push(delta),
      onToolUseStart: (name) => tools.push(name),
    });
    // The local server sends the text in pieces of seven characters.
    expect(deltas).toHaveLength(Math.ceil(text.length / 7));
    expect(deltas.join('')).toBe(text);
    expect(tools).toEqual(['firebolt_query__execute_query']);
  });

  it('passes text on before the model has finished its answer', async () => {
    const model = await startScriptedStreamingModel({ firstTokenDelayMs: 1, tokenIntervalMs: 2 });
    const streaming = new BedrockRuntimeClient(localClientConfig(model.endpoint));
    try {
      let release!: () => void;
      model.reply({
        text: 'Open pipeline is $18.4M ARR.',
        holdUntil: new Promise<void>((resolve) => {
          release = resolve;
        }),
      });
      const deltas: string[] = [];
      let resolved = false;
      const call = new ConverseProvider(streaming)
        .complete({ ...request, onTextDelta: (delta) => deltas.push(delta) })
        .then((response) => {
          resolved = true;
          return response;
        });
      await expect.poll(() => deltas.join('')).toBe('Open pipeline is $18.4M ARR.');
      expect(resolved).toBe(false);
      expect(model.requests[0]?.endedAt).toBeUndefined();
      release();
      expect((await call).stopReason).toBe('end_turn');
      // One delta per token, as the model sent them.
      expect(deltas).toEqual(tokensOf('Open pipeline is $18.4M ARR.'));
    } finally {
      streaming.destroy();
      await model.close();
    }
  });

  it('runs the Manager and a collaborator end to end through the orchestrator', async () => {
    const agents = loadAgents();
    const query = scriptedQueryTool({
      columns: ['pipeline_arr'],
      rows: [[18400000]],
      row_count: 1,
    });
    server.reply(
      converseToolCall(
        't1',
        'AgentCommunication__DataAgent',
        { content: 'Open pipeline for 2026-Q4' },
        'Pipeline question: Data.',
      ),
      converseToolCall('t2', 'firebolt_query__execute_query', {
        query: 'SELECT SUM(arr) AS pipeline_arr FROM opportunities',
      }),
      { frames: converseAnswer({ text: '$18.4M open pipeline in 2026-Q4.' }) },
      { frames: converseAnswer({ text: '**$18.4M ARR open pipeline in 2026-Q4**' }) },
    );
    const runtime = new Orchestrator({
      agents,
      provider: new ConverseProvider(client),
      tools: new InProcessToolInvoker({ firebolt_query: query }),
      sessions: new InMemorySessionStore(),
    });
    const events = await collectEvents(
      runtime.ask({ question: 'What is our Q4 pipeline?', sessionId: 'cv-1' }),
    );
    const answer = events
      .filter((e) => e.chunk)
      .map((e) => new TextDecoder().decode(e.chunk!.bytes));
    expect(answer).toEqual(['**$18.4M ARR open pipeline in 2026-Q4**']);
    expect(server.requests).toHaveLength(4);
    // The Data agent's second call carries the tool result of its query, marked as data.
    const third = server.requests[2]!.body as {
      messages: { content: Record<string, unknown>[] }[];
    };
    expect(third.messages.at(-1)?.content[0]).toEqual({
      toolResult: {
        toolUseId: 't2',
        content: [
          {
            text: '<untrusted_data source="firebolt_query.execute_query">\n{"columns":["pipeline_arr"],"rows":[[18400000]],"row_count":1}\n</untrusted_data>',
          },
        ],
        status: 'success',
      },
    });
    const usage = events
      .map((e) => e.trace?.trace?.orchestrationTrace?.modelInvocationOutput?.metadata?.usage)
      .filter(Boolean);
    expect(usage).toHaveLength(4);
    const clientIds = events
      .map(
        (e) => e.trace?.trace?.orchestrationTrace?.modelInvocationOutput?.metadata?.clientRequestId,
      )
      .filter(Boolean);
    expect(clientIds).toEqual([
      'local-request-1',
      'local-request-2',
      'local-request-3',
      'local-request-4',
    ]);
  });
});
