/**
 * The orchestrator streaming the answer through the real ConverseProvider and Bedrock client,
 * against a scripted model that sends tokens one at a time and can hold its stream open.
 */
import path from 'node:path';
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { localClientConfig } from '@revbot/testing/local-client-config';
import {
  type ScriptedStreamingModel,
  startScriptedStreamingModel,
} from '@revbot/testing/scripted-streaming-model';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AgentStreamEvent, defineAgents, loadAgents, readAgentSources } from '../../src';
import { AgentRunCancelledError } from '../../src/errors';
import { Orchestrator } from '../../src/runtime/orchestrator';
import { ConverseProvider } from '../../src/runtime/providers/converse';
import { InMemorySessionStore } from '../../src/runtime/session-store';
import { InProcessToolInvoker } from '../../src/runtime/tool-invoker';
import { scriptedQueryTool } from '../support/scripted-query-tool';

const agents = loadAgents();
const DEAL_TOOL = 'AgentCommunication__DealAnalysisAgent';
const ANSWER = '**IXIS is in Negotiate** at 75%, $2.1M ARR. Next: book the CFO meeting.';

let model: ScriptedStreamingModel;
let client: BedrockRuntimeClient;

beforeAll(async () => {
  model = await startScriptedStreamingModel({ firstTokenDelayMs: 5, tokenIntervalMs: 12 });
  client = new BedrockRuntimeClient(localClientConfig(model.endpoint));
});
afterAll(async () => {
  client.destroy();
  await model.close();
});
beforeEach(() => {
  model.requests.length = 0;
});

const runtime = (options: { tools?: InProcessToolInvoker; router?: boolean } = {}) =>
  new Orchestrator({
    agents: options.router ? routerAgents() : agents,
    provider: new ConverseProvider(client),
    tools: options.tools ?? new InProcessToolInvoker({}),
    sessions: new InMemorySessionStore(),
  });

function routerAgents() {
  const sources = readAgentSources(path.resolve(import.meta.dirname, '../..'));
  const manager = sources.agents.find((a) => a.key === 'manager_agent')!;
  manager.config = JSON.stringify({
    ...(JSON.parse(manager.config!) as object),
    collaboration: 'SUPERVISOR_ROUTER',
  });
  return defineAgents(sources);
}

const decode = (e: AgentStreamEvent) => new TextDecoder().decode(e.chunk!.bytes);
const finishTexts = (events: AgentStreamEvent[]) =>
  events.flatMap((e) => e.trace?.trace?.orchestrationTrace?.observation?.finalResponse?.text ?? []);

/** A deferred the test settles: holds a scripted stream open until released. */
function gate() {
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { held, release };
}

describe('the orchestrator streaming the answer', () => {
  it('sends the Manager’s answer in many chunks while the model is still writing it, never its reasoning', async () => {
    const end = gate();
    model.reply(
      {
        text: '<thinking>A deal status question: Deal Analysis has it.</thinking>',
        toolUses: [{ id: 't1', name: DEAL_TOOL, input: { content: 'Status of IXIS' } }],
      },
      { text: 'Negotiate, 75%, $2.1M ARR; CFO meeting not booked.' },
      { text: ANSWER, holdUntil: end.held },
    );
    const events: AgentStreamEvent[] = [];
    let finalStreamOpenAtFirstChunk: boolean | undefined;
    for await (const event of runtime().ask({ question: 'How is IXIS?', sessionId: 'st-1' })) {
      if (event.chunk && finalStreamOpenAtFirstChunk === undefined) {
        // The Manager's last call is still streaming: its stream is held open.
        finalStreamOpenAtFirstChunk =
          model.requests.length === 3 && model.requests[2]!.endedAt === undefined;
        end.release();
      }
      events.push(event);
    }

    expect(finalStreamOpenAtFirstChunk).toBe(true);
    const chunks = events.filter((e) => e.chunk).map(decode);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.join('')).toBe(ANSWER);
    expect(finishTexts(events).at(-1)).toBe(ANSWER);
    // The chunks come before the last model output and FINISH, as Bedrock's streamed responses do.
    const firstChunk = events.findIndex((e) => e.chunk);
    const lastOutput = events.findLastIndex(
      (e) => e.trace?.trace?.orchestrationTrace?.modelInvocationOutput,
    );
    expect(firstChunk).toBeLessThan(lastOutput);
    expect(chunks.join('')).not.toContain('Deal Analysis has it');
    const rationale = events
      .map((e) => e.trace?.trace?.orchestrationTrace?.rationale?.text)
      .filter(Boolean);
    expect(rationale[0]).toBe('A deal status question: Deal Analysis has it.');
  });

  it('keeps answer text written before a tool call as the first part of the recorded answer', async () => {
    model.reply(
      {
        text: 'Checking the deal first.',
        toolUses: [{ id: 't1', name: DEAL_TOOL, input: { content: 'Status of IXIS' } }],
        // Long enough for the text to stream before the tool call starts.
        tokenIntervalMs: 60,
      },
      { text: 'Negotiate, 75%.' },
      { text: ANSWER },
    );
    const events: AgentStreamEvent[] = [];
    for await (const event of runtime().ask({ question: 'How is IXIS?', sessionId: 'st-2' }))
      events.push(event);
    const streamed = events
      .filter((e) => e.chunk)
      .map(decode)
      .join('');
    const recorded = finishTexts(events).at(-1);
    expect(streamed).toBe(recorded);
    expect(recorded).toBe(`Checking the deal first.\n\n${ANSWER}`);
  });

  it('stops cleanly when its caller aborts mid-answer: the model call is cancelled and the run ends with a typed error', async () => {
    model.reply({ text: ANSWER, holdUntil: new Promise(() => undefined) });
    const controller = new AbortController();
    const seen: AgentStreamEvent[] = [];
    const started = Date.now();
    const error = await (async () => {
      try {
        for await (const event of runtime().ask({
          question: 'How is IXIS?',
          sessionId: 'st-3',
          signal: controller.signal,
        })) {
          seen.push(event);
          if (event.chunk) controller.abort();
        }
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AgentRunCancelledError);
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(seen.filter((e) => e.chunk)).toHaveLength(1);
    await expect.poll(() => model.requests[0]?.cancelled).toBe(true);
  });

  it('cancels the model call when its reader stops early', async () => {
    model.reply({ text: ANSWER, holdUntil: new Promise(() => undefined) });
    for await (const event of runtime().ask({ question: 'How is IXIS?', sessionId: 'st-4' })) {
      if (event.chunk) break;
    }
    await expect.poll(() => model.requests[0]?.cancelled).toBe(true);
  });

  it('yields each step as it happens: the hand-off before the collaborator answers, the tool call before the tool returns', async () => {
    const tool = gate();
    let toolRunning = false;
    const query = scriptedQueryTool({ columns: ['arr'], rows: [[1]], row_count: 1 });
    const tools = new InProcessToolInvoker({
      firebolt_query: async (event: unknown) => {
        toolRunning = true;
        await tool.held;
        return query.handle(event);
      },
    });
    model.reply(
      { toolUses: [{ id: 't1', name: DEAL_TOOL, input: { content: 'Status of IXIS' } }] },
      { toolUses: [{ id: 't2', name: 'firebolt_query__execute_query', input: { query: 'x' } }] },
      { text: 'Negotiate.' },
      { text: ANSWER },
    );
    const seenWhileToolRan: string[] = [];
    const events: AgentStreamEvent[] = [];
    for await (const event of runtime({ tools }).ask({ question: 'IXIS?', sessionId: 'st-5' })) {
      events.push(event);
      const input = event.trace?.trace?.orchestrationTrace?.invocationInput;
      if (input) seenWhileToolRan.push(`${input.invocationType}:${toolRunning}`);
      if (input?.invocationType === 'ACTION_GROUP') {
        // The call is traced before the tool is let go: it has not answered yet.
        setTimeout(() => tool.release(), 20);
      }
    }
    expect(seenWhileToolRan).toEqual(['AGENT_COLLABORATOR:false', 'ACTION_GROUP:false']);
    // Deal Analysis had not answered when its hand-off was yielded: its model calls came later.
    const handOff = events.findIndex(
      (e) =>
        e.trace?.trace?.orchestrationTrace?.invocationInput?.invocationType ===
        'AGENT_COLLABORATOR',
    );
    const dealModelCall = events.findIndex(
      (e) =>
        e.trace?.collaboratorName === 'DealAnalysisAgent' &&
        e.trace.trace?.orchestrationTrace?.modelInvocationInput,
    );
    expect(handOff).toBeLessThan(dealModelCall);
  });

  it('streams the routed collaborator’s answer in router mode, while it is written', async () => {
    const end = gate();
    model.reply({ text: '<a>DealAnalysisAgent</a>' }, { text: ANSWER, holdUntil: end.held });
    const events: AgentStreamEvent[] = [];
    let openAtFirstChunk: boolean | undefined;
    for await (const event of runtime({ router: true }).ask({
      question: 'How is IXIS?',
      sessionId: 'st-6',
    })) {
      if (event.chunk && openAtFirstChunk === undefined) {
        openAtFirstChunk = model.requests[1]?.endedAt === undefined;
        end.release();
      }
      events.push(event);
    }
    expect(openAtFirstChunk).toBe(true);
    expect(model.requests).toHaveLength(2);
    const chunks = events.filter((e) => e.chunk).map(decode);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.join('')).toBe(ANSWER);
    const finish = events.findLast(
      (e) => e.trace?.trace?.routingClassifierTrace?.observation?.type === 'FINISH',
    );
    expect(finish?.trace?.trace?.routingClassifierTrace?.observation?.finalResponse?.text).toBe(
      ANSWER,
    );
  });
});
