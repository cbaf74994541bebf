/**
 * Tokens, model calls and estimated cost per documented question on the Converse runtime, with
 * and without prompt caching, under a replayed model: each question is first answered by the
 * offline model (every tool real, in process), then its model answers are replayed by a local
 * ConverseStream server that counts tokens from the real prompts (agent instructions, tool
 * definitions, history, tool results) and reports cache reads and writes as Bedrock does. The
 * session figure is the cached share of input tokens on the second question of a session.
 */
import { randomBytes } from 'node:crypto';
import type { AgentStreamEvent } from '@revbot/agents';
import { createAgentRuntime } from '@revbot/agents/runtime';
import { silentLogger } from '@revbot/core';
import { buildConversationRecord, type Conversation } from '@revbot/monitoring';
import { ConversePromptCache } from '@revbot/testing/converse-prompt-cache';
import {
  type ConverseAnswerReply,
  startConverseStreamServer,
} from '@revbot/testing/converse-stream-server';
import { LOCAL_CREDENTIALS } from '@revbot/testing/local-client-config';
import { type LocalToolStack, startLocalToolStack } from '@revbot/testing/local-tool-stack';
import { startWebhookReceiver } from '@revbot/testing/webhook-receiver';
import { DOCUMENTED_QUESTIONS } from './documented-questions';
import { type BenchResult, round } from './types';

const AS_OF = '2026-11-23';
const MODEL = 'us.anthropic.claude-sonnet-4-6';
const SESSION_SHARE_TARGET = 0.6;

const QUESTIONS = DOCUMENTED_QUESTIONS;
/** A session: a first question, then a second one in the same thread. */
const SESSION = ["What's our pipeline this quarter?", "What's the status of the IXIS deal?"];

async function collect(stream: AsyncIterable<AgentStreamEvent>): Promise<AgentStreamEvent[]> {
  const events: AgentStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

/** The offline model's answers, in call order, from the raw responses in its traces. */
function modelAnswers(events: AgentStreamEvent[]): ConverseAnswerReply[] {
  return events.flatMap((event) => {
    const raw = event.trace?.trace?.orchestrationTrace?.modelInvocationOutput?.rawResponse?.content;
    if (!raw) return [];
    const { content } = JSON.parse(raw) as {
      content: (
        | { type: 'text'; text: string }
        | { type: 'toolUse'; toolUseId: string; name: string; input: Record<string, unknown> }
      )[];
    };
    const text = content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
    const toolUses = content.flatMap((b) =>
      b.type === 'toolUse' ? [{ id: b.toolUseId, name: b.name, input: b.input }] : [],
    );
    return [{ answer: { text: text || undefined, toolUses } }];
  });
}

const usageOf = (events: AgentStreamEvent[]): Conversation['usage'] =>
  buildConversationRecord(events, {
    conversationId: 'bench',
    channel: { kind: 'replay', source: 'cost bench' },
    userQuery: null,
  }).conversation.usage;

/** Asks `questions` in one session of the offline runtime, then replays them over Converse. */
async function replay(
  stack: LocalToolStack,
  questions: string[],
  caching: boolean,
): Promise<Conversation['usage'][]> {
  const offline = createAgentRuntime(
    { AGENT_RUNTIME: 'offline', OFFLINE_TODAY: AS_OF },
    { tools: stack.tools, logger: silentLogger },
  );
  const sessionId = `cost-${randomBytes(6).toString('hex')}`;
  const answers: ConverseAnswerReply[] = [];
  for (const question of questions) {
    answers.push(...modelAnswers(await collect(offline.ask({ question, sessionId }))));
  }

  const cache = new ConversePromptCache();
  const server = await startConverseStreamServer({
    usage: (modelId, body, outputTokens) => cache.usage(modelId, body, outputTokens),
  });
  // The runtime builds its own Bedrock client, pointed here by the SDK's documented variables.
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: server.endpoint,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_MAX_ATTEMPTS: '1',
  });
  try {
    server.reply(...answers);
    const converse = createAgentRuntime(
      {
        AGENT_RUNTIME: 'converse',
        AGENT_MODEL_ID: MODEL,
        AGENT_PROMPT_CACHING: String(caching),
        AWS_REGION: 'us-east-1',
      },
      { tools: stack.tools, logger: silentLogger },
    );
    const usages: Conversation['usage'][] = [];
    for (const question of questions) {
      usages.push(usageOf(await collect(converse.ask({ question, sessionId }))));
    }
    if (server.requests.length !== answers.length) {
      throw new Error(
        `the replay made ${server.requests.length} model calls where the offline run made ${answers.length}`,
      );
    }
    return usages;
  } finally {
    process.env = saved;
    await server.close();
  }
}

const inputOf = (u: Conversation['usage']) =>
  u.input_tokens + u.cache_read_input_tokens + u.cache_write_input_tokens;

export async function run(): Promise<BenchResult[]> {
  const receiver = await startWebhookReceiver({ fallback: { status: 200 } });
  const stack = await startLocalToolStack({
    asOf: AS_OF,
    logger: { info() {}, warn() {}, error() {} },
    webhook: {
      allowedUrls: `${receiver.url}/`,
      notificationUrl: `${receiver.url}/notify`,
      signingSecret: `whsec_${randomBytes(32).toString('base64')}`,
    },
  });
  const results: BenchResult[] = [];
  const info = (name: string, value: number, unit: string): BenchResult => ({
    name: `cost: ${name}`,
    value,
    unit,
    target: '',
    ok: true,
  });
  try {
    for (const [label, question] of QUESTIONS) {
      const [plain] = await replay(stack, [question], false);
      const [cached] = await replay(stack, [question], true);
      if (!plain || !cached) throw new Error(`no usage for ${label}`);
      results.push(
        info(`${label} model calls`, plain.model_calls, 'calls'),
        info(`${label} input tokens`, inputOf(plain), 'tokens'),
        info(`${label} output tokens`, plain.output_tokens, 'tokens'),
        info(
          `${label} est. cost, no caching`,
          round(plain.estimated_cost_usd ?? Number.NaN, 5),
          'USD',
        ),
        info(
          `${label} cached share of input, caching`,
          round(cached.cache_read_input_tokens / inputOf(cached), 3),
          'ratio',
        ),
        info(
          `${label} est. cost, caching`,
          round(cached.estimated_cost_usd ?? Number.NaN, 5),
          'USD',
        ),
      );
    }
    const [, second] = await replay(stack, SESSION, true);
    const [, secondPlain] = await replay(stack, SESSION, false);
    if (!second || !secondPlain) throw new Error('no usage for the session');
    const share = second.cache_read_input_tokens / inputOf(second);
    results.push(
      {
        name: 'cost: second question of a session, cached share of input tokens',
        value: round(share, 3),
        unit: 'ratio',
        target: `>= ${SESSION_SHARE_TARGET}`,
        ok: share >= SESSION_SHARE_TARGET,
      },
      info(
        'second question of a session, est. cost caching / no caching',
        round(
          (second.estimated_cost_usd ?? Number.NaN) /
            (secondPlain.estimated_cost_usd ?? Number.NaN),
          3,
        ),
        'ratio',
      ),
    );
  } finally {
    await stack.close();
    await receiver.close();
  }
  return results;
}
