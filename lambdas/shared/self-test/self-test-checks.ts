/**
 * The self-test's checks, each built from what it needs to ask (a loader, a tool invoker, a
 * query function, a secret reader…) so the same check runs against AWS, the local stack or a
 * test's stand-in. No check calls a model, writes data or sends a webhook.
 */

import { AgentDefinitionError, type AgentSet, TOOLS, type ToolName } from '@revbot/agents';
import { buildFunctionEvent, readActionGroupResponse } from '@revbot/agents/action-group';
import type { KnowledgeBase } from '@revbot/agents/knowledge-base';
import type { ToolInvoker } from '@revbot/agents/runtime';
import { toSigningKey } from '../outbound/webhook-signing';
import type { SelfTestCheck } from './self-test';

const elapsed = (started: number) => `${Math.round(performance.now() - started)} ms`;

/** The portable runtime's agents, as it loads them (repository files or the bundled copy). */
export function agentsLoadedCheck(load: () => AgentSet): SelfTestCheck {
  return {
    name: 'agents',
    fix: 'run revbot agents check and fix each problem it names',
    async run() {
      try {
        const agents = load();
        return {
          status: 'ok',
          detail: `${agents.agents.length} agents loaded, entry ${agents.entry.key}`,
        };
      } catch (error) {
        if (!(error instanceof AgentDefinitionError)) throw error;
        const [first] = error.problems;
        return {
          status: 'fail',
          detail: `${error.problems.length} problem(s), first ${first?.agent}: ${first?.field}: ${first?.message}`,
        };
      }
    },
  };
}

export interface DeployedAgentRef {
  /** Folder name or output prefix, for the line. */
  key: string;
  agentId: string;
}

/** Each deployed Bedrock agent is PREPARED (`status` reads GetAgent's agentStatus). */
export function agentsPreparedCheck(
  agents: readonly DeployedAgentRef[],
  status: (agentId: string, signal: AbortSignal) => Promise<string | undefined>,
  redeploy: string,
): SelfTestCheck {
  return {
    name: 'agents',
    fix: `${redeploy}; when it stays NOT_PREPARED: aws bedrock-agent prepare-agent --agent-id <id>`,
    async run(signal) {
      const states = await Promise.all(
        agents.map(async (agent) => ({ agent, status: await status(agent.agentId, signal) })),
      );
      const unprepared = states.filter((s) => s.status !== 'PREPARED');
      if (unprepared.length > 0) {
        return {
          status: 'fail',
          detail: unprepared
            .map((s) => `${s.agent.key} (${s.agent.agentId}) is ${s.status ?? 'UNKNOWN'}`)
            .join('; '),
        };
      }
      return { status: 'ok', detail: `${agents.length} agent(s) PREPARED` };
    },
  };
}

interface DryRunCall {
  function: string;
  parameters: Record<string, string | number>;
  /** What a working tool does with it: answer, or refuse an unknown function (no side effect). */
  expect: 'answer' | 'refusal';
  describe: string;
}

/** A function no tool has: the tool parses the event and names its functions, doing nothing. */
const PROBE: DryRunCall = {
  function: 'revbot_self_test',
  parameters: {},
  expect: 'refusal',
  describe: 'answered a probe, nothing written or sent',
};

/** Reads run for real (one row, one call); tools that write or send only answer a probe. */
export const DRY_RUN_CALLS: Record<ToolName, DryRunCall> = {
  firebolt_query: {
    function: 'execute_query',
    parameters: { query: 'SELECT 1 AS ok', max_rows: 1 },
    expect: 'answer',
    describe: 'ran SELECT 1',
  },
  gong_retrieval: {
    function: 'list_calls',
    parameters: { limit: 1 },
    expect: 'answer',
    describe: 'listed one call',
  },
  firebolt_writer: PROBE,
  web_search: PROBE,
  webhook_executor: PROBE,
};

/** A self-test's identity in action-group events, so tool logs show where a call came from. */
const SELF_TEST_AGENT = {
  name: 'revbot-self-test',
  id: 'SELFTEST00',
  alias: 'SELFTEST00',
  version: 'DRAFT',
};

/** One tool answering a dry-run action-group event through the runtime's own tool invoker. */
export function toolDryRunCheck(
  tool: ToolName,
  invoker: ToolInvoker,
  fix = `see the tool's logs: revbot logs tool-${TOOLS[tool].lambdaDir}`,
): SelfTestCheck {
  const call = DRY_RUN_CALLS[tool];
  return {
    name: `tool ${tool}`,
    fix,
    async run(signal) {
      if (!invoker.actionGroups.includes(tool)) {
        return { status: 'fail', detail: 'not configured for this runtime' };
      }
      const started = performance.now();
      const response = await invoker.invoke(
        buildFunctionEvent({
          tool,
          function: call.function,
          parameters: call.parameters,
          agent: SELF_TEST_AGENT,
          sessionId: 'revbot-self-test',
          sessionAttributes: { channel: 'self-test' },
        }),
        signal,
      );
      const { body, responseState } = readActionGroupResponse(response);
      const answered =
        call.expect === 'answer' ? responseState === undefined : responseState === 'REPROMPT';
      if (!answered) {
        return {
          status: 'fail',
          detail: `${responseState ?? 'answered'}: ${body.split('\n')[0]?.slice(0, 160)}`,
        };
      }
      return { status: 'ok', detail: `${call.describe} in ${elapsed(started)}` };
    },
  };
}

/** The warehouse answering `SELECT 1` directly (the first thing to rule out when a tool fails). */
export function warehouseCheck(
  query: (sql: string) => Promise<{ rows: unknown[][] }>,
  backend: string,
  fix: string,
): SelfTestCheck {
  return {
    name: 'warehouse',
    fix,
    async run() {
      const started = performance.now();
      const { rows } = await query('SELECT 1 AS ok');
      if (Number(rows[0]?.[0]) !== 1) {
        return { status: 'fail', detail: `SELECT 1 returned ${JSON.stringify(rows[0] ?? null)}` };
      }
      return { status: 'ok', detail: `${backend} answered SELECT 1 in ${elapsed(started)}` };
    },
  };
}

/**
 * Credentials present: `read` returns the fields by name (values are never shown). A missing,
 * empty or `REPLACE_…` placeholder field fails.
 */
export function credentialsCheck(
  name: string,
  fields: readonly string[],
  read: () => Promise<Record<string, unknown> | undefined>,
  fix: string,
): SelfTestCheck {
  return {
    name,
    fix,
    async run() {
      const values = await read();
      if (!values) return { status: 'fail', detail: 'not configured' };
      const missing = fields.filter((field) => {
        const value = values[field];
        return typeof value !== 'string' || value.trim() === '' || value.startsWith('REPLACE');
      });
      if (missing.length > 0) return { status: 'fail', detail: `missing ${missing.join(', ')}` };
      return { status: 'ok', detail: `${fields.join(', ')} set` };
    },
  };
}

export interface LastIngestion {
  status: string;
  /** When it last changed. */
  at: Date;
}

/** The knowledge base's last ingestion job succeeded. */
export function knowledgeBaseCheck(
  lastIngestion: (signal: AbortSignal) => Promise<LastIngestion | undefined>,
  now: () => number,
  fix: string,
): SelfTestCheck {
  return knowledgeBaseNamed(fix, async (signal) => {
    const job = await lastIngestion(signal);
    if (!job) return { status: 'fail', detail: 'never ingested' };
    const hours = Math.max(0, Math.round((now() - job.at.getTime()) / 3_600_000));
    const when = `${hours} h ago (${job.at.toISOString().slice(0, 16).replace('T', ' ')} UTC)`;
    if (job.status !== 'COMPLETE') {
      return { status: 'fail', detail: `last ingestion ${job.status}, ${when}` };
    }
    return { status: 'ok', detail: `last ingestion COMPLETE, ${when}` };
  });
}

/** A knowledge base that is searched directly (the local one) finds a passage for a common term. */
export function knowledgeBaseSearchCheck(
  kb: Pick<KnowledgeBase, 'id' | 'retrieve'>,
  fix: string,
): SelfTestCheck {
  return knowledgeBaseNamed(fix, async (signal) => {
    const found = await kb.retrieve('pipeline stage definitions', { maxResults: 1, signal });
    if (found.length === 0) return { status: 'fail', detail: `${kb.id} found nothing` };
    return { status: 'ok', detail: `${kb.id} answered a search` };
  });
}

/** Both knowledge-base checks report on one line: a deployed stage checks ingestion, local searches. */
function knowledgeBaseNamed(fix: string, run: SelfTestCheck['run']): SelfTestCheck {
  return { name: 'knowledge base', fix, run };
}

/** The webhook signing secret is set and is a valid Standard Webhooks key (never printed). */
export function webhookSigningSecretCheck(
  read: () => Promise<string | undefined>,
  fix: string,
): SelfTestCheck {
  return {
    name: 'webhook signing secret',
    fix,
    async run() {
      const secret = await read();
      if (!secret?.trim()) return { status: 'fail', detail: 'not set' };
      toSigningKey(secret);
      return { status: 'ok', detail: 'set, a valid whsec_ key' };
    },
  };
}

/** A check that cannot run where it is asked from, with the reason on its line. */
export function skippedCheck(name: string, reason: string): SelfTestCheck {
  return {
    name,
    fix: '',
    run: async () => ({ status: 'skipped', detail: reason }),
  };
}
