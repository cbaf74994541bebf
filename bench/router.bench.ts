/**
 * SUPERVISOR against SUPERVISOR_ROUTER on the offline model: model calls per documented
 * single-agent question of the golden set (`kind: documented`, one expected collaborator, no
 * earlier turns), each asked in a fresh session of the portable runtime with every tool in
 * process. A model call is counted by its `modelInvocationInput` trace (orchestration or routing
 * classifier), so the figure is what the conversation record shows. Also: how many questions
 * the router sent straight to a collaborator, whether it chose the collaborator the golden set
 * expects, and whether the answer matched the SUPERVISOR's.
 */
import { randomBytes } from 'node:crypto';
import {
  type AgentRuntime,
  defaultAgentsDir,
  defineAgents,
  readAgentSources,
} from '@revbot/agents';
import { createPortableRuntime, runtimeAgents } from '@revbot/agents/runtime';
import { silentLogger } from '@revbot/core';
import { startLocalToolStack } from '@revbot/testing/local-tool-stack';
import { startWebhookReceiver } from '@revbot/testing/webhook-receiver';
import { loadGoldenSet } from '../cli/src/eval/golden-set';
import { type BenchResult, round } from './types';

const AS_OF = '2026-11-23';
const EXPECTED_AGENT_TARGET = 0.95;

interface Run {
  modelCalls: number;
  /** Collaborators the entry agent called or routed to, in order. */
  handedTo: string[];
  routed: boolean;
  answer: string;
}

async function ask(runtime: AgentRuntime, question: string, sessionId: string): Promise<Run> {
  const run: Run = { modelCalls: 0, handedTo: [], routed: false, answer: '' };
  const decoder = new TextDecoder();
  for await (const event of runtime.ask({ question, sessionId })) {
    if (event.chunk?.bytes) run.answer += decoder.decode(event.chunk.bytes, { stream: true });
    const trace = event.trace?.trace;
    const step = trace?.orchestrationTrace ?? trace?.routingClassifierTrace;
    if (!step) continue;
    if (step.modelInvocationInput) run.modelCalls++;
    const handOff = step.invocationInput?.agentCollaboratorInvocationInput?.agentCollaboratorName;
    if (handOff && event.trace?.callerChain?.length === 1) {
      run.handedTo.push(handOff);
      if (trace?.routingClassifierTrace) run.routed = true;
    }
  }
  return run;
}

/** The repository's agents with the Manager's `collaboration` set to SUPERVISOR_ROUTER. */
function routerAgents() {
  const sources = readAgentSources(defaultAgentsDir());
  const manager = sources.agents.find((a) => a.key === 'manager_agent');
  if (!manager?.config) throw new Error('agents/manager_agent/agent.json not found');
  const config = JSON.parse(manager.config) as Record<string, unknown>;
  config.collaboration = 'SUPERVISOR_ROUTER';
  manager.config = JSON.stringify(config);
  return defineAgents(sources);
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

export async function run(): Promise<BenchResult[]> {
  const receiver = await startWebhookReceiver({ fallback: { status: 200 } });
  const stack = await startLocalToolStack({
    asOf: AS_OF,
    logger: silentLogger,
    webhook: {
      allowedUrls: `${receiver.url}/`,
      notificationUrl: `${receiver.url}/notify`,
      signingSecret: `whsec_${randomBytes(32).toString('base64')}`,
    },
  });
  try {
    const env = { OFFLINE_TODAY: AS_OF };
    const deps = { tools: stack.tools, logger: silentLogger };
    const supervisor = createPortableRuntime('offline', env, { ...deps, agents: runtimeAgents() });
    const router = createPortableRuntime('offline', env, { ...deps, agents: routerAgents() });
    const cases = loadGoldenSet().filter(
      (c) => c.kind === 'documented' && c.expect.agents?.length === 1 && !c.before?.length,
    );
    if (cases.length === 0) throw new Error('The golden set has no documented single-agent case');

    const supervised: Run[] = [];
    const routed: Run[] = [];
    for (const [i, golden] of cases.entries()) {
      supervised.push(await ask(supervisor, golden.question, `bench-supervisor-${i}`));
      routed.push(await ask(router, golden.question, `bench-router-${i}`));
    }
    const supervisorCalls = mean(supervised.map((r) => r.modelCalls));
    const routerCalls = mean(routed.map((r) => r.modelCalls));
    const direct = routed.filter((r) => r.routed);
    const rightAgent = routed.filter(
      (r, i) => r.routed && r.handedTo[0] === cases[i]!.expect.agents?.[0],
    );
    const sameAnswer = routed.filter((r, i) => r.answer === supervised[i]!.answer);
    const n = cases.length;
    return [
      {
        name: `router: model calls per documented single-agent question, SUPERVISOR (${n} questions)`,
        value: round(supervisorCalls),
        unit: 'calls',
        target: '',
        ok: true,
      },
      {
        name: `router: model calls per documented single-agent question, SUPERVISOR_ROUTER (${n} questions)`,
        value: round(routerCalls),
        unit: 'calls',
        target: `< ${round(supervisorCalls)} (SUPERVISOR)`,
        ok: routerCalls < supervisorCalls,
      },
      {
        name: 'router: questions sent straight to one collaborator',
        value: round(direct.length / n, 3),
        unit: 'ratio',
        target: '',
        ok: true,
      },
      {
        name: 'router: routed questions sent to the collaborator the golden set expects',
        value: round(direct.length === 0 ? 0 : rightAgent.length / direct.length, 3),
        unit: 'ratio',
        target: `>= ${EXPECTED_AGENT_TARGET}`,
        ok: direct.length > 0 && rightAgent.length / direct.length >= EXPECTED_AGENT_TARGET,
      },
      {
        name: 'router: answers identical to SUPERVISOR’s',
        value: round(sameAnswer.length / n, 3),
        unit: 'ratio',
        target: '',
        ok: true,
      },
    ];
  } finally {
    await Promise.all([stack.close(), receiver.close()]);
  }
}
