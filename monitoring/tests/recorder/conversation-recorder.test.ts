/**
 * Shapes no public real recording holds, built from the SDK model (see support/events.ts):
 * failures, return control, OpenAPI and code-interpreter calls, reprompts, output guardrails,
 * parallel collaborators, stream exceptions.
 */
import { describe, expect, it } from 'vitest';
import { buildConversationRecord } from '../../src/build-conversation-record';
import { ConversationRecorder } from '../../src/recorder/conversation-recorder';
import { conversationSchema } from '../../src/schema';
import type { ConversationContext } from '../../src/types';
import {
  callCollaborator,
  chunk,
  collaboratorAnswer,
  finish,
  modelInput,
  modelOutput,
  orchestration,
  trace,
} from '../support/events';
import { SLACK_THREAD } from '../support/fixtures';

const context: ConversationContext = {
  conversationId: 'c-1',
  channel: SLACK_THREAD,
  userQuery: 'How is the Acme deal going?',
  startedAt: '2026-01-05T10:00:00.000Z',
};
const ROOT = 'MANAGER001';
const DEAL = 'DEALAGENT1';
const DATA = 'DATAAGENT1';
const at = (s: number) => new Date(Date.UTC(2026, 0, 5, 10, 0, s)).toISOString();
const root = (s: number) => ({
  chain: [ROOT],
  at: at(s),
  sessionId: 'slack-T1-C1-1700000000.000100',
});
const child = (id: string, s: number) => ({
  chain: [ROOT, id],
  at: at(s),
  collaboratorName: id === DEAL ? 'deal_analysis_agent' : 'data_agent',
});

describe('channel context and identity', () => {
  it('writes the Slack channel, the conversation and session ids and the question', () => {
    const { conversation } = buildConversationRecord(
      [
        trace(root(1), modelInput('r-0', '{"system":"You are RevBot.","messages":[]}')),
        trace(root(2), finish('r-0', 'Fine.', at(1), at(2))),
      ],
      context,
    );
    expect(conversation).toMatchObject({
      conversation_id: 'c-1',
      session_id: 'slack-T1-C1-1700000000.000100',
      channel: SLACK_THREAD,
      user_query: 'How is the Acme deal going?',
      status: 'completed',
      final_response: { text: 'Fine.', source: 'finish_trace' },
      timing: { started_at: '2026-01-05T10:00:00.000Z', ended_at: at(2), duration_ms: 2000 },
    });
  });

  it('writes the webhook tracking id and source system', () => {
    const { conversation } = buildConversationRecord([chunk('ok')], {
      conversationId: 'c-2',
      channel: { kind: 'webhook', tracking_id: 'trk_1', source_system: 'salesforce' },
      userQuery: 'q',
    });
    expect(conversation.channel).toEqual({
      kind: 'webhook',
      tracking_id: 'trk_1',
      source_system: 'salesforce',
      source_process: null,
    });
    expect(conversation.status).toBe('completed');
  });

  it('refuses a context without a conversation id', () => {
    expect(() => new ConversationRecorder({ ...context, conversationId: ' ' })).toThrow(
      /conversationId/,
    );
  });
});

describe('parallel collaborators', () => {
  // The supervisor calls two collaborators in one step; their traces interleave.
  const events = [
    trace(
      root(1),
      modelInput(
        'm-0',
        '{"system":"Route deals to Deal Analysis and data to Data.","messages":[]}',
      ),
    ),
    trace(root(2), callCollaborator('m-0', DEAL, 'deal_analysis_agent', 'Assess the Acme deal')),
    trace(root(2), callCollaborator('m-0', DATA, 'data_agent', 'Pull Acme pipeline')),
    trace(
      child(DEAL, 3),
      modelInput('d-0', '{"system":"Assess deals with MEDDPICC.","messages":[]}'),
    ),
    trace(child(DATA, 3), modelInput('x-0', '{"system":"Write warehouse SQL.","messages":[]}')),
    trace(
      child(DATA, 4),
      orchestration({
        invocationInput: {
          traceId: 'x-0',
          invocationType: 'ACTION_GROUP',
          actionGroupInvocationInput: {
            actionGroupName: 'firebolt_query',
            function: 'execute_query',
            parameters: [{ name: 'query', type: 'string', value: 'SELECT 1' }],
          },
        },
      }),
    ),
    trace(child(DEAL, 4), finish('d-0', 'Acme is at risk.', at(3), at(4))),
    trace(
      child(DATA, 5),
      orchestration({
        observation: {
          traceId: 'x-0',
          type: 'ACTION_GROUP',
          actionGroupInvocationOutput: {
            text: '{"success":false,"error":{"code":"TIMEOUT"}}',
            metadata: { startTime: at(4), endTime: at(5), totalTimeMs: 1000 },
          },
        },
      }),
    ),
    trace(child(DATA, 6), finish('x-0', 'No data.', at(3), at(6))),
    trace(
      root(6),
      collaboratorAnswer('m-0', DEAL, 'deal_analysis_agent', 'd', 'Acme is at risk.', at(2), at(4)),
    ),
    trace(root(7), collaboratorAnswer('m-0', DATA, 'data_agent', 'x', 'No data.', at(2), at(6))),
    trace(root(8), finish('m-0', 'Acme is at risk; no pipeline data.', at(1), at(8))),
    chunk('Acme is at risk; no pipeline data.'),
  ];
  const { conversation, metadata } = buildConversationRecord(events, context);

  it('keeps each collaborator run apart and links it to its call', () => {
    expect(
      conversation.agent_flow.map((inv) => [
        inv.agent_name,
        inv.depth,
        inv.caller_index,
        inv.status,
      ]),
    ).toEqual([
      ['Manager', 1, null, 'completed'],
      ['deal_analysis_agent', 2, 0, 'completed'],
      ['data_agent', 2, 0, 'completed'],
    ]);
    expect(
      conversation.agent_flow[0]?.collaborator_calls.map((c) => [
        c.recipient,
        c.invocation_index,
        c.duration_ms,
      ]),
    ).toEqual([
      ['deal_analysis_agent', 1, 2000],
      ['data_agent', 2, 4000],
    ]);
    expect(conversation.agent_flow[1]?.input).toBe('Assess the Acme deal');
  });

  it('marks a tool result that reports an error as a failure', () => {
    expect(conversation.agent_flow[2]?.tool_calls[0]).toMatchObject({
      action_group: 'firebolt_query',
      status: 'failure',
      duration_ms: 1000,
    });
    expect(metadata.counts.tool_failures).toBe(1);
  });

  it('passes the timing check: collaborators run inside their caller', () => {
    expect(metadata.quality.checks.find((c) => c.name === 'timings_monotonic')?.passed).toBe(true);
  });
});

describe('failures and interruptions', () => {
  it('records a failure trace as an agent failure on the agent that failed', () => {
    const { conversation, metadata } = buildConversationRecord(
      [
        trace(root(1), modelInput('r-0', 'prompt')),
        trace(root(2), {
          failureTrace: {
            traceId: 'r-0',
            failureReason: 'Model throttled',
            failureCode: 429,
            metadata: { startTime: at(1), endTime: at(2) },
          },
        }),
      ],
      context,
    );
    expect(conversation.status).toBe('failed');
    expect(conversation.agent_flow[0]?.status).toBe('failed');
    expect(conversation.errors).toEqual([
      {
        kind: 'agent_failure',
        message: 'Model throttled (code 429)',
        agent_index: 0,
        trace_id: 'r-0',
        at: at(2),
      },
    ]);
    expect(metadata.quality.checks.find((c) => c.name === 'final_response_present')?.passed).toBe(
      false,
    );
  });

  it('records an exception event and a runtime error passed to recordFailure', () => {
    const recorder = new ConversationRecorder(context);
    recorder.add(trace(root(1), modelInput('r-0', 'prompt')));
    recorder.add({ throttlingException: { message: 'Rate exceeded' } });
    recorder.recordFailure(new Error('socket hang up\n    at stack line'));
    const { conversation } = recorder.finish();
    expect(conversation.status).toBe('failed');
    expect(conversation.errors.map((e) => [e.kind, e.message])).toEqual([
      ['stream_error', 'throttlingException: Rate exceeded'],
      ['stream_error', 'Error: socket hang up'],
      [
        'incomplete_invocation',
        'Manager never finished: the stream ended before its final response',
      ],
    ]);
  });

  it('refuses a second finish()', () => {
    const recorder = new ConversationRecorder(context);
    recorder.finish();
    expect(() => recorder.finish()).toThrow(/already/);
  });
});

describe('return control', () => {
  it('records the function the agent handed back to the caller, with its parameters', () => {
    const { conversation, metadata } = buildConversationRecord(
      [
        trace(root(1), modelInput('r-0', 'prompt')),
        {
          returnControl: {
            invocationId: 'inv-1',
            invocationInputs: [
              {
                functionInvocationInput: {
                  actionGroup: 'crm',
                  function: 'update_stage',
                  parameters: [{ name: 'stage', type: 'string', value: 'Won' }],
                  agentId: ROOT,
                },
              },
              {
                apiInvocationInput: {
                  actionGroup: 'crm_api',
                  httpMethod: 'POST',
                  apiPath: '/notes',
                  requestBody: {
                    content: {
                      'application/json': {
                        properties: [{ name: 'note', type: 'string', value: 'hi' }],
                      },
                    },
                  },
                },
              },
            ],
          },
        },
      ],
      context,
    );
    expect(conversation.status).toBe('returned_control');
    expect(conversation.agent_flow[0]?.tool_calls).toEqual([
      expect.objectContaining({
        kind: 'return_control',
        action_group: 'crm',
        function: 'update_stage',
        invocation_id: 'inv-1',
        status: 'returned_control',
        parameters: [{ name: 'stage', type: 'string', value: 'Won' }],
      }),
      expect.objectContaining({
        kind: 'return_control',
        api_path: '/notes',
        http_method: 'POST',
        request_body: {
          content_type: 'application/json',
          properties: [{ name: 'note', type: 'string', value: 'hi' }],
        },
      }),
    ]);
    expect(conversation.errors).toEqual([]);
    expect(metadata.quality.score).toBe(1);
  });
});

describe('other trace shapes', () => {
  const events = [
    trace(root(1), modelInput('r-0', 'prompt')),
    trace(
      root(2),
      orchestration({
        invocationInput: {
          traceId: 'r-0',
          invocationType: 'ACTION_GROUP',
          actionGroupInvocationInput: {
            actionGroupName: 'crm',
            apiPath: '/deals/{id}',
            verb: 'get',
            parameters: [{ name: 'id', type: 'string', value: '42' }],
            requestBody: {
              content: {
                'application/json': [{ name: 'fields', type: 'array', value: '["amount"]' }],
              },
            },
          },
        },
      }),
    ),
    trace(
      root(3),
      orchestration({
        observation: {
          traceId: 'r-0',
          type: 'ACTION_GROUP',
          actionGroupInvocationOutput: { text: '{"amount": 10}' },
        },
      }),
    ),
    trace(
      root(3),
      orchestration({
        invocationInput: {
          traceId: 'r-1',
          invocationType: 'ACTION_GROUP_CODE_INTERPRETER',
          codeInterpreterInvocationInput: { code: 'print(1/0)', files: ['data.csv'] },
        },
      }),
    ),
    trace(
      root(4),
      orchestration({
        observation: {
          traceId: 'r-1',
          type: 'ACTION_GROUP',
          codeInterpreterInvocationOutput: { executionError: 'ZeroDivisionError' },
        },
      }),
    ),
    trace(
      root(4),
      orchestration({
        observation: {
          traceId: 'r-2',
          type: 'REPROMPT',
          repromptResponse: { text: 'Please answer in tags', source: 'PARSER' },
        },
      }),
    ),
    trace(root(5), {
      guardrailTrace: {
        traceId: 'r-guardrail-post-0',
        action: 'INTERVENED',
        outputAssessments: [
          {
            sensitiveInformationPolicy: {
              piiEntities: [{ type: 'EMAIL', match: 'jane@acme.com', action: 'ANONYMIZED' }],
            },
          },
        ],
      },
    }),
    trace(
      root(6),
      orchestration({
        observation: { traceId: 'r-3', type: 'ASK_USER', finalResponse: { text: 'Which Acme?' } },
      }),
    ),
    trace(root(6), {
      customOrchestrationTrace: { traceId: 'r-4', event: { text: 'custom step' } },
    }),
  ];
  const { conversation } = buildConversationRecord(events, context, {
    agentNames: { [ROOT]: 'Manager Agent' },
  });
  const inv = conversation.agent_flow[0];

  it('records an OpenAPI call with path, verb and request body', () => {
    expect(inv?.tool_calls[0]).toMatchObject({
      api_path: '/deals/{id}',
      http_method: 'get',
      parameters: [{ name: 'id', type: 'string', value: '42' }],
      request_body: {
        content_type: 'application/json',
        properties: [{ name: 'fields', type: 'array', value: '["amount"]' }],
      },
      status: 'success',
      result: '{"amount": 10}',
    });
  });

  it('records code-interpreter runs, failing on an execution error', () => {
    expect(inv?.tool_calls[1]).toMatchObject({
      kind: 'code_interpreter',
      code: 'print(1/0)',
      status: 'failure',
      result: 'ZeroDivisionError',
      parameters: [{ name: 'file', type: 'string', value: 'data.csv' }],
    });
  });

  it('keeps reprompts, questions back to the user and custom orchestration as step notes', () => {
    expect(inv?.steps.flatMap((s) => s.notes)).toEqual([
      { type: 'reprompt', text: 'Please answer in tags', source: 'PARSER' },
      { type: 'ask_user', text: 'Which Acme?', source: null },
      { type: 'custom_orchestration', text: 'custom step', source: null },
    ]);
  });

  it('records the output guardrail intervention without the matched PII', () => {
    expect(inv?.guardrails[0]).toMatchObject({
      stage: 'output',
      intervened: true,
      findings: [
        { policy: 'sensitive_information', type: 'EMAIL', action: 'ANONYMIZED', confidence: null },
      ],
    });
    expect(JSON.stringify(conversation)).not.toContain('jane@acme.com');
  });

  it('uses configured agent names', () => {
    expect(inv?.agent_name).toBe('Manager Agent');
    expect(() => conversationSchema.parse(conversation)).not.toThrow();
  });
});

describe('usage and cost', () => {
  const events = [
    trace(root(1), modelInput('r-0', 'prompt', 'model-a')),
    trace(root(2), modelOutput('r-0', at(1), at(2), 1000, 200)),
    trace(root(2), modelInput('r-1', 'prompt', 'model-b')),
    trace(root(3), modelOutput('r-1', at(2), at(3), 500, 100)),
    trace(root(4), finish('r-1', 'done', at(1), at(4))),
  ];

  it('totals tokens per model and estimates cost when every model has a price', () => {
    const { conversation } = buildConversationRecord(events, context, {
      modelPrices: {
        'model-a': { inputPerMillion: 3, outputPerMillion: 15 },
        'model-b': { inputPerMillion: 1, outputPerMillion: 5 },
      },
    });
    expect(conversation.usage).toMatchObject({
      input_tokens: 1500,
      output_tokens: 300,
      total_tokens: 1800,
      model_calls: 2,
    });
    expect(conversation.usage.by_model).toEqual([
      {
        model: 'model-a',
        input_tokens: 1000,
        output_tokens: 200,
        total_tokens: 1200,
        model_calls: 1,
        estimated_cost_usd: 0.006,
      },
      {
        model: 'model-b',
        input_tokens: 500,
        output_tokens: 100,
        total_tokens: 600,
        model_calls: 1,
        estimated_cost_usd: 0.001,
      },
    ]);
    expect(conversation.usage.estimated_cost_usd).toBeCloseTo(0.007, 9);
  });

  it('leaves the total cost unknown when a model has no price', () => {
    const { conversation } = buildConversationRecord(events, context, {
      modelPrices: { 'model-a': { inputPerMillion: 3, outputPerMillion: 15 } },
    });
    expect(conversation.usage.estimated_cost_usd).toBeNull();
    expect(conversation.usage.by_model[1]?.estimated_cost_usd).toBeNull();
  });
});

describe('chunks', () => {
  it('decodes a multi-byte character split across two chunks', () => {
    const bytes = new TextEncoder().encode('Revenue €5M');
    const cut = bytes.indexOf(0xe2) + 1;
    const { conversation } = buildConversationRecord(
      [{ chunk: { bytes: bytes.slice(0, cut) } }, { chunk: { bytes: bytes.slice(cut) } }],
      context,
    );
    expect(conversation.final_response.text).toBe('Revenue €5M');
  });
});
