/**
 * The portable agent runtime with the offline model, as `pnpm dev` runs it: the answer latency of
 * each documented example question end to end (the factory's runtime, the orchestrator, every
 * tool in process on the embedded warehouse, the local Gong and search APIs, the local knowledge
 * base, and a signed notification to a local receiver), p50 and p99; plus the orchestrator's own
 * cost per model step with a model that answers instantly.
 */

import { randomBytes } from 'node:crypto';
import { type AgentRuntime, loadAgents } from '@revbot/agents';
import {
  createAgentRuntime,
  InMemorySessionStore,
  InProcessToolInvoker,
  type ModelProvider,
  Orchestrator,
} from '@revbot/agents/runtime';
import { silentLogger } from '@revbot/core';
import { startLocalToolStack } from '@revbot/testing/local-tool-stack';
import { startWebhookReceiver } from '@revbot/testing/webhook-receiver';
import { DOCUMENTED_QUESTIONS } from './documented-questions';
import { type BenchResult, percentile, round } from './types';

const AS_OF = '2026-11-23';
const WARMUP = 3;
const ITERATIONS = 30;
const P50_TARGET_MS = 200;
const P99_TARGET_MS = 1_000;
const STEP_TARGET_MS = 1;

const QUESTIONS = DOCUMENTED_QUESTIONS;

const quiet = { info() {}, warn() {}, error() {} };

async function answer(runtime: AgentRuntime, question: string, sessionId: string): Promise<number> {
  let events = 0;
  for await (const _ of runtime.ask({ question, sessionId })) events++;
  return events;
}

export async function run(): Promise<BenchResult[]> {
  const receiver = await startWebhookReceiver({ fallback: { status: 200 } });
  const base = receiver.url;
  const stack = await startLocalToolStack({
    asOf: AS_OF,
    logger: quiet,
    webhook: {
      allowedUrls: `${base}/`,
      notificationUrl: `${base}/notify`,
      signingSecret: `whsec_${randomBytes(32).toString('base64')}`,
    },
  });
  const results: BenchResult[] = [];
  try {
    const runtime = createAgentRuntime(
      {
        AGENT_RUNTIME: 'offline',
        OFFLINE_TODAY: AS_OF,
        // The bench times the whole run, the notification included.
        AGENT_ACTIONS_WITHOUT_APPROVAL: 'webhook_executor,firebolt_writer',
      },
      { tools: stack.tools, logger: silentLogger },
    );
    for (const [label, question] of QUESTIONS) {
      const timings: number[] = [];
      let events = 0;
      for (let i = 0; i < WARMUP + ITERATIONS; i++) {
        const started = performance.now();
        // A fresh session each time: no history, the same work on every run.
        events = await answer(runtime, question, `bench-${label}-${i}`);
        if (i >= WARMUP) timings.push(performance.now() - started);
      }
      timings.sort((a, b) => a - b);
      const p50 = percentile(timings, 50);
      const p99 = percentile(timings, 99);
      results.push(
        {
          name: `offline answer: ${label} p50`,
          value: round(p50),
          unit: 'ms',
          target: `< ${P50_TARGET_MS}`,
          ok: p50 < P50_TARGET_MS,
        },
        {
          name: `offline answer: ${label} p99`,
          value: round(p99),
          unit: 'ms',
          target: `< ${P99_TARGET_MS}`,
          ok: p99 < P99_TARGET_MS,
        },
        {
          name: `offline answer: ${label} events`,
          value: events,
          unit: 'events',
          target: '',
          ok: true,
        },
      );
    }
    results.push(await orchestratorStepCost());
  } finally {
    await stack.close();
    await receiver.close();
  }
  return results;
}

/**
 * The orchestrator alone: a Manager that calls Data, which calls a tool 8 times, with a model
 * and a tool that answer at once. Time per model step covers trace building, event emission,
 * the action-group event round trip and the session store.
 */
async function orchestratorStepCost(): Promise<BenchResult> {
  const agents = loadAgents();
  let toolUse = 0;
  const provider: ModelProvider = {
    name: 'instant',
    async complete(request) {
      const calls = request.messages.filter((m) => m.role === 'assistant').length;
      const use = (name: string, input: Record<string, unknown>) => ({
        content: [{ type: 'toolUse' as const, toolUseId: `t${++toolUse}`, name, input }],
        stopReason: 'tool_use' as const,
        usage: { inputTokens: 1000, outputTokens: 50 },
        raw: '{}',
      });
      const done = {
        content: [{ type: 'text' as const, text: 'done' }],
        stopReason: 'end_turn' as const,
        usage: { inputTokens: 1000, outputTokens: 50 },
        raw: '{}',
      };
      if (request.agent.key === agents.entry.key) {
        return calls === 0 ? use('AgentCommunication__DataAgent', { content: 'go' }) : done;
      }
      return calls < 8 ? use('firebolt_query__execute_query', { query: 'SELECT 1' }) : done;
    },
  };
  const tool = async (event: unknown) => ({
    messageVersion: '1.0',
    response: {
      actionGroup: 'firebolt_query',
      function: 'execute_query',
      functionResponse: {
        responseBody: { TEXT: { body: `{"rows":[[${JSON.stringify(event).length}]]}` } },
      },
    },
  });
  const runtime = new Orchestrator({
    agents,
    provider,
    tools: new InProcessToolInvoker({ firebolt_query: tool }),
    sessions: new InMemorySessionStore(),
  });
  const steps = 2 + 9; // Manager: 2 model calls; Data: 9
  const timings: number[] = [];
  for (let i = 0; i < 200; i++) {
    const started = performance.now();
    await answer(runtime, 'go', `step-${i}`);
    if (i >= 20) timings.push((performance.now() - started) / steps);
  }
  timings.sort((a, b) => a - b);
  const p50 = percentile(timings, 50);
  return {
    name: 'orchestrator overhead per model step p50',
    value: round(p50, 3),
    unit: 'ms',
    target: `< ${STEP_TARGET_MS}`,
    ok: p50 < STEP_TARGET_MS,
  };
}
