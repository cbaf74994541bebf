/**
 * What an evaluation runs on locally: the agents on the chosen runtime with every tool in process
 * against the embedded warehouse and the local Gong and search APIs (as `revbot ask` runs them),
 * notifications delivered to a local signed-webhook receiver standing in for the team's channel,
 * and the warehouse's own query function for the facts' independent SQL.
 */

import { randomBytes } from 'node:crypto';
import type { AgentRuntime } from '@revbot/agents';
import { type AgentRuntimeKind, createAgentRuntime } from '@revbot/agents/runtime';
import { silentLogger } from '@revbot/core';
import { startLocalToolStack } from '@revbot/testing/local-tool-stack';
import { startWebhookReceiver } from '@revbot/testing/webhook-receiver';
import { type WarehouseQuery, warehouseQuery } from './eval-runner';

export interface EvalStack {
  runtime: AgentRuntime;
  query: WarehouseQuery;
  /** The day the warehouse's data is as of. */
  asOf: string;
  close(): Promise<void>;
}

export async function startEvalStack(options: {
  runtime: AgentRuntimeKind;
  asOf?: string;
  env?: Record<string, string | undefined>;
}): Promise<EvalStack> {
  const asOf = options.asOf ?? new Date().toISOString().slice(0, 10);
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const receiver = await startWebhookReceiver({ port: 0, secret });
  const stack = await startLocalToolStack({
    asOf,
    logger: silentLogger,
    webhook: {
      allowedUrls: `${receiver.url}/`,
      notificationUrl: `${receiver.url}/notify`,
      signingSecret: secret,
    },
  }).catch(async (error) => {
    await receiver.close();
    throw error;
  });
  const runtime = createAgentRuntime(
    {
      ...options.env,
      AGENT_RUNTIME: options.runtime,
      REVBOT_STAGE: 'local',
      // The eval judges which actions the agents take; a person's approval is not part of it.
      AGENT_ACTIONS_WITHOUT_APPROVAL:
        options.env?.AGENT_ACTIONS_WITHOUT_APPROVAL ?? 'webhook_executor,firebolt_writer',
      // The offline model counts "this quarter" from the day the data is as of.
      OFFLINE_TODAY: options.env?.OFFLINE_TODAY ?? asOf,
    },
    { tools: stack.tools, logger: silentLogger },
  );
  const query = warehouseQuery(stack.warehouse);
  return {
    runtime,
    query,
    asOf,
    async close() {
      await Promise.all([stack.close(), receiver.close()]);
    },
  };
}
