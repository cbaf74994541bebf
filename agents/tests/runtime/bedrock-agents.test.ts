import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { ConfigError } from '@revbot/core';
import { encodeStreamException } from '@revbot/testing/aws-event-stream';
import { BEDROCK_TRACES_DIR } from '@revbot/testing/fixtures';
import {
  encodeEvent,
  type InvokeAgentServer,
  type RecordedEvent,
  startInvokeAgentServer,
} from '@revbot/testing/invoke-agent-server';
import { localClientConfig } from '@revbot/testing/local-client-config';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentStreamEvent } from '../../src';
import { AgentRunCancelledError, AgentRuntimeError } from '../../src/errors';
import {
  BedrockAgentsRuntime,
  createAgentRuntime,
  toAgentRuntimeError,
  toBedrockSessionId,
} from '../../src/runtime';
import { collectEvents } from '../support/collect-events';

const FIXTURES = BEDROCK_TRACES_DIR;
interface ManifestEntry {
  file: string;
  event_count: number;
  trace_events: number;
  chunk_events: number;
  agent_ids_in_order: string[];
  collaborator_invocations: string[];
  final_text: string;
}
const manifest = JSON.parse(
  readFileSync(path.join(FIXTURES, 'manifest.json'), 'utf8'),
) as ManifestEntry[];
const recorded = (file: string) =>
  JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as RecordedEvent[];
const supervisor = manifest[0]!;

const AGENT_ID = 'MGRAGENT01';
const ALIAS_ID = 'LIVEALIAS1';

let server: InvokeAgentServer;
let client: BedrockAgentRuntimeClient;

beforeAll(async () => {
  server = await startInvokeAgentServer();
  // One attempt: the retry decision is the queue's, and the tests stay fast.
  client = new BedrockAgentRuntimeClient(localClientConfig(server.endpoint));
});
afterAll(async () => {
  client.destroy();
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

const runtime = (newSessionId?: () => string) =>
  new BedrockAgentsRuntime({
    client,
    agentId: AGENT_ID,
    agentAliasId: ALIAS_ID,
    newSessionId,
    idleTimeoutMs: 300,
  });

async function failure(events: AsyncIterable<AgentStreamEvent>) {
  const seen: AgentStreamEvent[] = [];
  try {
    for await (const event of events) seen.push(event);
  } catch (error) {
    return { error: error as AgentRuntimeError, seen };
  }
  throw new Error('expected the stream to fail');
}

const text = (events: AgentStreamEvent[]) =>
  events
    .filter((e) => e.chunk)
    .map((e) => new TextDecoder().decode(e.chunk?.bytes))
    .join('');

describe('the bedrock-agents runtime against a recorded InvokeAgent stream', () => {
  it('yields the supervisor stream as the SDK parses it: traces, then the answer', async () => {
    server.reply({ stream: recorded(supervisor.file).map(encodeEvent) });
    const events = await collectEvents(
      runtime().ask({ question: 'Find the sum of 1 to 10.', sessionId: 'thread-1' }),
    );

    expect(events).toHaveLength(supervisor.event_count);
    expect(events.filter((e) => e.trace)).toHaveLength(supervisor.trace_events);
    expect(text(events)).toBe(supervisor.final_text);
    const agentIds = [...new Set(events.flatMap((e) => (e.trace ? [e.trace.agentId] : [])))];
    expect(agentIds).toEqual(supervisor.agent_ids_in_order);
    const collaborators = events.flatMap(
      (e) =>
        e.trace?.trace?.orchestrationTrace?.invocationInput?.agentCollaboratorInvocationInput
          ?.agentCollaboratorName ?? [],
    );
    expect(collaborators).toEqual(supervisor.collaborator_invocations);
  });

  it('keeps every field of every trace, with timestamps parsed into Dates', async () => {
    const fixture = recorded(supervisor.file);
    server.reply({ stream: fixture.map(encodeEvent) });
    const events = await collectEvents(runtime().ask({ question: 'q', sessionId: 'thread-1' }));

    for (const [i, event] of events.entries()) {
      const expected = fixture[i]!;
      if (!('trace' in expected)) continue;
      const { eventTime, ...rest } = expected.trace as { eventTime: string };
      const { eventTime: parsed, ...actual } = event.trace as { eventTime: Date };
      expect(parsed).toBeInstanceOf(Date);
      expect(parsed.toISOString().slice(0, 23)).toBe(eventTime.slice(0, 23));
      // Nested timestamps (model invocation metadata) come back as Dates as well.
      expect(JSON.parse(JSON.stringify(actual))).toEqual(
        JSON.parse(
          JSON.stringify(rest).replace(
            /"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})\d*Z"/g,
            (_, ms: string) => `"${ms}Z"`,
          ),
        ),
      );
    }
  });

  it.each(manifest.map((m) => [m.file, m] as const))(
    'parses %s into its recorded events and answer',
    async (file, entry) => {
      server.reply({ stream: recorded(file).map(encodeEvent) });
      const events = await collectEvents(runtime().ask({ question: 'q', sessionId: 'session-1' }));
      expect(events).toHaveLength(entry.event_count);
      expect(events.filter((e) => e.chunk)).toHaveLength(entry.chunk_events);
      expect(text(events)).toBe(entry.final_text);
    },
  );

  it('keeps the citations of a knowledge-base answer', async () => {
    const file = '06-knowledge-base-lookup-with-citation-chunk.json';
    server.reply({ stream: recorded(file).map(encodeEvent) });
    const events = await collectEvents(runtime().ask({ question: 'q', sessionId: 'session-1' }));
    const citations = events.find((e) => e.chunk)?.chunk?.attribution?.citations ?? [];
    expect(citations.length).toBeGreaterThan(0);
    const reference = citations[0]?.retrievedReferences?.[0];
    expect(reference?.location).toEqual({ customDocumentLocation: { id: '2222' }, type: 'CUSTOM' });
    expect(reference?.metadata?.['x-amz-bedrock-kb-source-uri']).toBe('2222');
    expect(citations[0]?.generatedResponsePart?.textResponsePart?.span).toEqual({
      start: 0,
      end: 1597,
    });
  });

  it('passes streamed final-response chunks on as they come, guardrail checks between them, before the stream ends', async () => {
    const file = '07-stream-final-response-with-guardrail-intervals.json';
    const fixture = recorded(file);
    // The service has sent every chunk but not yet ended the stream.
    const lastChunk = fixture.findLastIndex((e) => 'chunk' in e);
    server.reply({ stream: fixture.slice(0, lastChunk + 1).map(encodeEvent), thenHang: true });
    const seen: AgentStreamEvent[] = [];
    for await (const event of runtime().ask({ question: 'q', sessionId: 'session-7' })) {
      seen.push(event);
      if (seen.length === lastChunk + 1) break;
    }
    const kinds = seen.map((e) => (e.chunk ? 'chunk' : Object.keys(e.trace!.trace!)[0]));
    expect(kinds).toEqual(
      fixture
        .slice(0, lastChunk + 1)
        .map((e) =>
          'chunk' in e
            ? 'chunk'
            : 'trace' in e
              ? Object.keys(e.trace.trace as object)[0]
              : 'returnControl',
        ),
    );
    expect(kinds.filter((k) => k === 'chunk')).toHaveLength(5);
    expect(kinds.slice(-3)).toEqual(['chunk', 'guardrailTrace', 'chunk']);
    const entry = manifest.find((m) => m.file === file)!;
    expect(text(seen)).toBe(entry.final_text);
  });
});

describe('the InvokeAgent request', () => {
  it('asks the Manager alias with traces, final-response streaming and the session attributes', async () => {
    server.reply({ stream: recorded(supervisor.file).slice(-1).map(encodeEvent) });
    await collectEvents(
      runtime().ask({
        question: 'What is the status of the IXIS deal?',
        sessionId: 'T123-C456-1700000000.000100',
        sessionAttributes: { channel: 'slack', user: 'U123' },
      }),
    );
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(
      `/agents/${AGENT_ID}/agentAliases/${ALIAS_ID}/sessions/T123-C456-1700000000.000100/text`,
    );
    expect(request?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDLOCAL\//);
    expect(request?.body).toEqual({
      inputText: 'What is the status of the IXIS deal?',
      enableTrace: true,
      streamingConfigurations: { streamFinalResponse: true },
      sessionState: { sessionAttributes: { channel: 'slack', user: 'U123' } },
    });
  });

  it('never sends an empty session id', async () => {
    server.reply({ stream: recorded(supervisor.file).slice(-1).map(encodeEvent) });
    await collectEvents(
      runtime(() => 'generated-session').ask({ question: 'hi', sessionId: '  ' }),
    );
    expect(server.requests[0]?.path).toContain('/sessions/generated-session/text');
  });

  it('turns session ids Bedrock refuses into stable valid ones', () => {
    const id = 'slack/T123/C456/1700000000.000100 thread';
    const once = toBedrockSessionId(id);
    expect(once).toMatch(/^[0-9a-zA-Z._:-]{2,100}$/);
    expect(toBedrockSessionId(id)).toBe(once);
    expect(toBedrockSessionId('slack/T123/C456/1700000000.000100-thread')).not.toBe(once);
    expect(toBedrockSessionId('webhook_3f2a')).toBe('webhook_3f2a');
    expect(toBedrockSessionId('x'.repeat(300))).toHaveLength(100);
  });
});

describe('failures', () => {
  it('makes a 429 ThrottlingException a retryable error', async () => {
    server.reply({ status: 429, errorType: 'ThrottlingException', message: 'Rate exceeded' });
    const { error, seen } = await failure(runtime().ask({ question: 'q', sessionId: 's1' }));
    expect(seen).toEqual([]);
    expect(error).toBeInstanceOf(AgentRuntimeError);
    expect(error).toMatchObject({ code: 'ThrottlingException', retryable: true });
    expect(error.message).toBe(
      'InvokeAgent failed, will retry (ThrottlingException, HTTP 429): Rate exceeded',
    );
    expect(server.requests).toHaveLength(1);
  });

  it('makes a 500 from the service retryable', async () => {
    server.reply({ status: 500, errorType: 'InternalServerException', message: 'Internal' });
    const { error } = await failure(runtime().ask({ question: 'q', sessionId: 's1' }));
    expect(error).toMatchObject({ code: 'InternalServerException', retryable: true });
  });

  it('makes a 409 for a session that is still busy retryable', async () => {
    server.reply({ status: 409, errorType: 'ConflictException', message: 'Session in use' });
    const { error } = await failure(runtime().ask({ question: 'q', sessionId: 's1' }));
    expect(error).toMatchObject({ code: 'ConflictException', retryable: true });
  });

  it('does not retry a denied or invalid request', async () => {
    server.reply(
      { status: 403, errorType: 'AccessDeniedException', message: 'Not authorized' },
      { status: 404, errorType: 'ResourceNotFoundException', message: 'No such alias' },
    );
    const denied = await failure(runtime().ask({ question: 'q', sessionId: 's1' }));
    expect(denied.error).toMatchObject({ code: 'AccessDeniedException', retryable: false });
    expect(denied.error.message).toBe(
      'InvokeAgent failed (AccessDeniedException, HTTP 403): Not authorized',
    );
    const missing = await failure(runtime().ask({ question: 'q', sessionId: 's1' }));
    expect(missing.error).toMatchObject({ code: 'ResourceNotFoundException', retryable: false });
  });

  it('surfaces a throttling exception sent mid-stream as retryable, after the events before it', async () => {
    const fixture = recorded(supervisor.file);
    server.reply({
      stream: [
        ...fixture.slice(0, 3).map(encodeEvent),
        encodeStreamException('throttlingException', 'Too many tokens'),
      ],
    });
    const { error, seen } = await failure(runtime().ask({ question: 'q', sessionId: 's1' }));
    expect(seen).toHaveLength(3);
    expect(error).toBeInstanceOf(AgentRuntimeError);
    expect(error).toMatchObject({ code: 'ThrottlingException', retryable: true });
    expect(error.message).toContain('Too many tokens');
  });

  it('makes a stream that goes silent a retryable timeout', async () => {
    server.reply({ hang: true });
    const { error } = await failure(runtime().ask({ question: 'q', sessionId: 's1' }));
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });

  it('makes a stream that stops mid-way a retryable timeout, after the events it sent', async () => {
    server.reply({
      stream: recorded(supervisor.file).slice(0, 2).map(encodeEvent),
      thenHang: true,
    });
    const { error, seen } = await failure(runtime().ask({ question: 'q', sessionId: 's1' }));
    expect(seen).toHaveLength(2);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(error.message).toBe('InvokeAgent sent nothing for 300 ms');
  });

  it('makes a stream that ends without an answer retryable', async () => {
    const traces = recorded(supervisor.file).filter((e) => 'trace' in e);
    server.reply({ stream: traces.slice(0, 4).map(encodeEvent) });
    const { error, seen } = await failure(runtime().ask({ question: 'q', sessionId: 's1' }));
    expect(seen).toHaveLength(4);
    expect(error).toMatchObject({ code: 'STREAM_INCOMPLETE', retryable: true });
  });

  it('releases the call when the reader stops early', async () => {
    server.reply({ stream: recorded(supervisor.file).map(encodeEvent) });
    const first: AgentStreamEvent[] = [];
    for await (const event of runtime().ask({ question: 'q', sessionId: 's1' })) {
      first.push(event);
      break;
    }
    expect(first).toHaveLength(1);
    // The next call on the same client still gets its whole answer.
    const events = await collectEvents(runtime().ask({ question: 'q', sessionId: 's1' }));
    expect(text(events)).toBe(supervisor.final_text);
  });

  it('makes a stream cancelled by its signal mid-way a retryable timeout', async () => {
    server.reply({
      stream: recorded(supervisor.file).slice(0, 2).map(encodeEvent),
      thenHang: true,
    });
    const { error, seen } = await failure(
      runtime().ask({ question: 'q', sessionId: 's1', signal: AbortSignal.timeout(50) }),
    );
    expect(seen).toHaveLength(2);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });

  it('ends a run its caller cancels mid-answer with a typed cancellation', async () => {
    server.reply({
      stream: recorded('07-stream-final-response-with-guardrail-intervals.json')
        .slice(0, 4)
        .map(encodeEvent),
      thenHang: true,
    });
    const controller = new AbortController();
    const seen: AgentStreamEvent[] = [];
    const error = await (async () => {
      try {
        for await (const event of runtime().ask({
          question: 'q',
          sessionId: 's1',
          signal: controller.signal,
        })) {
          seen.push(event);
          if (event.chunk) controller.abort();
        }
      } catch (e) {
        return e;
      }
    })();
    expect(seen.filter((e) => e.chunk)).toHaveLength(1);
    expect(error).toBeInstanceOf(AgentRunCancelledError);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });

  it('makes a call cancelled by its signal a retryable timeout', async () => {
    server.reply({ hang: true });
    const { error } = await failure(
      runtime().ask({ question: 'q', sessionId: 's1', signal: AbortSignal.timeout(50) }),
    );
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
  });

  it('makes a refused connection a retryable network error', async () => {
    const closed = await startInvokeAgentServer();
    await closed.close();
    const offline = new BedrockAgentsRuntime({
      client: new BedrockAgentRuntimeClient(localClientConfig(closed.endpoint)),
      agentId: AGENT_ID,
      agentAliasId: ALIAS_ID,
    });
    const { error } = await failure(offline.ask({ question: 'q', sessionId: 's1' }));
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', retryable: true });
  });

  it('does not wrap an error that is already an AgentRuntimeError', () => {
    const original = new AgentRuntimeError('x', 'X', false);
    expect(toAgentRuntimeError(original)).toBe(original);
  });
});

describe('createAgentRuntime', () => {
  const env = {
    AGENT_RUNTIME: 'bedrock-agents',
    MANAGER_AGENT_ID: AGENT_ID,
    MANAGER_AGENT_ALIAS_ID: ALIAS_ID,
  };

  it('builds the bedrock-agents runtime from the processor environment', async () => {
    const created = createAgentRuntime(env, { bedrockAgentRuntime: client });
    expect(created.name).toBe('bedrock-agents');
    server.reply({ stream: recorded(supervisor.file).map(encodeEvent) });
    const events = await collectEvents(created.ask({ question: 'q', sessionId: 's1' }));
    expect(text(events)).toBe(supervisor.final_text);
    expect(server.requests[0]?.path).toContain(`/agents/${AGENT_ID}/agentAliases/${ALIAS_ID}/`);
  });

  it('defaults to bedrock-agents when AGENT_RUNTIME is not set', () => {
    const { AGENT_RUNTIME: _, ...rest } = env;
    expect(createAgentRuntime(rest, { bedrockAgentRuntime: client }).name).toBe('bedrock-agents');
  });

  it('stops start-up with one line naming a missing or malformed variable', () => {
    expect(() => createAgentRuntime({ AGENT_RUNTIME: 'bedrock-agents' })).toThrow(ConfigError);
    expect(() => createAgentRuntime({ ...env, MANAGER_AGENT_ALIAS_ID: 'live alias' })).toThrow(
      'Invalid configuration: MANAGER_AGENT_ALIAS_ID: must be a Bedrock agent alias id (10 letters or digits)',
    );
    expect(() => createAgentRuntime({ ...env, AGENT_RUNTIME: 'lambda' })).toThrow(
      /^Invalid configuration: AGENT_RUNTIME: /,
    );
  });

  it('hands converse to the portable runtime, which names its missing variable rather than guessing', () => {
    expect(() => createAgentRuntime({ AGENT_RUNTIME: 'converse' })).toThrow(
      /^Invalid configuration: AGENT_TOOL_FUNCTIONS: required/,
    );
  });
});
