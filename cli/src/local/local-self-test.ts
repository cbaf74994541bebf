/**
 * The self-test of the local pieces (`pnpm dev`, `revbot doctor --local`): the portable runtime's
 * agents as it loads them, every tool through the runtime's in-process tool invoker, the embedded
 * warehouse, the local Gong and search credentials, the local knowledge base and the webhook
 * signing secret. Same checks and table as `@RevBot test connectivity` on AWS.
 */

import { TOOL_NAMES } from '@revbot/agents';
import { LocalKnowledgeBase } from '@revbot/agents/knowledge-base';
import { InProcessToolInvoker, runtimeAgents, type ToolInvoker } from '@revbot/agents/runtime';
import { toSigningKey } from '@revbot/lambdas/outbound';
import {
  agentsLoadedCheck,
  credentialsCheck,
  knowledgeBaseSearchCheck,
  runSelfTest,
  type SelfTestCheck,
  type SelfTestReport,
  toolDryRunCheck,
  warehouseCheck,
  webhookSigningSecretCheck,
} from '@revbot/lambdas/self-test';
import {
  LOCAL_CREDENTIALS,
  type LocalToolStack,
  startLocalToolStack,
} from '@revbot/testing/local-tool-stack';
import { seededAsOf } from './warehouse-settings';

export interface LocalSelfTestPieces {
  tools: Pick<LocalToolStack, 'tools' | 'warehouse'>;
  /** The invoker the runtime was given (default: one over `tools.tools`, as the runtime makes). */
  invoker?: ToolInvoker;
  /** `AGENTS_DIR` when set: the runtime loads its agents from there. */
  agentsDir?: string;
  /** `KNOWLEDGE_BASE_DIR` when set. */
  knowledgeBaseDir?: string;
  webhookSigningSecret: string | undefined;
  /** Gong and search credentials the local tools use (default: the local APIs'). */
  credentials?: { gong?: Record<string, unknown>; searchApiKey?: string };
}

const RESTART = 'restart pnpm dev (the local stack builds it at start-up)';

export function localSelfTestChecks(pieces: LocalSelfTestPieces): SelfTestCheck[] {
  const invoker = pieces.invoker ?? new InProcessToolInvoker(pieces.tools.tools);
  const credentials = pieces.credentials ?? {
    gong: LOCAL_CREDENTIALS.gong,
    searchApiKey: LOCAL_CREDENTIALS.searchApiKey,
  };
  return [
    agentsLoadedCheck(() => runtimeAgents(pieces.agentsDir)),
    ...TOOL_NAMES.map((tool) =>
      toolDryRunCheck(
        tool,
        invoker,
        tool === 'webhook_executor'
          ? 'set WEBHOOK_SIGNING_SECRET and WEBHOOK_ALLOWED_URLS, then restart pnpm dev'
          : RESTART,
      ),
    ),
    warehouseCheck(
      (sql) => pieces.tools.warehouse.query(sql, { maxRows: 1, timeoutMs: 5_000 }),
      `embedded ${pieces.tools.warehouse.backend}`,
      `${RESTART}; delete the data dir (.revbot) if its seed is damaged`,
    ),
    credentialsCheck(
      'Gong credentials',
      ['accessKey', 'accessKeySecret'],
      async () => credentials.gong,
      'the local Gong API takes the keys of LOCAL_CREDENTIALS (testing/src/local-tool-stack.ts)',
    ),
    credentialsCheck(
      'search credentials',
      ['apiKey'],
      async () => (credentials.searchApiKey ? { apiKey: credentials.searchApiKey } : undefined),
      'the local search API takes the key of LOCAL_CREDENTIALS (testing/src/local-tool-stack.ts)',
    ),
    knowledgeBaseSearchCheck(
      new LocalKnowledgeBase({ dir: pieces.knowledgeBaseDir }),
      'check KNOWLEDGE_BASE_DIR points at a folder of Markdown files (default knowledge_base/)',
    ),
    webhookSigningSecretCheck(
      async () => pieces.webhookSigningSecret,
      'set WEBHOOK_SIGNING_SECRET to whsec_ and the base64 of 24 to 64 random bytes',
    ),
  ];
}

export interface LocalSelfTestSettings {
  /** Where the embedded warehouse's seed settings are (`.revbot`). */
  dataDir: string;
  env: Record<string, string | undefined>;
  /** The signing secret the local stack uses when `WEBHOOK_SIGNING_SECRET` is not set. */
  defaultSigningSecret: string;
}

/**
 * Starts the local tools as `pnpm dev` does, runs the self-test and stops them. A signing secret
 * that is not a valid key leaves the webhook tool out (its line and the secret's line say so)
 * instead of stopping the whole test.
 */
export async function runLocalSelfTest(settings: LocalSelfTestSettings): Promise<SelfTestReport> {
  const { env } = settings;
  const signingSecret = env.WEBHOOK_SIGNING_SECRET ?? settings.defaultSigningSecret;
  let validSecret = true;
  try {
    toSigningKey(signingSecret);
  } catch {
    validSecret = false;
  }
  const tools = await startLocalToolStack({
    asOf: seededAsOf(settings.dataDir, env),
    webhook: validSecret
      ? {
          allowedUrls: env.WEBHOOK_ALLOWED_URLS ?? 'http://127.0.0.1:4000/',
          notificationUrl: env.WEBHOOK_URL || undefined,
          signingSecret,
        }
      : undefined,
  });
  try {
    return await runSelfTest(
      'local',
      localSelfTestChecks({
        tools,
        agentsDir: env.AGENTS_DIR,
        knowledgeBaseDir: env.KNOWLEDGE_BASE_DIR,
        webhookSigningSecret: signingSecret,
      }),
    );
  } finally {
    await tools.close();
  }
}
