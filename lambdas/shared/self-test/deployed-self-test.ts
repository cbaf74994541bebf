/**
 * The self-test of a processor running in AWS, from its environment (the agents stack's
 * `runtimeEnvironment`) and the clients its handler creates: the agents (the Manager PREPARED
 * with Bedrock Agents, or the definitions the portable runtime loads), each tool through the same
 * `lambda:Invoke` the runtime uses, the knowledge base's last ingestion. Pieces this processor
 * cannot reach (tools Bedrock invokes itself, the tools' own secrets, the webhook channel's
 * signing secret) are skipped lines pointing at `revbot doctor`, which reads them from outside.
 */
import {
  type BedrockAgentClient,
  GetAgentCommand,
  ListIngestionJobsCommand,
} from '@aws-sdk/client-bedrock-agent';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { TOOL_NAMES, TOOLS } from '@revbot/agents';
import { LambdaToolInvoker, runtimeAgents } from '@revbot/agents/runtime';
import { z } from 'zod';
import type { SelfTestCheck } from './self-test';
import {
  agentsLoadedCheck,
  agentsPreparedCheck,
  knowledgeBaseCheck,
  skippedCheck,
  toolDryRunCheck,
} from './self-test-checks';

const envSchema = z.object({
  REVBOT_STAGE: z.string().default('dev'),
  AGENT_RUNTIME: z.string().default('bedrock-agents'),
  MANAGER_AGENT_ID: z.string().optional(),
  AGENT_TOOL_FUNCTIONS: z.string().optional(),
  AGENTS_DIR: z.string().optional(),
  KNOWLEDGE_BASE_ID: z.string().optional(),
  /** Set by stacks that want the processor to report the last ingestion. */
  KNOWLEDGE_BASE_DATA_SOURCE_ID: z.string().optional(),
});

export interface DeployedSelfTestClients {
  bedrockAgent: BedrockAgentClient;
  lambda: LambdaClient;
  now?: () => number;
}

const toolFunctions = (text: string | undefined): Record<string, string> | undefined => {
  if (!text) return undefined;
  const parsed = z.record(z.string(), z.string()).safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
};

/**
 * A check whose call this processor's role may not make (the stacks grant it only what answering
 * needs) is skipped with the command that checks it from outside, not failed.
 */
function skippedWhenDenied(check: SelfTestCheck, elsewhere: string): SelfTestCheck {
  return {
    ...check,
    async run(signal) {
      try {
        return await check.run(signal);
      } catch (error) {
        if ((error as { name?: string }).name !== 'AccessDeniedException') throw error;
        return { status: 'skipped', detail: `this processor may not look: ${elsewhere}` };
      }
    },
  };
}

/** Each catalogue tool's dry run through `lambda:Invoke` of its function (name or ARN). */
export function lambdaToolChecks(
  client: LambdaClient,
  functions: Readonly<Record<string, string>>,
  stage: string,
): SelfTestCheck[] {
  const invoker = new LambdaToolInvoker({ client, functions });
  return TOOL_NAMES.map((tool) =>
    toolDryRunCheck(
      tool,
      invoker,
      `see the tool's logs: revbot logs tool-${TOOLS[tool].lambdaDir} --stage ${stage}`,
    ),
  );
}

/** The checks a deployed processor can run; built once per container. */
export function deployedSelfTestChecks(
  rawEnv: Record<string, string | undefined>,
  clients: DeployedSelfTestClients,
): SelfTestCheck[] {
  const env = envSchema.parse(rawEnv);
  const stage = env.REVBOT_STAGE;
  const doctor = `revbot doctor --stage ${stage}`;
  const redeploy = `pnpm cdk deploy revops-${stage}-agents -c stage=${stage}`;
  const checks: SelfTestCheck[] = [];

  if (env.AGENT_RUNTIME === 'bedrock-agents' && env.MANAGER_AGENT_ID) {
    const prepared = agentsPreparedCheck(
      [{ key: 'Manager', agentId: env.MANAGER_AGENT_ID }],
      async (agentId, signal) =>
        (
          await clients.bedrockAgent.send(new GetAgentCommand({ agentId }), {
            abortSignal: signal,
          })
        ).agent?.agentStatus,
      redeploy,
    );
    checks.push(skippedWhenDenied(prepared, doctor));
  } else {
    checks.push(agentsLoadedCheck(() => runtimeAgents(env.AGENTS_DIR)));
  }

  const functions = toolFunctions(env.AGENT_TOOL_FUNCTIONS);
  if (functions) {
    checks.push(...lambdaToolChecks(clients.lambda, functions, stage));
    checks.push(skippedCheck('warehouse', 'reached through tool firebolt_query (SELECT 1 above)'));
  } else {
    checks.push(
      skippedCheck('tools', `Bedrock invokes them, not this processor: ${doctor} checks them`),
    );
    checks.push(skippedCheck('warehouse', `behind the firebolt_query tool: ${doctor}`));
  }
  checks.push(
    skippedCheck('Gong and search credentials', `held by the tool Lambdas' secrets: ${doctor}`),
  );

  if (env.KNOWLEDGE_BASE_ID && env.KNOWLEDGE_BASE_DATA_SOURCE_ID) {
    const ref = {
      knowledgeBaseId: env.KNOWLEDGE_BASE_ID,
      dataSourceId: env.KNOWLEDGE_BASE_DATA_SOURCE_ID,
    };
    const lastIngestion = knowledgeBaseCheck(
      async (signal) => {
        const { ingestionJobSummaries } = await clients.bedrockAgent.send(
          new ListIngestionJobsCommand({
            ...ref,
            sortBy: { attribute: 'STARTED_AT', order: 'DESCENDING' },
            maxResults: 1,
          }),
          { abortSignal: signal },
        );
        const job = ingestionJobSummaries?.[0];
        return job?.status && job.updatedAt ? { status: job.status, at: job.updatedAt } : undefined;
      },
      clients.now ?? Date.now,
      `revbot kb sync --stage ${stage}`,
    );
    checks.push(skippedWhenDenied(lastIngestion, `revbot kb status --stage ${stage}`));
  } else {
    checks.push(
      skippedCheck('knowledge base', `last ingestion: revbot kb status --stage ${stage}`),
    );
  }
  checks.push(skippedCheck('webhook signing secret', `kept by the webhook channel: ${doctor}`));
  return checks;
}
