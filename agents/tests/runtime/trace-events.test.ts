/**
 * The portable runtime's event stream against recorded real InvokeAgent streams: for every kind
 * of event both produce, the fields (paths and value types) must match, and the monitoring
 * package must turn our stream into a complete, fully attributed conversation record.
 */

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildConversationRecord } from '@revbot/monitoring';
import { BEDROCK_TRACES_DIR } from '@revbot/testing/fixtures';
import { reply, scriptedModel } from '@revbot/testing/scripted-model';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AgentStreamEvent, loadAgents } from '../../src';
import { toolParam } from '../../src/action-group';
import { LocalKnowledgeBase } from '../../src/knowledge-base/knowledge-base';
import { Orchestrator } from '../../src/runtime/orchestrator';
import { InMemorySessionStore } from '../../src/runtime/session-store';
import { InProcessToolInvoker } from '../../src/runtime/tool-invoker';
import { agentIdentity, TraceWriter } from '../../src/runtime/trace-events';
import { collectEvents } from '../support/collect-events';
import { scriptedQueryTool } from '../support/scripted-query-tool';

const FIXTURES = BEDROCK_TRACES_DIR;
const recordedFiles = readdirSync(FIXTURES).filter((f) => /^\d\d-.*\.json$/.test(f));
const recorded = recordedFiles.flatMap(
  (file) => JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as unknown[],
);

/** Timestamps arrive as wire strings in the recordings and as Dates from the JS SDK (and us). */
const TIMESTAMP_KEYS = new Set(['eventTime', 'startTime', 'endTime']);

type Shape = Map<string, string>;

/** Every leaf path of a value with its type; array elements share `[]`, maps of metadata `*`. */
function shapeOf(value: unknown, at = '', shape: Shape = new Map()): Shape {
  const key = at.split('.').at(-1) ?? '';
  if (TIMESTAMP_KEYS.has(key) && (value instanceof Date || typeof value === 'string')) {
    shape.set(at, 'timestamp');
  } else if (key === 'bytes' && (value instanceof Uint8Array || typeof value === 'string')) {
    shape.set(at, 'bytes');
  } else if (Array.isArray(value)) {
    shape.set(at, 'array');
    for (const item of value) shapeOf(item, `${at}[]`, shape);
  } else if (value !== null && typeof value === 'object') {
    shape.set(at, 'object');
    for (const [k, v] of Object.entries(value)) shapeOf(v, at ? `${at}.${k}` : k, shape);
  } else {
    shape.set(at, typeof value);
  }
  return shape;
}

/** Which kind of event this is, e.g. `observation:ACTION_GROUP` or `modelInvocationInput`. */
function kindOf(event: Record<string, unknown>): string | undefined {
  if ('chunk' in event) return 'chunk';
  const trace = (event.trace as { trace?: Record<string, Record<string, unknown>> }).trace;
  const orchestration = trace?.orchestrationTrace;
  if (!orchestration) return undefined;
  const [member, body] = Object.entries(orchestration)[0] ?? [];
  const detail = body as { invocationType?: string; type?: string } | undefined;
  if (member === 'invocationInput') return `invocationInput:${detail?.invocationType}`;
  if (member === 'observation') return `observation:${detail?.type}`;
  return member;
}

/**
 * Fields Bedrock sends that RevBot's orchestrator deliberately does not: sampling settings it
 * never sets (newer Claude models refuse temperature and top_p together; top_k is Anthropic-only).
 */
const NOT_SENT = new Set([
  'trace.trace.orchestrationTrace.modelInvocationInput.inferenceConfiguration.topK',
  'trace.trace.orchestrationTrace.modelInvocationInput.inferenceConfiguration.topP',
]);

/** Metadata of retrieved references is an open map of document attributes. */
const OPEN_MAPS = /retrievedReferences\[\]\.metadata\./;

function referenceShapes() {
  const byKind = new Map<string, Shape[]>();
  for (const event of recorded) {
    const kind = kindOf(event as Record<string, unknown>);
    if (!kind) continue;
    const list = byKind.get(kind) ?? [];
    list.push(shapeOf(event));
    byKind.set(kind, list);
  }
  return byKind;
}

let events: AgentStreamEvent[];
let runtime: Orchestrator;

beforeAll(async () => {
  const agents = loadAgents();
  const query = scriptedQueryTool(
    { columns: ['stage'], rows: [['Negotiate']], row_count: 1 },
    z.object({ query: toolParam.text(), max_rows: toolParam.integer(1, 500) }),
  );
  const model = scriptedModel({
    [agents.entry.key]: [
      reply('A deal question: Deal Analysis handles it.', [
        { name: 'AgentCommunication__DealAnalysisAgent', input: { content: 'Status of IXIS' } },
      ]),
      reply('**IXIS is in Negotiate.**'),
    ],
    deal_analysis_agent: [
      reply('Reading the rubric first.', [
        {
          name: 'GET__x_amz_knowledgebase_LOCALKB001__Search',
          input: { searchQuery: 'Negotiate stage MEDDPICC minimum' },
        },
      ]),
      reply('Now the opportunity.', [
        {
          name: 'firebolt_query__execute_query',
          input: { query: 'SELECT stage FROM opportunities', max_rows: 5 },
        },
      ]),
      reply('IXIS is in Negotiate.'),
    ],
  });
  runtime = new Orchestrator({
    agents,
    provider: model,
    tools: new InProcessToolInvoker({ firebolt_query: query }),
    sessions: new InMemorySessionStore(),
    knowledgeBase: new LocalKnowledgeBase(),
  });
  events = await collectEvents(runtime.ask({ question: 'How is IXIS?', sessionId: 'shape-1' }));
});

describe('the portable runtime’s event stream', () => {
  it('produces only kinds of events real InvokeAgent streams contain', () => {
    const known = referenceShapes();
    const ours = new Set(events.map((e) => kindOf(e as Record<string, unknown>)));
    expect([...ours].sort()).toEqual([
      'chunk',
      'invocationInput:ACTION_GROUP',
      'invocationInput:AGENT_COLLABORATOR',
      'invocationInput:KNOWLEDGE_BASE',
      'modelInvocationInput',
      'modelInvocationOutput',
      'observation:ACTION_GROUP',
      'observation:AGENT_COLLABORATOR',
      'observation:FINISH',
      'observation:KNOWLEDGE_BASE',
      'rationale',
    ]);
    for (const kind of ours) expect(known.has(kind!), kind).toBe(true);
  });

  it('matches the recorded events field by field, kind by kind', () => {
    const known = referenceShapes();
    // The envelope (agent ids, callerChain, collaboratorName, session, time) is the same for
    // every kind of trace: compare it with every recorded trace, the body with its own kind.
    const envelope = new Map<string, Set<string>>();
    for (const [kind, samples] of known) {
      if (kind === 'chunk') continue;
      for (const sample of samples) {
        for (const [at, type] of sample) {
          if (!at.startsWith('trace.trace.'))
            envelope.set(at, (envelope.get(at) ?? new Set()).add(type));
        }
      }
    }
    for (const event of events) {
      const kind = kindOf(event as Record<string, unknown>)!;
      const samples = known.get(kind)!;
      const ours = shapeOf(event);
      // Every field we send exists, with the same type, in some real event of this kind…
      const union = new Map<string, Set<string>>(kind === 'chunk' ? [] : envelope);
      for (const sample of samples) {
        for (const [at, type] of sample) union.set(at, (union.get(at) ?? new Set()).add(type));
      }
      for (const [at, type] of ours) {
        if (OPEN_MAPS.test(at)) continue;
        expect(union.get(at), `${kind}: ${at} is not in any recorded ${kind}`).toBeDefined();
        expect([...(union.get(at) ?? [])], `${kind}: ${at}`).toContain(type);
      }
      // …and every field all real events of this kind carry, we carry too.
      for (const [at] of samples[0]!) {
        if (NOT_SENT.has(at)) continue;
        if (!samples.every((sample) => sample.has(at))) continue;
        // Elements of a list we send empty (no stop sequences) have nothing to compare.
        const list = at.includes('[]') ? at.slice(0, at.indexOf('[]')) : undefined;
        if (
          list &&
          ours.get(list) === 'array' &&
          ![...ours.keys()].some((k) => k.startsWith(`${list}[]`))
        )
          continue;
        expect(ours.has(at), `${kind}: missing ${at}`).toBe(true);
      }
    }
  });

  it('carries collaboratorName on collaborator traces only, as Bedrock does', () => {
    const traces = events.flatMap((e) => (e.trace ? [e.trace] : []));
    for (const part of traces) {
      expect(part.collaboratorName === undefined).toBe(part.callerChain?.length === 1);
    }
    const recordedTop = recorded
      .map((e) => (e as { trace?: { callerChain: unknown[]; collaboratorName?: string } }).trace)
      .filter((t) => t !== undefined);
    for (const part of recordedTop) {
      if (part.callerChain.length === 1) expect(part.collaboratorName).toBeUndefined();
    }
  });

  it('becomes a complete, fully attributed conversation record in the monitoring package', () => {
    const record = buildConversationRecord(
      events,
      {
        conversationId: 'conv-shape-1',
        channel: { kind: 'replay', source: 'test' },
        userQuery: 'How is IXIS?',
      },
      { agentNames: runtime.agentNames() },
    );
    const { conversation, metadata } = record;
    expect(metadata.quality.checks.filter((c) => !c.passed)).toEqual([]);
    expect(metadata.quality.score).toBe(1);
    expect(conversation.final_response.text).toBe('**IXIS is in Negotiate.**');
    const flow = conversation.agent_flow.map((inv) => ({
      name: inv.agent_name,
      depth: inv.depth,
      caller: inv.caller_index,
      tools: inv.tool_calls.map((t) => `${t.action_group}.${t.function}:${t.status}`),
      lookups: inv.knowledge_base_lookups.length,
    }));
    expect(flow).toEqual([
      { name: 'Manager', depth: 1, caller: null, tools: [], lookups: 0 },
      {
        name: 'Deal Analysis',
        depth: 2,
        caller: 0,
        tools: ['firebolt_query.execute_query:success'],
        lookups: 1,
      },
    ]);
    const text = JSON.stringify(conversation);
    expect(text).not.toContain('Think through the request and the conversation');
  });

  it('puts a call’s usage, cache reads and writes included, where Bedrock puts usage', () => {
    const identity = agentIdentity('manager');
    const writer = new TraceWriter({
      identity,
      sessionId: 's-1',
      callerChain: [identity.agentAliasArn],
    });
    const event = writer.modelInvocationOutput({
      traceId: 't-0',
      raw: '{}',
      timing: { startMs: 1_000, endMs: 1_900 },
      usage: {
        inputTokens: 90,
        outputTokens: 40,
        cacheReadInputTokens: 2_400,
        cacheWriteInputTokens: 0,
      },
      clientRequestId: 'req-1',
    });
    expect(event.trace?.trace?.orchestrationTrace?.modelInvocationOutput?.metadata?.usage).toEqual({
      inputTokens: 90,
      outputTokens: 40,
      cacheReadInputTokens: 2_400,
      cacheWriteInputTokens: 0,
    });
  });
});
