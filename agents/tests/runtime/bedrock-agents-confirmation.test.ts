/**
 * Bedrock Agents' user confirmation through the bedrock-agents runtime and the real SDK client:
 * the InvokeAgent stand-in streams a `returnControl` event shaped as the API reference documents
 * it (an `invocationId`, one `functionInvocationInput` with `actionInvocationType`
 * USER_CONFIRMATION); the runtime yields it unchanged, and the resume sends
 * `sessionState.invocationId` with `returnControlInvocationResults[].functionResult` carrying
 * `confirmationState` (and no inputText, which InvokeAgent would ignore).
 */
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import {
  encodeEvent,
  type InvokeAgentServer,
  startInvokeAgentServer,
} from '@revbot/testing/invoke-agent-server';
import { localClientConfig } from '@revbot/testing/local-client-config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfirmationDecision } from '../../src';
import {
  type FunctionActionGroupEvent,
  functionActionGroupEventSchema,
} from '../../src/action-group/action-group-event';
import { functionResponse } from '../../src/action-group/action-group-response';
import { BedrockAgentsRuntime } from '../../src/runtime/bedrock-agents';
import { InProcessToolInvoker } from '../../src/runtime/tool-invoker';
import { collectEvents } from '../support/collect-events';

const INVOCATION_ID = '5a1f3e2c-7b9d-4c1e-9f0a-2b3c4d5e6f70';
const EXECUTION_AGENT_ID = 'EXECAGENT1';
const RETURN_CONTROL = {
  invocationId: INVOCATION_ID,
  invocationInputs: [
    {
      functionInvocationInput: {
        actionGroup: 'webhook_executor',
        function: 'trigger_webhook',
        actionInvocationType: 'USER_CONFIRMATION',
        agentId: EXECUTION_AGENT_ID,
        collaboratorName: 'ExecutionAgent',
        parameters: [
          { name: 'url', type: 'string', value: 'https://hooks.example.com/revops' },
          { name: 'payload', type: 'string', value: '{"deal":"IXIS"}' },
        ],
      },
    },
  ],
};

let server: InvokeAgentServer;
let client: BedrockAgentRuntimeClient;

beforeAll(async () => {
  server = await startInvokeAgentServer();
  client = new BedrockAgentRuntimeClient(localClientConfig(server.endpoint));
});
afterAll(async () => {
  client.destroy();
  await server.close();
});

const runtime = () =>
  new BedrockAgentsRuntime({
    client,
    agentId: 'MGRAGENT01',
    agentAliasId: 'LIVEALIAS1',
    idleTimeoutMs: 2_000,
  });

const decision = (state: 'CONFIRM' | 'DENY'): ConfirmationDecision => ({
  invocationId: INVOCATION_ID,
  actionGroup: 'webhook_executor',
  function: 'trigger_webhook',
  agentId: EXECUTION_AGENT_ID,
  confirmationState: state,
  decidedBy: 'U0ASKER01',
  decidedAt: '2026-12-07T10:00:00.000Z',
});

describe('Bedrock Agents user confirmation', () => {
  it('yields the returnControl confirmation request as the stream carries it', async () => {
    server.requests.length = 0;
    server.reply({ stream: [encodeEvent({ returnControl: RETURN_CONTROL })] });
    const events = await collectEvents(
      runtime().ask({ question: 'Post the IXIS deal to the revops hook', sessionId: 'thread-1' }),
    );
    expect(events).toHaveLength(1);
    expect(events[0]?.returnControl).toEqual(RETURN_CONTROL);
    expect(server.requests[0]?.body).toMatchObject({
      inputText: 'Post the IXIS deal to the revops hook',
    });
  });

  it.each([
    ['CONFIRM', 'approved'],
    ['DENY', 'rejected'],
  ] as const)(
    'resumes with confirmationState %s and the decision in the session attributes',
    async (state, word) => {
      server.requests.length = 0;
      server.reply({ stream: [encodeEvent({ chunk: { bytes: `Done (${word}).` } })] });
      const events = await collectEvents(
        runtime().ask({
          question: '',
          sessionId: 'thread-1',
          sessionAttributes: { channel: 'slack' },
          confirmation: decision(state),
        }),
      );
      expect(new TextDecoder().decode(events[0]?.chunk?.bytes)).toBe(`Done (${word}).`);
      const body = server.requests[0]?.body as Record<string, unknown>;
      expect(server.requests[0]?.path).toContain('/sessions/thread-1/text');
      expect(body.inputText).toBeUndefined();
      expect(body.sessionState).toEqual({
        invocationId: INVOCATION_ID,
        returnControlInvocationResults: [
          {
            functionResult: {
              actionGroup: 'webhook_executor',
              function: 'trigger_webhook',
              confirmationState: state,
              agentId: EXECUTION_AGENT_ID,
            },
          },
        ],
        sessionAttributes: {
          channel: 'slack',
          revbot_approval_decision: word,
          revbot_approval_decided_by: 'U0ASKER01',
          revbot_approval_decided_at: '2026-12-07T10:00:00.000Z',
        },
      });
    },
  );

  it('logs the decision through record_decision before resuming, and resumes when logging fails', async () => {
    const logged: FunctionActionGroupEvent[] = [];
    const log = (fail: boolean) =>
      new InProcessToolInvoker({
        firebolt_writer: async (event: unknown) => {
          const parsed = functionActionGroupEventSchema.parse(event);
          logged.push(parsed);
          if (fail) throw new Error('the warehouse is down');
          return functionResponse(parsed, '{"action":"inserted"}');
        },
      });
    // The third resume comes from a channel that kept no parameters (Slack).
    for (const [i, fail] of [false, true, false].entries()) {
      server.requests.length = 0;
      server.reply({ stream: [encodeEvent({ chunk: { bytes: 'Not sent.' } })] });
      const events = await collectEvents(
        new BedrockAgentsRuntime({
          client,
          agentId: 'MGRAGENT01',
          agentAliasId: 'LIVEALIAS1',
          idleTimeoutMs: 2_000,
          decisionLog: log(fail),
        }).ask({
          question: '',
          sessionId: 'thread-1',
          confirmation: {
            ...decision('DENY'),
            ...(i < 2
              ? {
                  parameters:
                    RETURN_CONTROL.invocationInputs[0]!.functionInvocationInput.parameters,
                }
              : {}),
          },
        }),
      );
      expect(new TextDecoder().decode(events[0]?.chunk?.bytes)).toBe('Not sent.');
      expect(server.requests).toHaveLength(1);
    }
    expect(logged).toHaveLength(3);
    // Without parameters the row names the action only, never a destination made up from nothing.
    expect(logged[2]!.parameters).toEqual([
      { name: 'action', type: 'string', value: 'webhook_executor.trigger_webhook' },
      { name: 'decision', type: 'string', value: 'rejected' },
    ]);
    const params = Object.fromEntries(logged[0]!.parameters.map((p) => [p.name, p.value]));
    expect(logged[0]).toMatchObject({
      actionGroup: 'firebolt_writer',
      function: 'record_decision',
      sessionId: 'thread-1',
      agent: { id: EXECUTION_AGENT_ID },
      sessionAttributes: {
        revbot_approval_decision: 'rejected',
        revbot_approval_decided_by: 'U0ASKER01',
        revbot_approval_decided_at: '2026-12-07T10:00:00.000Z',
      },
    });
    expect(params).toMatchObject({
      action: 'webhook_executor.trigger_webhook',
      decision: 'rejected',
      target: 'https://hooks.example.com/revops',
    });
  });
});
