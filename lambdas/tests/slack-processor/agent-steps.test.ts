import type { AgentStreamEvent } from '@revbot/agents';
import { describe, expect, it } from 'vitest';
import { AgentSteps } from '../../slack-processor/agent-steps';

// Trace parts shaped as Bedrock (and RevBot's own orchestrator) emit them.
const MANAGER = {
  id: 'MANAGER001',
  arn: 'arn:aws:bedrock:us-east-1:000000000000:agent-alias/MANAGER001/ALIAS00001',
};
const DATA = {
  id: 'DATAAGENT1',
  arn: 'arn:aws:bedrock:us-east-1:000000000000:agent-alias/DATAAGENT1/ALIAS00002',
};
type Agent = typeof MANAGER;

function part(agent: Agent, chain: Agent[], trace: Record<string, unknown>): AgentStreamEvent {
  return {
    trace: {
      agentId: agent.id,
      callerChain: chain.map((a) => ({ agentAliasArn: a.arn })),
      sessionId: 's-1',
      trace,
    },
  } as unknown as AgentStreamEvent;
}
const orchestration = (agent: Agent, chain: Agent[], step: Record<string, unknown>) =>
  part(agent, chain, { orchestrationTrace: step });
const inData = [MANAGER, DATA];

const handOff = (traceId: string) =>
  orchestration(MANAGER, [MANAGER], {
    invocationInput: {
      invocationType: 'AGENT_COLLABORATOR',
      traceId,
      agentCollaboratorInvocationInput: {
        agentCollaboratorName: 'data_agent',
        agentCollaboratorAliasArn: DATA.arn,
      },
    },
  });
const handedBack = (traceId: string) =>
  orchestration(MANAGER, [MANAGER], {
    observation: { type: 'AGENT_COLLABORATOR', traceId, agentCollaboratorInvocationOutput: {} },
  });
const query = (traceId: string) =>
  orchestration(DATA, inData, {
    invocationInput: {
      invocationType: 'ACTION_GROUP',
      traceId,
      actionGroupInvocationInput: { actionGroupName: 'firebolt_query', function: 'run_query' },
    },
  });
const queried = (traceId: string) =>
  orchestration(DATA, inData, {
    observation: { type: 'ACTION_GROUP', traceId, actionGroupInvocationOutput: { text: '[]' } },
  });
const rationale = orchestration(MANAGER, [MANAGER], { rationale: { traceId: 't-9', text: 'hm' } });
const failed = (traceId: string) =>
  part(DATA, inData, { failureTrace: { traceId, failureReason: 'boom' } });

function run(steps: AgentSteps, events: AgentStreamEvent[]) {
  return events.flatMap((event) => steps.update(event)).map((u) => `${u.title}: ${u.status}`);
}

describe('agent steps', () => {
  it('open on a hand-off or tool call and complete on its observation', () => {
    const steps = new AgentSteps(new Map([[DATA.id, 'data_agent']]));
    expect(
      run(steps, [handOff('t-1'), query('d-1'), queried('d-1'), handedBack('t-1'), rationale]),
    ).toEqual([
      'Manager handed off to Data Agent: in_progress',
      'Data Agent is querying the warehouse: in_progress',
      'Data Agent is querying the warehouse: complete',
      'Manager handed off to Data Agent: complete',
    ]);
  });

  it("keep an agent's second call pending until its first one ends", () => {
    const steps = new AgentSteps();
    const updates = [query('d-1'), query('d-2'), queried('d-1')]
      .flatMap((e) => steps.update(e))
      .map((u) => `${u.id.endsWith('d-1') ? 1 : 2} ${u.status}`);
    expect(updates).toEqual(['1 in_progress', '2 pending', '1 complete', '2 in_progress']);
  });

  it('mark open steps as error when a failure trace or the run ends badly', () => {
    const steps = new AgentSteps();
    steps.update(query('d-1'));
    expect(steps.update(failed('d-1')).map((u) => u.status)).toEqual(['error']);
    steps.update(query('d-2'));
    expect(steps.close('error').map((u) => u.status)).toEqual(['error']);
    expect(steps.close('complete')).toEqual([]);
    expect(steps.count).toBe(2);
  });
});
