import { describe, expect, it } from 'vitest';
import { buildConversationRecord } from '../../src/build-conversation-record';
import type { AgentInvocation, Conversation } from '../../src/schema';
import { loadFixture, replayContext } from '../support/fixtures';

const record = (prefix: string): Conversation => {
  const file = `${prefix}`;
  const events = loadFixture(file);
  return buildConversationRecord(events, replayContext(file)).conversation;
};
const agent = (c: Conversation, index: number): AgentInvocation => {
  const inv = c.agent_flow[index];
  if (!inv) throw new Error(`no agent run #${index}`);
  return inv;
};

describe('supervisor with nested collaborators (01)', () => {
  const c = record('01-supervisor-nested-collaborators.json');

  it('names the depth-3 agent by its agentId, not by the first-level collaboratorName', () => {
    const math = agent(c, 2);
    expect(math.agent_id).toBe('ZRPPXH8SBU');
    expect(math.agent_name).toBe('MathSolverAgent');
    expect(math.depth).toBe(3);
    expect(math.caller_name).toBe('SimpleSupervisor');
    expect(math.caller_index).toBe(1);
  });

  it('gives every run its own session and request, and links caller and callee both ways', () => {
    const [root, middle, leaf] = [agent(c, 0), agent(c, 1), agent(c, 2)];
    expect(root.session_id).toBe('12345680');
    expect(middle.session_id).not.toBe(root.session_id);
    expect(root.request_ids).toEqual(['203bd987-ced4-4ddd-a370-633c8b668e7f']);
    expect(middle.request_ids).toEqual(['0a6ddb3d-46e9-4c8f-8838-1174bd35109e']);
    expect(leaf.request_ids).toEqual(['5e3443ad-23b1-4b06-a073-b805ed323336']);
    expect(root.collaborator_calls[0]).toMatchObject({
      recipient: 'SimpleSupervisor',
      recipient_agent_id: 'KZJDL3ZYQR',
      via: 'supervisor',
      status: 'success',
      invocation_index: 1,
      message: 'Please calculate the sum of the numbers 1, 2, 3, 4, 5, 6, 7, 8, 9, and 10.',
      duration_ms: 13690,
    });
    expect(middle.input).toBe(root.collaborator_calls[0]?.message);
    expect(middle.output).toBe('The sum of the numbers 1, 2, 3, 4, 5, 6, 7, 8, 9, and 10 is 55.');
  });

  it('joins the parts of one step by traceId: model call, rationale and usage together', () => {
    const step = agent(c, 0).steps[0];
    expect(step).toMatchObject({
      trace_id: '203bd987-ced4-4ddd-a370-633c8b668e7f-0',
      phase: 'orchestration',
      model: 'anthropic.claude-3-haiku-20240307-v1:0',
      usage: { input_tokens: 922, output_tokens: 144 },
      duration_ms: 1629,
      started_at: '2025-05-21T09:49:01.982Z',
      ended_at: '2025-05-21T09:49:03.611Z',
    });
    expect(step?.rationale).toMatch(/^To find the sum of the numbers 1 through 10/);
    expect(step?.prompt?.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(step?.prompt?.length).toBe(3719);
  });

  it('maps who handed off to whom', () => {
    expect(c.collaboration_map).toEqual([
      {
        from: 'Manager',
        from_agent_id: '2X9SRVPLWB',
        to: 'SimpleSupervisor',
        to_agent_id: 'KZJDL3ZYQR',
        via: 'supervisor',
        count: 1,
      },
      {
        from: 'SimpleSupervisor',
        from_agent_id: 'KZJDL3ZYQR',
        to: 'MathSolverAgent',
        to_agent_id: 'ZRPPXH8SBU',
        via: 'supervisor',
        count: 1,
      },
    ]);
  });

  it('sums tokens per agent and for the conversation', () => {
    const perAgent = c.agent_flow.reduce((n, inv) => n + inv.usage.total_tokens, 0);
    expect(c.usage.total_tokens).toBe(perAgent);
    expect(c.usage.by_model.map((m) => m.model).sort()).toEqual([
      'anthropic.claude-3-5-haiku-20241022-v1:0',
      'anthropic.claude-3-haiku-20240307-v1:0',
    ]);
    expect(c.usage.estimated_cost_usd).toBeNull();
  });
});

describe('two sequential calls to the same collaborator (02)', () => {
  const c = record('02-supervisor-two-sequential-collaborator-calls.json');

  it('records two separate runs of MathSolverAgent, each linked to its own call', () => {
    const runs = c.agent_flow.filter((inv) => inv.agent_id === 'ZRPPXH8SBU');
    expect(runs.map((r) => r.index)).toEqual([2, 3]);
    expect(runs.map((r) => r.request_ids[0])).toEqual([
      'df71f5d9-b1d5-45ff-b9f8-0793a1dc1b76',
      'dac62dff-763d-4c29-88c9-a327b8cf830e',
    ]);
    const calls = agent(c, 1).collaborator_calls;
    expect(calls.map((call) => call.invocation_index)).toEqual([2, 3]);
    expect(runs[1]?.input).toBe('Calculate the sum of: 0 + 1 + 1 + 2 + 3 + 5 + 8 + 13 + 21 + 34');
    expect(c.collaboration_map.find((e) => e.to === 'MathSolverAgent')?.count).toBe(2);
  });
});

describe('supervisor-router mode (03, 04)', () => {
  it('records the routing classifier decision and the routed call', () => {
    const c = record('03-supervisor-router-routes-to-collaborator-with-action-group.json');
    const root = agent(c, 0);
    expect(root.steps[0]).toMatchObject({
      phase: 'routing_classifier',
      routing_decision: 'MathAgent',
      model: 'openai.gpt-oss-20b-1:0',
    });
    expect(root.collaborator_calls[0]).toMatchObject({
      recipient: 'MathAgent',
      via: 'routing_classifier',
      invocation_index: 1,
    });
    expect(c.collaboration_map[0]).toMatchObject({
      from: 'Manager',
      to: 'MathAgent',
      via: 'routing_classifier',
    });
  });

  it("records the collaborator's action-group call with parameters, result and duration", () => {
    const c = record('03-supervisor-router-routes-to-collaborator-with-action-group.json');
    expect(agent(c, 1).tool_calls).toEqual([
      expect.objectContaining({
        kind: 'action_group',
        action_group: 'prime_numbers_action_group',
        function: 'prime_numbers_between_n1_and_n2',
        execution_type: 'LAMBDA',
        parameters: [
          { name: 'n1', type: 'number', value: '10' },
          { name: 'n2', type: 'number', value: '50' },
        ],
        status: 'success',
        result: '[2,3,5,7]',
        duration_ms: 43,
      }),
    ]);
  });

  it('records an undecidable route and the supervisor answering itself', () => {
    const c = record('04-supervisor-router-answers-directly.json');
    expect(c.agent_flow).toHaveLength(1);
    expect(agent(c, 0).steps.map((s) => [s.phase, s.routing_decision])).toEqual([
      ['routing_classifier', 'undecidable'],
      ['orchestration', null],
    ]);
    expect(c.collaboration_map).toEqual([]);
  });
});

describe('action groups with a guardrail (05)', () => {
  const c = record('05-function-action-groups-with-guardrail-pre-post.json');
  const root = agent(c, 0);

  it('records the three tool calls in order with their parameters and timings', () => {
    expect(
      root.tool_calls.map((t) => [
        t.action_group,
        t.function,
        t.parameters.map((p) => p.value),
        t.duration_ms,
      ]),
    ).toEqual([
      [
        'location_suggestion',
        'find_country',
        [
          '7-day beach vacation with nature and outdoor adventures, luxury 4/5 star all-inclusive resort',
        ],
        362,
      ],
      ['location_suggestion', 'find_city', ['Costa Rica'], 17],
      ['location_suggestion', 'find_season', ['Costa Rica', 'Manuel Antonio'], 14],
    ]);
    expect(
      root.tool_calls.every((t) => t.status === 'success' && t.result?.startsWith('The function')),
    ).toBe(true);
  });

  it('records the input and output guardrail checks that let everything through', () => {
    expect(root.guardrails.map((g) => [g.stage, g.action, g.intervened, g.duration_ms])).toEqual([
      ['input', 'NONE', false, 365],
      ['output', 'NONE', false, 230],
    ]);
  });
});

describe('knowledge-base lookup with citations (06)', () => {
  const c = record('06-knowledge-base-lookup-with-citation-chunk.json');

  it('records the query, the references with their source URIs and the lookup time', () => {
    const lookup = agent(c, 0).knowledge_base_lookups[0];
    expect(lookup).toMatchObject({
      knowledge_base_id: 'SSGLURQ9A5',
      query: 'What is task decomposition?',
      status: 'success',
      reference_count: 5,
      duration_ms: 1119,
    });
    expect(lookup?.references[0]).toMatchObject({ source_uri: '2222', location_type: 'CUSTOM' });
    expect(lookup?.references[0]?.excerpt?.length).toBeLessThanOrEqual(501);
  });

  it('records the answer-generation step and the chunk citations', () => {
    expect(agent(c, 0).steps[0]).toMatchObject({
      phase: 'knowledge_base_response_generation',
      trace_id: '7fc9fdb8-204f-4ef9-bc55-59257d478f30-KB-null-0',
      model: null,
    });
    expect(c.final_response.citations).toHaveLength(1);
    expect(c.final_response.citations[0]?.span).toEqual({ start: 0, end: 1597 });
    expect(c.final_response.citations[0]?.references.length).toBeGreaterThan(0);
  });
});

describe('streamed final response (07)', () => {
  const c = record('07-stream-final-response-with-guardrail-intervals.json');

  it('assembles chunks that arrive before the last trace and notes when the first came', () => {
    expect(c.final_response.text).toBe('The sum of 1, 2, 3, 4, 5, 6, 7, 8, 9, and 10 is 55.\n');
    expect(c.timing.first_chunk_at).toBe('2025-08-13T23:20:32.467Z');
    expect(c.timing.time_to_first_chunk_ms).toBe(3028);
    expect(agent(c, 0).status).toBe('completed');
  });

  it('records each guardrail interval check on the streamed output', () => {
    expect(agent(c, 0).guardrails.map((g) => g.stage)).toEqual([
      'input',
      'output',
      'output',
      'output',
      'output',
      'output',
    ]);
  });
});

describe('guardrail intervention on the input (08)', () => {
  it('marks the run blocked, keeps the canned answer and the matched policy, and is not an error', () => {
    const c = record('08-guardrail-intervened-on-input.json');
    expect(c.status).toBe('blocked_by_guardrail');
    expect(agent(c, 0).status).toBe('blocked');
    expect(agent(c, 0).guardrails[0]).toMatchObject({
      stage: 'input',
      action: 'INTERVENED',
      intervened: true,
      findings: [
        { policy: 'content', type: 'PROMPT_ATTACK', action: 'BLOCKED', confidence: 'MEDIUM' },
      ],
    });
    expect(c.final_response.text).toBe('Sorry, the model cannot answer this question.');
    expect(c.errors).toEqual([]);
  });
});

describe('pre- and post-processing (09)', () => {
  it('records the pre-processing verdict, the orchestration rounds and the post-processed text', () => {
    const c = record('09-preprocessing-and-postprocessing.json');
    const steps = agent(c, 0).steps;
    expect(steps.map((s) => s.phase)).toEqual([
      'pre_processing',
      'orchestration',
      'orchestration',
      'orchestration',
      'post_processing',
    ]);
    expect(steps[0]?.pre_processing?.is_valid).toBe(true);
    expect(steps[0]?.pre_processing?.rationale).toMatch(/sum of the first 5 Fibonacci numbers/);
    expect(steps[4]?.post_processing_text).toBe(c.final_response.text);
    expect(steps[4]?.prompt).toEqual({
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      length: 0,
    });
    expect(agent(c, 0).output).toMatch(/^The first 5 Fibonacci numbers are/);
  });
});
