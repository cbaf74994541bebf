import { describe, expect, it } from 'vitest';
import { describeProgress, displayAgentName } from '../src/progress-hints';
import { ConversationRecorder } from '../src/recorder/conversation-recorder';
import { callCollaborator, orchestration, trace } from './support/events';
import { loadFixture, replayContext } from './support/fixtures';

const at = '2026-01-05T10:00:00.000Z';

describe('describeProgress', () => {
  it('says who handed off to whom', () => {
    const event = trace(
      { chain: ['MGR'], at },
      callCollaborator('m-0', 'DATA', 'data_agent', 'Pull the pipeline'),
    );
    expect(describeProgress(event)).toBe('Manager handed off to Data Agent');
  });

  it("describes RevBot's tools in the words a user would use", () => {
    const call = (actionGroupName: string, fn: string) =>
      trace(
        { chain: ['MGR', 'DEAL'], at, collaboratorName: 'deal_analysis_agent' },
        orchestration({
          invocationInput: {
            traceId: 'd-0',
            invocationType: 'ACTION_GROUP',
            actionGroupInvocationInput: { actionGroupName, function: fn },
          },
        }),
      );
    expect(describeProgress(call('firebolt_query', 'execute_query'))).toBe(
      'Deal Analysis Agent is querying the warehouse…',
    );
    expect(describeProgress(call('gong_retrieval', 'get_call_transcript'))).toBe(
      'Deal Analysis Agent is reading Gong calls…',
    );
    expect(describeProgress(call('web_search', 'search_web'))).toBe(
      'Deal Analysis Agent is searching the web…',
    );
    expect(describeProgress(call('crm_sync', 'push_note'))).toBe(
      'Deal Analysis Agent is running crm sync (push note)…',
    );
  });

  it('names a depth-3 agent from the learned names, not from the first-level collaboratorName', () => {
    const events = loadFixture('01-supervisor-nested-collaborators.json');
    const recorder = new ConversationRecorder(
      replayContext('01-supervisor-nested-collaborators.json'),
    );
    const hints: string[] = [];
    for (const event of events) {
      recorder.add(event);
      const hint = describeProgress(event, { agentNames: recorder.agentNames });
      if (hint) hints.push(hint);
    }
    expect(hints).toEqual([
      'Manager handed off to Simple Supervisor',
      'Simple Supervisor handed off to Math Solver Agent',
    ]);
  });

  it('reports routing, knowledge-base lookups and guardrail blocks, and nothing for the rest', () => {
    const router = loadFixture(
      '03-supervisor-router-routes-to-collaborator-with-action-group.json',
    );
    expect(router.map((e) => describeProgress(e)).filter(Boolean)).toEqual([
      'Manager routed the question to Math Agent',
      'Math Agent is running prime numbers action group (prime numbers between n1 and n2)…',
    ]);
    const kb = loadFixture('06-knowledge-base-lookup-with-citation-chunk.json');
    expect(kb.map((e) => describeProgress(e)).filter(Boolean)).toEqual([
      'Manager is searching the knowledge base…',
    ]);
    const blocked = loadFixture('08-guardrail-intervened-on-input.json');
    expect(blocked.map((e) => describeProgress(e))).toEqual([
      'A guardrail blocked the question',
      null,
    ]);
  });

  it('returns null for events it cannot read', () => {
    for (const junk of [
      null,
      42,
      'x',
      {},
      { trace: null },
      { trace: { trace: 'x' } },
      { chunk: { bytes: 'hi' } },
    ]) {
      expect(describeProgress(junk)).toBeNull();
    }
  });
});

describe('displayAgentName', () => {
  it.each([
    ['deal_analysis_agent', 'Deal Analysis Agent'],
    ['DealAnalysisAgent', 'Deal Analysis Agent'],
    ['web-search', 'Web Search Agent'],
    ['Manager', 'Manager'],
    ['SimpleSupervisor', 'Simple Supervisor'],
    ['CRMAgent', 'CRM Agent'],
  ])('turns %s into %s', (name, display) => {
    expect(displayAgentName(name)).toBe(display);
  });
});
