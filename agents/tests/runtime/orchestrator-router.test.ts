/**
 * SUPERVISOR_ROUTER in the portable runtime: one routing decision, then the chosen collaborator
 * answers directly; full supervision when the classifier is unsure. Traced as Bedrock traces it
 * (`routingClassifierTrace`), so the monitoring package records the decision.
 */
import path from 'node:path';
import { silentLogger } from '@revbot/core';
import { buildConversationRecord } from '@revbot/monitoring';
import { reply, scriptedModel } from '@revbot/testing/scripted-model';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AgentStreamEvent, defineAgents, readAgentSources } from '../../src';
import {
  createActionGroupTool,
  DENIED_AGENTS_ATTRIBUTE,
  defineToolFunction,
  deniedAgentsAttribute,
  toolParam,
} from '../../src/action-group';
import type { ConfirmationDecision } from '../../src/runtime/agent-runtime';
import { Orchestrator } from '../../src/runtime/orchestrator';
import { InMemoryPausedRunStore } from '../../src/runtime/paused-run-store';
import { routingDecision } from '../../src/runtime/routing-classifier';
import { InMemorySessionStore } from '../../src/runtime/session-store';
import { InProcessToolInvoker } from '../../src/runtime/tool-invoker';
import { agentIdentity } from '../../src/runtime/trace-events';
import { collectEvents } from '../support/collect-events';
import { scriptedQueryTool } from '../support/scripted-query-tool';

/** The repository's agents with the Manager set to SUPERVISOR_ROUTER, as its agent.json would. */
function routerAgents() {
  const sources = readAgentSources(path.resolve(import.meta.dirname, '../..'));
  const manager = sources.agents.find((a) => a.key === 'manager_agent')!;
  const config = JSON.parse(manager.config!) as Record<string, unknown>;
  config.collaboration = 'SUPERVISOR_ROUTER';
  manager.config = JSON.stringify(config);
  return defineAgents(sources);
}

const agents = routerAgents();
const MANAGER = 'manager_agent';
const DATA = 'data_agent';
const QUERY_TOOL = 'firebolt_query__execute_query';
const QUESTION = 'What is our open pipeline for 2026-Q4?';

function runtime(model: ReturnType<typeof scriptedModel>) {
  let id = 0;
  return new Orchestrator({
    agents,
    provider: model,
    tools: new InProcessToolInvoker({
      firebolt_query: scriptedQueryTool({
        columns: ['pipeline_arr'],
        rows: [[18400000]],
        row_count: 1,
      }),
    }),
    sessions: new InMemorySessionStore(),
    newId: () => `00000000-0000-4000-8000-${String(++id).padStart(12, '0')}`,
  });
}

const answerOf = (events: AgentStreamEvent[]) =>
  events
    .filter((e) => e.chunk)
    .map((e) => new TextDecoder().decode(e.chunk!.bytes))
    .join('');
const routing = (events: AgentStreamEvent[]) =>
  events.flatMap((e) => (e.trace?.trace?.routingClassifierTrace ? [e.trace] : []));

describe('the orchestrator as SUPERVISOR_ROUTER', () => {
  it('routes a single-agent question with one classifier call, and the collaborator’s answer is the answer', async () => {
    const model = scriptedModel({
      [MANAGER]: [reply('<a>DataAgent</a>', [], { usage: { inputTokens: 300, outputTokens: 6 } })],
      [DATA]: [
        reply('<thinking>Sum the open pipeline.</thinking>', [
          { name: QUERY_TOOL, input: { query: 'SELECT SUM(arr) AS pipeline_arr FROM x' } },
        ]),
        reply('**$18.4M ARR** open pipeline in 2026-Q4.'),
      ],
    });
    const events = await collectEvents(
      runtime(model).ask({ question: QUESTION, sessionId: 'r-1' }),
    );

    // One small call for the Manager: no tools, the collaborators described in its prompt.
    const [classifier] = model.requestsOf(MANAGER);
    expect(model.requestsOf(MANAGER)).toHaveLength(1);
    expect(classifier).toMatchObject({ purpose: 'routing', tools: [] });
    expect(classifier!.inference.maxTokens).toBeLessThanOrEqual(256);
    for (const collaborator of agents.entry.collaborators) {
      expect(classifier!.system).toContain(`<agent id="${collaborator.name}">`);
    }
    expect(classifier!.messages.at(-1)).toEqual({
      role: 'user',
      content: [{ type: 'text', text: QUESTION }],
    });
    // The collaborator gets the user's question itself.
    expect(model.requestsOf(DATA)[0]!.messages.at(-1)?.content[0]).toEqual({
      type: 'text',
      text: QUESTION,
    });

    const answer = '**$18.4M ARR** open pipeline in 2026-Q4.';
    expect(answerOf(events)).toBe(answer);
    const manager = agentIdentity(MANAGER);
    const data = agentIdentity(DATA);
    const steps = routing(events);
    expect(steps.map((p) => Object.keys(p.trace!.routingClassifierTrace!)[0])).toEqual([
      'modelInvocationInput',
      'modelInvocationOutput',
      'invocationInput',
      'observation',
      'observation',
    ]);
    for (const part of steps) expect(part.agentId).toBe(manager.agentId);
    const [input, , call, back, finish] = steps.map((p) => p.trace!.routingClassifierTrace!);
    expect(input!.modelInvocationInput).toMatchObject({
      type: 'ROUTING_CLASSIFIER',
      traceId: '00000000-0000-4000-8000-000000000001-routing-0',
    });
    expect(call!.invocationInput).toMatchObject({
      invocationType: 'AGENT_COLLABORATOR',
      agentCollaboratorInvocationInput: {
        agentCollaboratorName: 'DataAgent',
        agentCollaboratorAliasArn: data.agentAliasArn,
        input: { text: QUESTION, type: 'TEXT' },
      },
    });
    expect(back!.observation).toMatchObject({
      type: 'AGENT_COLLABORATOR',
      agentCollaboratorInvocationOutput: { output: { text: answer, type: 'TEXT' } },
    });
    expect(finish!.observation).toMatchObject({ type: 'FINISH', finalResponse: { text: answer } });
    // The collaborator's own steps, one level down.
    const dataParts = events.filter((e) => e.trace?.agentId === data.agentId);
    expect(dataParts.length).toBeGreaterThan(0);
    for (const e of dataParts) {
      expect(e.trace!.callerChain).toHaveLength(2);
      expect(e.trace!.collaboratorName).toBe('DataAgent');
    }

    // The monitoring package reads the decision and the routed call.
    const record = buildConversationRecord(events, {
      conversationId: 'router-1',
      channel: { kind: 'replay', source: 'test' },
      userQuery: QUESTION,
    });
    expect(record.conversation.collaboration_map).toEqual([
      expect.objectContaining({ to: 'DataAgent', via: 'routing_classifier', count: 1 }),
    ]);
    const decided = record.conversation.agent_flow[0]!.steps.find(
      (s) => s.phase === 'routing_classifier',
    );
    expect(decided?.routing_decision).toBe('DataAgent');
    expect(record.metadata.quality.checks.filter((c) => !c.passed)).toEqual([]);
  });

  it('falls back to full supervision under the same request id when the classifier is unsure', async () => {
    const model = scriptedModel({
      [MANAGER]: [
        reply('<a>undecidable</a>'),
        reply('', [
          { name: 'AgentCommunication__DataAgent', input: { content: 'Open pipeline 2026-Q4' } },
        ]),
        reply('Pipeline is $18.4M; no news on the web.'),
      ],
      [DATA]: [reply('$18.4M.')],
    });
    const events = await collectEvents(
      runtime(model).ask({ question: 'Pipeline, and news on our top account?', sessionId: 'r-2' }),
    );
    expect(model.requestsOf(MANAGER).map((r) => r.purpose ?? 'orchestration')).toEqual([
      'routing',
      'orchestration',
      'orchestration',
    ]);
    expect(answerOf(events)).toBe('Pipeline is $18.4M; no news on the web.');
    const steps = routing(events);
    expect(steps).toHaveLength(2);
    const orchestrationIds = events.flatMap(
      (e) => e.trace?.trace?.orchestrationTrace?.modelInvocationInput?.traceId ?? [],
    );
    // The supervisor's steps continue the routing's request id, as Bedrock's do.
    expect(orchestrationIds[0]).toBe('00000000-0000-4000-8000-000000000001-0');
  });

  it('falls back when the classifier names an agent that is not a collaborator', async () => {
    const model = scriptedModel({
      [MANAGER]: [reply('<a>FinanceAgent</a>'), reply('I can only help with revenue questions.')],
    });
    const events = await collectEvents(runtime(model).ask({ question: 'Hi', sessionId: 'r-3' }));
    expect(model.requestsOf(MANAGER)).toHaveLength(2);
    expect(answerOf(events)).toBe('I can only help with revenue questions.');
  });
  it('never routes to an agent the asker may not use: the supervisor answers instead', async () => {
    const model = scriptedModel({
      [MANAGER]: [
        reply('<a>DataAgent</a>'),
        reply('', [
          { name: 'AgentCommunication__DataAgent', input: { content: 'Open pipeline 2026-Q4' } },
        ]),
        reply('The Data agent is not available to you here.'),
      ],
      [DATA]: [reply('$18.4M.')],
    });
    const events = await collectEvents(
      runtime(model).ask({
        question: QUESTION,
        sessionId: 'r-4',
        sessionAttributes: { [DENIED_AGENTS_ATTRIBUTE]: deniedAgentsAttribute([DATA]) },
      }),
    );
    // Routed, refused at the hand-off, answered by the supervisor: the Data agent never ran.
    expect(model.requestsOf(DATA)).toHaveLength(0);
    expect(model.requestsOf(MANAGER)).toHaveLength(3);
    expect(answerOf(events)).toBe('The Data agent is not available to you here.');
  });
});

describe('router mode and approvals', () => {
  it('pauses inside the collaborator it chose and resumes there, once, with the decision', async () => {
    const sent: string[] = [];
    const executor = createActionGroupTool({
      name: 'webhook_executor',
      logger: silentLogger,
      functions: [
        defineToolFunction({
          name: 'send_notification',
          parameters: z.object({
            message: toolParam.text(),
            severity: toolParam.text(),
            recipient: toolParam.text(),
          }),
          async run({ message }) {
            sent.push(String(message));
            return { delivered: true };
          },
        }),
      ],
    });
    const routed = (model: ReturnType<typeof scriptedModel>) => {
      let id = 0;
      return new Orchestrator({
        agents,
        provider: model,
        tools: new InProcessToolInvoker({ webhook_executor: executor }),
        sessions,
        pausedRuns,
        newId: () => `00000000-0000-4000-8000-${String(++id).padStart(12, '0')}`,
      });
    };
    const sessions = new InMemorySessionStore();
    const pausedRuns = new InMemoryPausedRunStore();
    const notify = {
      name: 'webhook_executor__send_notification',
      input: { message: 'IXIS is at risk', severity: 'warning', recipient: 'Sarah Johnson' },
    };
    const first = await collectEvents(
      routed(
        scriptedModel({
          [MANAGER]: [reply('<a>ExecutionAgent</a>')],
          execution_agent: [reply('', [notify])],
        }),
      ).ask({ question: 'Notify Sarah Johnson that IXIS is at risk', sessionId: 'r-5' }),
    );
    const pause = first.at(-1)?.returnControl;
    expect(pause?.invocationId).toBeDefined();
    expect(sent).toEqual([]);

    const decision: ConfirmationDecision = {
      invocationId: pause!.invocationId!,
      actionGroup: 'webhook_executor',
      function: 'send_notification',
      confirmationState: 'CONFIRM',
      decidedBy: 'U0ASKER',
      decidedAt: '2026-12-07T10:00:00.000Z',
    };
    const resumedModel = scriptedModel({
      execution_agent: [reply('Notified Sarah Johnson (warning).')],
    });
    const resumed = await collectEvents(
      routed(resumedModel).ask({ question: '', sessionId: 'r-5', confirmation: decision }),
    );
    // The chosen collaborator finishes and its answer is the answer: the Manager is not asked.
    expect(sent).toEqual(['IXIS is at risk']);
    expect(answerOf(resumed)).toBe('Notified Sarah Johnson (warning).');
    expect(resumedModel.requestsOf(MANAGER)).toHaveLength(0);
    await expect(
      collectEvents(
        routed(resumedModel).ask({ question: '', sessionId: 'r-5', confirmation: decision }),
      ),
    ).rejects.toThrow(/No action is waiting/);
    expect(sent).toHaveLength(1);
  });
});

describe('the routing decision', () => {
  const collaborators = agents.entry.collaborators;
  it('reads the last <a> tag, after any reasoning', () => {
    expect(
      routingDecision('We think Data. <a>Deal</a> no: <a> DataAgent </a>', collaborators)?.name,
    ).toBe('DataAgent');
  });
  it('is unsure on undecidable, no tag, or an unknown name', () => {
    expect(routingDecision('<a>undecidable</a>', collaborators)).toBeUndefined();
    expect(routingDecision('DataAgent', collaborators)).toBeUndefined();
    expect(routingDecision('<a>dataagent</a>', collaborators)).toBeUndefined();
  });
});
