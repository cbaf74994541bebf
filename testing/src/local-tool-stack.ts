/**
 * Every tool running locally, for `pnpm dev`, the portable runtime and end-to-end tests: the
 * embedded warehouse, a local Gong API and a local search API, all built from one generated
 * dataset so they agree, and the same tool code the Lambdas run, invoked in process with the
 * exact action-group event Bedrock would send.
 */

import type { ToolName } from '@revbot/agents';
import {
  type ActionGroupResponse,
  type ActionGroupTool,
  parseActionGroupEvent,
} from '@revbot/agents/action-group';
import { type Logger, ValidationError } from '@revbot/core';
import {
  createWebhookSigner,
  mergeAllowlists,
  parseDestinationAllowlist,
} from '@revbot/lambdas/outbound';
import {
  createFireboltQueryTool,
  createFireboltWriterTool,
  createGongRetrievalTool,
  createTavilyProvider,
  createWebhookExecutorTool,
  createWebSearchTool,
  GongClient,
} from '@revbot/lambdas/tools';
import {
  createEmbeddedWarehouse,
  type EmbeddedWarehouse,
  generateRevenueDataset,
  type RevenueDataset,
} from '@revbot/lambdas/warehouse';
import { type LocalGongServer, startLocalGongServer } from './local-gong-api';
import { type LocalSearchServer, startLocalSearchServer } from './local-search-api';

/** Credentials the local API servers accept; they guard nothing but keep the auth path real. */
export const LOCAL_CREDENTIALS = {
  gong: { accessKey: 'local-gong-access-key', accessKeySecret: 'local-gong-access-key-secret' },
  searchApiKey: 'tvly-local-key',
} as const;

export interface LocalToolStackOptions {
  /** Day the generated data is as of (default today, UTC). */
  asOf?: string;
  host?: string;
  /** 0 (default) picks a free port. */
  gongPort?: number;
  searchPort?: number;
  /**
   * The webhook executor's outbound settings (as in AWS: an allowlist such as
   * `http://127.0.0.1:4000/`, an optional notification URL and a `whsec_` signing key). Without
   * them the local stack runs no webhook_executor.
   */
  webhook?: { allowedUrls: string; notificationUrl?: string; signingSecret: string };
  /** Tools built elsewhere, replacing or adding to these. */
  extraTools?: Partial<Record<ToolName, ActionGroupTool>>;
  logger?: Logger;
}

export interface LocalToolStack {
  dataset: RevenueDataset;
  warehouse: EmbeddedWarehouse;
  gong: LocalGongServer;
  search: LocalSearchServer;
  tools: Partial<Record<ToolName, ActionGroupTool>>;
  /** Answers an action-group event with the tool its `actionGroup` names, as the Lambda would. */
  invoke(event: unknown): Promise<ActionGroupResponse>;
  close(): Promise<void>;
}

export async function startLocalToolStack(
  options: LocalToolStackOptions = {},
): Promise<LocalToolStack> {
  const dataset = generateRevenueDataset({ asOf: options.asOf });
  const warehouse = await createEmbeddedWarehouse({ seed: dataset });
  const gong = await startLocalGongServer({
    dataset,
    ...LOCAL_CREDENTIALS.gong,
    host: options.host,
    port: options.gongPort,
  });
  const search = await startLocalSearchServer({
    dataset,
    apiKey: LOCAL_CREDENTIALS.searchApiKey,
    host: options.host,
    port: options.searchPort,
  });
  const logger = options.logger;
  const tools: Partial<Record<ToolName, ActionGroupTool>> = {
    firebolt_query: createFireboltQueryTool({ warehouse, logger }),
    firebolt_writer: createFireboltWriterTool({ warehouse, logger }),
    gong_retrieval: createGongRetrievalTool({
      gong: new GongClient({ baseUrl: gong.url, credentials: async () => LOCAL_CREDENTIALS.gong }),
      logger,
    }),
    web_search: createWebSearchTool({
      provider: createTavilyProvider({
        baseUrl: search.url,
        apiKey: async () => LOCAL_CREDENTIALS.searchApiKey,
      }),
      logger,
    }),
    ...(options.webhook ? { webhook_executor: localWebhookTool(options.webhook, logger) } : {}),
    ...options.extraTools,
  };

  return {
    dataset,
    warehouse,
    gong,
    search,
    tools,
    async invoke(event) {
      const { actionGroup } = parseActionGroupEvent(event);
      const tool = tools[actionGroup as ToolName];
      if (!tool) {
        throw new ValidationError(
          `No local tool for action group ${actionGroup}; available: ${Object.keys(tools).join(', ')}`,
        );
      }
      return tool.handle(event);
    },
    async close() {
      await Promise.all([gong.close(), search.close()]);
      await warehouse.close();
    },
  };
}

function localWebhookTool(
  settings: NonNullable<LocalToolStackOptions['webhook']>,
  logger: Logger | undefined,
): ActionGroupTool {
  const signer = createWebhookSigner(settings.signingSecret, 'webhook signing secret');
  return createWebhookExecutorTool({
    allowlist: mergeAllowlists(
      parseDestinationAllowlist(settings.allowedUrls),
      parseDestinationAllowlist(settings.notificationUrl, 'notification URL'),
    ),
    notificationUrl: settings.notificationUrl,
    signer: async () => signer,
    logger,
  });
}
