/**
 * Streamed answers in Slack, measured: 60 questions, each mentioned through the real Slack handler
 * (`slack-handler/handler.ts`: signature, claim in DynamoDB, placeholder, SQS), then answered by
 * the real processor core (`createSlackProcessor`, streaming on, agent sessions on) from the
 * queued message at once, as the event source mapping would, against the embedded Slack API.
 * The model is scripted: a hand-off and a tool call (each a step), then the answer's first token
 * after `FIRST_TOKEN_MS` and one token every 20 ms.
 *
 * - first answer text visible in Slack (the embedded API receiving it in a start or append)
 *   minus the model's first token, p50 / p95 (target p95 ≤ 150 ms);
 * - mention (the handler invoked) to the first visible status in the thread
 *   (`assistant.threads.setStatus`), p95 (target ≤ 1 s);
 * - Slack API calls per answer (placeholder, statuses, stream, final update, placeholder removal);
 * - the largest append rate of one stream: chat.startStream/appendStream/stopStream calls in its
 *   busiest 60 s (target ≤ 100, chat.appendStream's Tier 4 of 100+ a minute) and in its busiest
 *   second (informational: Tier 4 tolerates the burst of the first text).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AgentRuntime, AgentStreamEvent } from '@revbot/agents';
import { silentLogger } from '@revbot/core';
import { slackWebClients } from '@revbot/lambdas/slack';
import { createSlackProcessor, recordingProcessorMetrics } from '@revbot/lambdas/slack-processor';
import { localConversationSink } from '@revbot/monitoring';
import type { LocalSlackCall } from '@revbot/testing/local-slack-api';
import { appMentionBody, signedRequest } from '@revbot/testing/slack-requests';
import { sqsRecord } from '@revbot/testing/sqs-events';
import { BOT_TOKEN, SIGNING_SECRET, startSlackBenchServices } from './slack-bench-services';
import { type BenchResult, percentile, round } from './types';

const QUESTIONS = 60;
const WARMUP = 3;
const FIRST_TOKEN_MS = 400;
const TOKEN_EVERY_MS = 20;
const TOKENS = 120;
const FIRST_TEXT_P95_TARGET_MS = 150;
const STATUS_P95_TARGET_MS = 1_000;
/** chat.appendStream is Tier 4: 100+ calls a minute. */
const TIER4_PER_MINUTE = 100;

const QUEUE = 'revops-bench-stream-queue';
const TABLE = 'revops-bench-stream-events';

const MANAGER = {
  id: 'MANAGER001',
  arn: 'arn:aws:bedrock:us-east-1:000000000000:agent-alias/MANAGER001/ALIAS00001',
};
const DATA = {
  id: 'DATAAGENT1',
  arn: 'arn:aws:bedrock:us-east-1:000000000000:agent-alias/DATAAGENT1/ALIAS00002',
};
type Agent = typeof MANAGER;

const step = (agent: Agent, chain: Agent[], orchestrationTrace: Record<string, unknown>) =>
  ({
    trace: {
      agentId: agent.id,
      callerChain: chain.map((a) => ({ agentAliasArn: a.arn })),
      sessionId: 'bench',
      trace: { orchestrationTrace },
    },
  }) as unknown as AgentStreamEvent;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * The scripted streaming model behind a runtime: steps first, then the first token after
 * FIRST_TOKEN_MS and one every TOKEN_EVERY_MS. `firstToken` keeps when each session's first
 * token was produced.
 */
function scriptedStreamingRuntime(firstToken: Map<string, number>): AgentRuntime {
  const encoder = new TextEncoder();
  return {
    name: 'scripted-streaming',
    async *ask(input) {
      const { signal } = input;
      yield step(MANAGER, [MANAGER], {
        invocationInput: {
          invocationType: 'AGENT_COLLABORATOR',
          traceId: 't-1',
          agentCollaboratorInvocationInput: {
            agentCollaboratorName: 'data_agent',
            agentCollaboratorAliasArn: DATA.arn,
          },
        },
      });
      await sleep(50, signal);
      yield step(DATA, [MANAGER, DATA], {
        invocationInput: {
          invocationType: 'ACTION_GROUP',
          traceId: 'd-1',
          actionGroupInvocationInput: { actionGroupName: 'firebolt_query', function: 'run' },
        },
      });
      await sleep(100, signal);
      yield step(DATA, [MANAGER, DATA], {
        observation: { type: 'ACTION_GROUP', traceId: 'd-1', actionGroupInvocationOutput: {} },
      });
      yield step(MANAGER, [MANAGER], {
        observation: {
          type: 'AGENT_COLLABORATOR',
          traceId: 't-1',
          agentCollaboratorInvocationOutput: {},
        },
      });
      await sleep(FIRST_TOKEN_MS, signal);
      for (let i = 0; i < TOKENS && !signal?.aborted; i++) {
        if (i === 0) firstToken.set(input.sessionId, performance.now());
        else await sleep(TOKEN_EVERY_MS, signal);
        yield { chunk: { bytes: encoder.encode(i === 0 ? 'Pipeline' : ` w${i}`) } };
      }
    },
  };
}

/** Most calls within any `windowMs` of one another. */
function busiest(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

const sorted = (values: number[]) => [...values].sort((a, b) => a - b);

export async function run(): Promise<BenchResult[]> {
  const local = await startSlackBenchServices(QUEUE, TABLE);
  const { slack, queue } = local;
  const dir = mkdtempSync(path.join(tmpdir(), 'revbot-stream-bench-'));
  const saved = { ...process.env };
  try {
    Object.assign(process.env, {
      ...local.commonEnv,
      ...local.handlerEnv,
      POWERTOOLS_LOG_LEVEL: 'WARN',
    });
    const { handler } = (await import('@revbot/lambdas/slack-handler/handler')) as unknown as {
      handler: (event: unknown) => Promise<{ statusCode: number }>;
    };
    const firstToken = new Map<string, number>();
    const clients = slackWebClients({ apiUrl: slack.url, timeoutMs: 10_000, retries: 3 });
    const processor = createSlackProcessor({
      runtime: scriptedStreamingRuntime(firstToken),
      slack: () => clients(BOT_TOKEN),
      sink: localConversationSink(dir),
      metrics: recordingProcessorMetrics(),
      logger: silentLogger,
      maxReceiveCount: 3,
      sessionKey: async () => 'bench-session-key-0123456789abcdef0123456789',
      streaming: { agentSession: true },
    });

    const firstText: number[] = [];
    const toStatus: number[] = [];
    const callsPerAnswer: number[] = [];
    const perMinute: number[] = [];
    const perSecond: number[] = [];
    for (let i = 0; i < WARMUP + QUESTIONS; i++) {
      // A channel per question, so each answer's calls are told apart.
      const channel = `C0BENCH${String(i).padStart(4, '0')}`;
      const ts = `${1_763_895_000 + i}.000100`;
      const body = appMentionBody({ eventId: `Ev0STRM${String(i).padStart(6, '0')}`, ts, channel });
      const before = queue.messages.length;
      const mentioned = performance.now();
      const acked = await handler(signedRequest(body, { signingSecret: SIGNING_SECRET }));
      if (acked.statusCode !== 200 || queue.messages.length !== before + 1) {
        throw new Error(`mention ${i} was not queued (${acked.statusCode})`);
      }
      const message = queue.messages[before] as (typeof queue.messages)[number];
      const result = await processor({
        Records: [
          sqsRecord({
            messageId: message.messageId,
            receiptHandle: `r-${message.messageId}`,
            body: message.body,
            queueArn: `arn:aws:sqs:us-east-1:123456789012:${QUEUE}`,
          }),
        ],
      });
      if (result.batchItemFailures.length > 0) throw new Error(`question ${i} failed`);
      if (i < WARMUP) continue;

      const calls = slack.calls.filter(
        (c: LocalSlackCall) => c.args.channel === channel || c.args.channel_id === channel,
      );
      const thread = slack.thread(channel, ts).filter((m) => m.ts !== ts);
      const answer = thread.find((m) => m.stream);
      // Questions run one after the other: the one first token recorded is this question's.
      const tokenAt = [...firstToken.values()][0];
      const shownAt = answer?.stream?.pieces[0]?.at;
      const statusAt = calls.find((c) => c.method === 'assistant.threads.setStatus')?.at;
      if (thread.length !== 1 || !answer || shownAt === undefined || statusAt === undefined) {
        throw new Error(`question ${i} was not streamed as one answer`);
      }
      firstToken.clear();
      if (tokenAt === undefined) throw new Error(`question ${i}: no first token`);
      firstText.push(shownAt - tokenAt);
      toStatus.push(statusAt - mentioned);
      callsPerAnswer.push(calls.length);
      const streamCalls = calls
        .filter((c) => /^chat\.(start|append|stop)Stream$/.test(c.method))
        .map((c) => c.at);
      perMinute.push(busiest(streamCalls, 60_000));
      perSecond.push(busiest(streamCalls, 1_000));
    }

    const text = sorted(firstText);
    const status = sorted(toStatus);
    const calls = sorted(callsPerAnswer);
    const maxPerMinute = Math.max(...perMinute);
    return [
      {
        name: 'slack stream first text - model first token p50',
        value: round(percentile(text, 50)),
        unit: 'ms',
        target: '',
        ok: true,
      },
      {
        name: 'slack stream first text - model first token p95',
        value: round(percentile(text, 95)),
        unit: 'ms',
        target: `<= ${FIRST_TEXT_P95_TARGET_MS}`,
        ok: percentile(text, 95) <= FIRST_TEXT_P95_TARGET_MS,
      },
      {
        name: 'slack mention to first thread status p50',
        value: round(percentile(status, 50)),
        unit: 'ms',
        target: '',
        ok: true,
      },
      {
        name: 'slack mention to first thread status p95',
        value: round(percentile(status, 95)),
        unit: 'ms',
        target: `<= ${STATUS_P95_TARGET_MS}`,
        ok: percentile(status, 95) <= STATUS_P95_TARGET_MS,
      },
      {
        name: `slack API calls per streamed answer (median, ${TOKENS} tokens)`,
        value: percentile(calls, 50),
        unit: 'calls',
        target: '',
        ok: true,
      },
      {
        name: 'slack API calls per streamed answer (max)',
        value: calls.at(-1) as number,
        unit: 'calls',
        target: '',
        ok: true,
      },
      {
        name: 'slack stream calls in busiest minute, per stream (max)',
        value: maxPerMinute,
        unit: 'calls/min',
        target: `<= ${TIER4_PER_MINUTE} (Tier 4)`,
        ok: maxPerMinute <= TIER4_PER_MINUTE,
      },
      {
        name: 'slack stream calls in busiest second, per stream (max)',
        value: Math.max(...perSecond),
        unit: 'calls/s',
        target: '',
        ok: true,
      },
    ];
  } finally {
    process.env = saved;
    await local.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
