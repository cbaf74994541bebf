/**
 * Every decision in `agent_action_log` on Bedrock Agents too: Bedrock never calls a Lambda for a
 * rejected action, so the runtime that resumes the run logs the decision through the writer's
 * `record_decision`. Here the webhook processor runs the bedrock-agents runtime (built from its
 * environment) against the InvokeAgent stand-in, the caller rejects through the gateway's
 * decision core, and the row lands in the embedded warehouse with the action's real destination.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BedrockAgentRuntimeClient } from '@aws-sdk/client-bedrock-agent-runtime';
import { createAgentRuntime } from '@revbot/agents/runtime';
import { silentLogger } from '@revbot/core';
import { type ConversationSink, localConversationSink } from '@revbot/monitoring';
import {
  encodeEvent,
  type InvokeAgentServer,
  startInvokeAgentServer,
} from '@revbot/testing/invoke-agent-server';
import { localClientConfig } from '@revbot/testing/local-client-config';
import { sqsRecord } from '@revbot/testing/sqs-events';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEmbeddedWarehouse,
  type EmbeddedWarehouse,
} from '../../shared/warehouse/duckdb-warehouse';
import { MemoryRequestStatusStore, type WebhookJob } from '../../shared/webhook-requests';
import { createFireboltWriterTool } from '../../tools/firebolt-writer/firebolt-writer';
import { decideApproval } from '../../webhook-gateway/decide-approval';
import { createWebhookProcessorHandler } from '../../webhook-processor/webhook-processor';

const INVOCATION_ID = '5a1f3e2c-7b9d-4c1e-9f0a-2b3c4d5e6f70';
const RETURN_CONTROL = {
  invocationId: INVOCATION_ID,
  invocationInputs: [
    {
      functionInvocationInput: {
        actionGroup: 'webhook_executor',
        function: 'trigger_webhook',
        actionInvocationType: 'USER_CONFIRMATION',
        agentId: 'EXECAGENT1',
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
let warehouse: EmbeddedWarehouse;
let conversationsDir: string;

beforeAll(async () => {
  server = await startInvokeAgentServer();
  client = new BedrockAgentRuntimeClient(localClientConfig(server.endpoint));
  warehouse = await createEmbeddedWarehouse({ seed: { asOf: '2026-11-23' } });
  conversationsDir = mkdtempSync(path.join(tmpdir(), 'revbot-bedrock-decision-'));
});
afterAll(async () => {
  client.destroy();
  await server.close();
  await warehouse.close();
  rmSync(conversationsDir, { recursive: true, force: true });
});

const approvalRows = async () =>
  (
    await warehouse.query(
      "SELECT session_id, agent_name, target, details, status FROM agent_action_log WHERE action_type = 'approval'",
      { maxRows: 10, timeoutMs: 2_000 },
    )
  ).rows;

describe('the webhook processor on Bedrock Agents', () => {
  it('logs a rejection, which no Lambda ever sees, in agent_action_log once', async () => {
    const store = new MemoryRequestStatusStore();
    const writer = createFireboltWriterTool({ warehouse, stage: 'test', logger: silentLogger });
    const runtime = createAgentRuntime(
      {
        AGENT_RUNTIME: 'bedrock-agents',
        MANAGER_AGENT_ID: 'MGRAGENT01',
        MANAGER_AGENT_ALIAS_ID: 'LIVEALIAS1',
        AGENT_IDLE_TIMEOUT_MS: '5000',
      },
      { bedrockAgentRuntime: client, tools: { firebolt_writer: writer.handle } },
    );
    const conversations: ConversationSink = localConversationSink(conversationsDir);
    const processor = createWebhookProcessorHandler({
      store,
      runtime,
      deliveries: { enqueue: async () => undefined },
      conversations,
      metrics: { addMetric: () => undefined },
    });
    const trackingId = '9b7e6c5d-1a2b-4c3d-8e9f-000000000001';
    const T0 = '2026-12-07T10:00:00.000Z';
    const job: WebhookJob = {
      version: 1,
      tracking_id: trackingId,
      session_id: `webhook_${trackingId}`,
      queued_at: T0,
      request: { query: 'Post the IXIS deal to the revops hook', source_system: 'crm' },
    };
    await store.create({
      tracking_id: trackingId,
      status: 'queued',
      request: job.request,
      session_id: job.session_id,
      queued_at: T0,
      updated_at: T0,
      processing_attempts: 0,
      expires_at: Math.floor(Date.now() / 1000) + 3600,
    });
    const run = async (body: WebhookJob, id: string) =>
      processor({
        Records: [
          sqsRecord({
            messageId: id,
            receiptHandle: `rh-${id}`,
            body,
            receiveCount: 1,
            sentAt: Date.parse(T0),
            queueArn: 'arn:aws:sqs:us-east-1:123456789012:revops-test-webhook-queue',
          }),
        ],
      });

    server.reply(
      { stream: [encodeEvent({ returnControl: RETURN_CONTROL })] },
      { stream: [encodeEvent({ chunk: { bytes: 'The hook was not called: you rejected it.' } })] },
    );
    expect((await run(job, 'm-1')).batchItemFailures).toEqual([]);
    expect((await store.get(trackingId))?.status).toBe('awaiting_approval');
    expect(await approvalRows()).toEqual([]);

    const resumes: WebhookJob[] = [];
    const decided = await decideApproval(
      {
        pathParameters: { trackingId },
        headers: {},
        body: JSON.stringify({ decision: 'reject' }),
      } as unknown as APIGatewayProxyEvent,
      await store.get(trackingId),
      {
        store,
        queue: {
          async enqueue(resume) {
            resumes.push(resume);
            return { messageId: 'm-2' };
          },
        },
        now: () => new Date('2026-12-07T10:05:00.000Z'),
      },
    );
    expect(decided.statusCode).toBe(202);
    expect((await run(resumes[0]!, 'm-2')).batchItemFailures).toEqual([]);

    const resumed = server.requests[1]?.body as { sessionState?: Record<string, unknown> };
    expect(resumed.sessionState?.returnControlInvocationResults).toEqual([
      {
        functionResult: {
          actionGroup: 'webhook_executor',
          function: 'trigger_webhook',
          confirmationState: 'DENY',
          agentId: 'EXECAGENT1',
        },
      },
    ]);
    const rows = await approvalRows();
    expect(rows).toHaveLength(1);
    const [sessionId, agentName, target, details, status] = rows[0]!;
    expect({ sessionId, agentName, target, status }).toEqual({
      sessionId: job.session_id,
      agentName: 'EXECAGENT1',
      target: 'https://hooks.example.com/revops',
      status: 'rejected',
    });
    expect(details).toBe(
      `webhook_executor.trigger_webhook rejected by api-key:none at 2026-12-07T10:05:00.000Z: POST a signed webhook; event_type: revbot.event; payload: ${JSON.stringify({ deal: 'IXIS' }, null, 2)}`,
    );
  });
});
