import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AgentRuntimeError } from '@revbot/agents';
import { conversationKeyPrefix, localConversationSink } from '@revbot/monitoring';
import { type LocalSlackApi, startLocalSlackApi } from '@revbot/testing/local-slack-api';
import { recordingLogger } from '@revbot/testing/recording-logger';
import {
  answerStream,
  recordedStream,
  type ScriptedReply,
  scriptedAgentRuntime,
} from '@revbot/testing/scripted-agent-runtime';
import { sqsRecord } from '@revbot/testing/sqs-events';
import type { SQSEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runSelfTest } from '../../shared/self-test';
import { FEEDBACK_ACTION_IDS, FEEDBACK_BLOCK_ID } from '../../shared/slack/feedback-buttons';
import type {
  SlackFeedbackMessage,
  SlackQuestionMessage,
} from '../../shared/slack/slack-queue-message';
import { slackWebClients } from '../../shared/slack/slack-web-client';
import { recordingProcessorMetrics } from '../../slack-processor/processor-metrics';
import { ProgressUpdates } from '../../slack-processor/progress-updates';
import { slackSessionId } from '../../slack-processor/session-id';
import {
  createSlackProcessor,
  type SlackProcessorDeps,
} from '../../slack-processor/slack-processor';
import { budgetTable } from '../support/budget-table';

/** The server key session ids are derived under (generated per deployment). */
const SESSION_KEY = 'test-session-key-0123456789abcdef0123456789abcdef';
const TOKEN = 'xoxb-processor-test';
const CHANNEL = 'C0SALES01';
const THREAD = '1763890000.000100';

let slack: LocalSlackApi;
let dir: string;
beforeAll(async () => {
  slack = await startLocalSlackApi({ botToken: TOKEN });
  dir = mkdtempSync(path.join(tmpdir(), 'revbot-slack-processor-'));
});
afterAll(async () => {
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  slack.calls.length = 0;
  slack.messages.clear();
});

const clients = () =>
  slackWebClients({ apiUrl: slack.url, timeoutMs: 2_000, retries: 0, logger: recordingLogger() });

/** Posts the handler's placeholder and returns the question message that points at it. */
async function question(
  overrides: Partial<SlackQuestionMessage> = {},
): Promise<SlackQuestionMessage> {
  const placeholder = await (await clients()(TOKEN)).chat.postMessage({
    channel: CHANNEL,
    thread_ts: overrides.thread_ts ?? THREAD,
    text: 'Looking into it…',
  });
  return {
    kind: 'question',
    version: 1,
    conversation_id: `conv-${Math.random().toString(36).slice(2, 10)}`,
    event_id: 'Ev0PROC001',
    team: 'T0REVTEAM',
    channel: CHANNEL,
    thread_ts: THREAD,
    message_ts: THREAD,
    user: 'U0ASKER01',
    question: 'What is the sum of 1 to 10?',
    placeholder_ts: placeholder.ts!,
    received_at: '2026-11-23T09:00:00.000Z',
    ...overrides,
  };
}

function sqsEvent(...records: { body: unknown; receiveCount?: number; id?: string }[]): SQSEvent {
  return {
    Records: records.map((record, i) =>
      sqsRecord({
        messageId: record.id ?? `msg-${i + 1}`,
        receiptHandle: `handle-${i + 1}`,
        body: record.body,
        receiveCount: record.receiveCount,
        sentAt: 1763890000000,
        firstReceivedAt: 1763890000001,
        queueArn: 'arn:aws:sqs:us-east-1:123456789012:revops-dev-slack-queue',
      }),
    ),
  };
}

function setup(...scripts: ScriptedReply[]) {
  let clock = 1_000_000;
  const runtime = scriptedAgentRuntime(...scripts);
  const metrics = recordingProcessorMetrics();
  const logger = recordingLogger();
  const processor = createSlackProcessor({
    runtime,
    slack: async () => clients()(TOKEN),
    sink: localConversationSink(dir),
    sessionKey: async () => SESSION_KEY,
    metrics,
    logger,
    maxReceiveCount: 3,
    progressIntervalMs: 1_000,
    now: () => clock,
  });
  return {
    processor,
    runtime,
    metrics,
    logger,
    advance: (ms: number) => {
      clock += ms;
    },
  };
}

const placeholderOf = (q: SlackQuestionMessage) =>
  slack.messages.get(CHANNEL)?.find((m) => m.ts === q.placeholder_ts);

describe('session ids', () => {
  it('are stable per thread and differ between threads, channels and teams', () => {
    const id = slackSessionId(SESSION_KEY, 'T1', 'C1', '1763890000.000100');
    expect(slackSessionId(SESSION_KEY, 'T1', 'C1', '1763890000.000100')).toBe(id);
    expect(
      new Set([
        id,
        slackSessionId(SESSION_KEY, 'T1', 'C1', '1763890000.000200'),
        slackSessionId(SESSION_KEY, 'T1', 'C2', '1763890000.000100'),
        slackSessionId(SESSION_KEY, 'T2', 'C1', '1763890000.000100'),
      ]).size,
    ).toBe(4);
  });

  it('are an HMAC under the server key: the thread alone does not give the id', () => {
    const thread = ['T1', 'C1', '1763890000.000100'] as const;
    const other = slackSessionId('another-deployments-key-0123456789abcdef', ...thread);
    expect(other).not.toBe(slackSessionId(SESSION_KEY, ...thread));
    // Nor does the plain hash of the thread, which anyone with a permalink could compute.
    const plain = createHash('sha256').update(thread.join('\u0000')).digest('hex');
    expect(slackSessionId(SESSION_KEY, ...thread)).not.toBe(`slack-${plain.slice(0, 40)}`);
    const expected = createHmac('sha256', SESSION_KEY).update(thread.join('\u0000')).digest('hex');
    expect(slackSessionId(SESSION_KEY, ...thread)).toBe(`slack-${expected.slice(0, 40)}`);
  });

  it('refuse a key too short to keep them unguessable', () => {
    expect(() => slackSessionId('short', 'T1', 'C1', '1.2')).toThrow(/at least 32 characters/);
  });

  it("satisfy Bedrock's session id rule", () => {
    expect(slackSessionId(SESSION_KEY, 'E0ENTERPRISE', 'C1', '1.2')).toMatch(
      /^[0-9a-zA-Z._:-]{2,100}$/,
    );
  });
});

describe('progress updates', () => {
  it('shows at most one update per interval, only changes, and the latest held-back hint', async () => {
    let now = 0;
    const shown: string[] = [];
    const progress = new ProgressUpdates({
      show: async (text) => {
        shown.push(text);
      },
      logger: recordingLogger(),
      minIntervalMs: 1_000,
      now: () => now,
      initial: 'Looking into it…',
    });
    await progress.report('Looking into it…'); // unchanged: nothing to show
    await progress.report('Manager handed off to Data Agent');
    now = 200;
    await progress.report('Data Agent is querying the warehouse…');
    now = 400;
    await progress.report('Data Agent is searching the knowledge base…');
    await progress.tick();
    now = 999;
    await progress.tick();
    expect(shown).toEqual(['Manager handed off to Data Agent']);
    now = 1_000;
    await progress.tick();
    expect(shown).toEqual([
      'Manager handed off to Data Agent',
      'Data Agent is searching the knowledge base…',
    ]);
    now = 5_000;
    await progress.report('Data Agent is searching the knowledge base…');
    expect(shown).toHaveLength(2);
  });

  it('logs a failed update and carries on', async () => {
    const logger = recordingLogger();
    const progress = new ProgressUpdates({
      show: async () => {
        throw new Error('ratelimited');
      },
      logger,
    });
    await progress.report('Manager handed off to Data Agent');
    expect(logger.entries.map((e) => e.message)).toEqual(['Progress update skipped']);
  });
});

describe('answering a queued question', () => {
  it('replaces the placeholder with the answer, progress first, with feedback buttons, and exports the conversation', async () => {
    const stream = recordedStream('01-supervisor-nested-collaborators.json');
    const { processor, runtime, metrics, advance } = setup({
      events: stream,
      beforeEach: () => advance(400),
    });
    const q = await question();
    const result = await processor(sqsEvent({ body: q }));
    expect(result).toEqual({ batchItemFailures: [] });

    expect(runtime.asked).toHaveLength(1);
    expect(runtime.asked[0]).toMatchObject({
      question: 'What is the sum of 1 to 10?',
      sessionId: slackSessionId(SESSION_KEY, 'T0REVTEAM', CHANNEL, THREAD),
      sessionAttributes: {
        channel: 'slack',
        slack_user: 'U0ASKER01',
        conversation_id: q.conversation_id,
      },
    });

    const placeholder = placeholderOf(q);
    expect(placeholder?.text).toBe(
      'The sum of the numbers 1, 2, 3, 4, 5, 6, 7, 8, 9, and 10 is 55.',
    );
    expect(placeholder?.history).toEqual([
      'Looking into it…',
      ':hourglass_flowing_sand: Manager handed off to Simple Supervisor',
      ':hourglass_flowing_sand: Simple Supervisor handed off to Math Solver Agent',
    ]);
    const [section, buttons] = (placeholder?.blocks ?? []) as Record<string, unknown>[];
    expect(section).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: 'The sum of the numbers 1, 2, 3, 4, 5, 6, 7, 8, 9, and 10 is 55.',
      },
    });
    expect(buttons).toMatchObject({ type: 'actions', block_id: FEEDBACK_BLOCK_ID });
    const values = ((buttons?.elements ?? []) as { action_id: string; value: string }[]).map(
      (e) => [e.action_id, JSON.parse(e.value)],
    );
    expect(values).toEqual([
      [FEEDBACK_ACTION_IDS.positive, { c: q.conversation_id, t: q.received_at }],
      [FEEDBACK_ACTION_IDS.negative, { c: q.conversation_id, t: q.received_at }],
    ]);

    const folder = path.join(dir, conversationKeyPrefix(q.received_at, q.conversation_id));
    expect(readdirSync(folder).sort()).toEqual(['conversation.json', 'metadata.json']);
    const conversation = JSON.parse(readFileSync(path.join(folder, 'conversation.json'), 'utf8'));
    expect(conversation).toMatchObject({
      conversation_id: q.conversation_id,
      session_id: slackSessionId(SESSION_KEY, 'T0REVTEAM', CHANNEL, THREAD),
      channel: {
        kind: 'slack',
        channel: CHANNEL,
        thread_ts: THREAD,
        user: 'U0ASKER01',
        event_id: 'Ev0PROC001',
      },
      user_query: 'What is the sum of 1 to 10?',
    });
    expect(metrics.recorded).toContainEqual({
      name: 'Questions',
      unit: 'Count',
      value: 1,
      dimensions: { channel: 'slack' },
    });
    expect(metrics.recorded.map((m) => m.name)).toContain('AgentInvocations');
  });

  it('keeps follow-ups in the same thread in the same agent session', async () => {
    const { processor, runtime } = setup({ events: answerStream('First.') });
    await processor(sqsEvent({ body: await question() }));
    await processor(
      sqsEvent({
        body: await question({ message_ts: '1763890100.000100', question: 'And Acme?' }),
      }),
    );
    await processor(sqsEvent({ body: await question({ thread_ts: '1763890200.000100' }) }));
    const [first, followUp, other] = runtime.asked.map((a) => a.sessionId);
    expect(followUp).toBe(first);
    expect(other).not.toBe(first);
  });

  it('spreads a long answer over several thread messages, buttons on the last', async () => {
    const answer = Array.from(
      { length: 12 },
      (_, i) => `## Section ${i}\n\n${'Revenue grew steadily. '.repeat(20)}`,
    ).join('\n\n');
    const { processor } = setup({ events: answerStream(answer) });
    const q = await question();
    await processor(sqsEvent({ body: q }));
    const thread = slack.thread(CHANNEL, THREAD);
    expect(thread.length).toBeGreaterThan(1);
    expect(thread[0]?.ts).toBe(q.placeholder_ts);
    expect(thread[0]?.text).toMatch(/^\*Section 0\*/);
    for (const message of thread) expect(message.text.length).toBeLessThanOrEqual(3_000);
    const withButtons = thread.filter((m) =>
      m.blocks?.some((b) => (b as { type: string }).type === 'actions'),
    );
    expect(withButtons).toEqual([thread.at(-1)]);
    expect(thread.map((m) => m.text).join('\n\n')).toContain('*Section 11*');
  });

  it('posts the answer in the thread when the placeholder is gone', async () => {
    const { processor } = setup({ events: answerStream('Here it is.') });
    const q = await question();
    await (await clients()(TOKEN)).chat.delete({ channel: CHANNEL, ts: q.placeholder_ts });
    expect((await processor(sqsEvent({ body: q }))).batchItemFailures).toEqual([]);
    expect(slack.thread(CHANNEL, THREAD).map((m) => m.text)).toEqual(['Here it is.']);
  });
});

describe('when answering fails', () => {
  const throttled = () =>
    new AgentRuntimeError(
      'InvokeAgent failed, will retry (throttlingException): Rate exceeded',
      'throttlingException',
      true,
    );

  it('tells the user it will try again and hands a retryable failure back to SQS', async () => {
    const { processor, logger } = setup({
      events: recordedStream('01-supervisor-nested-collaborators.json').slice(0, 5),
      error: throttled(),
    });
    const q = await question();
    const result = await processor(sqsEvent({ body: q, id: 'msg-throttled', receiveCount: 1 }));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-throttled' }] });
    expect(placeholderOf(q)?.text).toBe(
      `:warning: I ran into a temporary problem (the AI service is busy right now) and will try again shortly. Reference: \`${q.conversation_id}\``,
    );
    const conversation = JSON.parse(
      readFileSync(
        path.join(
          dir,
          conversationKeyPrefix(q.received_at, q.conversation_id),
          'conversation.json',
        ),
        'utf8',
      ),
    );
    expect(conversation.errors.map((e: { kind: string }) => e.kind)).toContain('stream_error');
    expect(logger.entries.find((e) => e.message === 'Slack question failed')?.extra).toMatchObject({
      retryable: true,
      will_retry: true,
    });
  });

  it('on the last attempt tells the user plainly and still fails the message, so it lands in the DLQ', async () => {
    const { processor } = setup({ events: [], error: throttled() });
    const q = await question();
    const result = await processor(sqsEvent({ body: q, id: 'msg-last', receiveCount: 3 }));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'msg-last' }]);
    expect(placeholderOf(q)?.text).toBe(
      `:x: Sorry, I couldn't answer this: the AI service is busy right now. Reference: \`${q.conversation_id}\` (share it with your RevBot admin if this keeps happening).`,
    );
  });

  it('does not retry what no retry can fix, and says so', async () => {
    const denied = new AgentRuntimeError(
      'InvokeAgent failed (accessDeniedException): no access',
      'accessDeniedException',
      false,
    );
    const { processor, metrics } = setup({ events: [], error: denied });
    const q = await question();
    expect((await processor(sqsEvent({ body: q }))).batchItemFailures).toEqual([]);
    expect(placeholderOf(q)?.text).toMatch(
      /^:x: Sorry, I couldn't answer this: RevBot is not allowed to use its AI model/,
    );
    expect(metrics.recorded.map((m) => m.name)).toContain('AgentErrors');
  });

  it('fails a malformed queue message so it ends in the DLQ instead of vanishing', async () => {
    const { processor, runtime } = setup({ events: [] });
    const result = await processor(
      sqsEvent({ body: '{"kind":"question"}', id: 'bad-1' }, { body: 'not json', id: 'bad-2' }),
    );
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: 'bad-1' },
      { itemIdentifier: 'bad-2' },
    ]);
    expect(runtime.asked).toHaveLength(0);
  });

  it('reports only the failed record of a batch', async () => {
    const { processor } = setup(
      { events: answerStream('fine') },
      { events: [], error: new AgentRuntimeError('timed out', 'TIMEOUT', true) },
    );
    const result = await processor(
      sqsEvent(
        { body: await question(), id: 'ok' },
        { body: await question({ message_ts: '1763890300.000100' }), id: 'slow' },
      ),
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'slow' }]);
  });
});

describe('answer feedback', () => {
  it('records a click in the conversation folder and as a metric, and thanks the user', async () => {
    const { processor, metrics } = setup({ events: answerStream('55') });
    const q = await question();
    await processor(sqsEvent({ body: q }));
    const answer = placeholderOf(q)!;

    const feedback: SlackFeedbackMessage = {
      kind: 'feedback',
      version: 1,
      conversation_id: q.conversation_id,
      started_at: q.received_at,
      rating: 'negative',
      team: q.team,
      channel: CHANNEL,
      user: 'U0ASKER01',
      message_ts: answer.ts,
      action_ts: '1763890100.123456',
      message_blocks: answer.blocks,
    };
    expect((await processor(sqsEvent({ body: feedback }))).batchItemFailures).toEqual([]);

    const folder = path.join(dir, conversationKeyPrefix(q.received_at, q.conversation_id));
    const file = readdirSync(folder).find((name) => name.startsWith('feedback-'));
    expect(file).toBe('feedback-1763890100.123456-U0ASKER01.json');
    expect(JSON.parse(readFileSync(path.join(folder, file!), 'utf8'))).toMatchObject({
      schema: 'revbot.slack-feedback/1',
      conversation_id: q.conversation_id,
      rating: 'negative',
      user: 'U0ASKER01',
    });
    expect(metrics.recorded).toContainEqual({ name: 'FeedbackNegative', unit: 'Count', value: 1 });
    expect(placeholderOf(q)?.blocks?.at(-1)).toEqual({
      type: 'context',
      block_id: FEEDBACK_BLOCK_ID,
      elements: [{ type: 'mrkdwn', text: '👎 Thanks for the feedback, <@U0ASKER01>.' }],
    });
  });
});

describe('the Slack processor, self-test commands', () => {
  /** Processes `text` as a question with no agent script: asking the agents would fail it. */
  async function selfTest(text: string, deps: Partial<SlackProcessorDeps>) {
    const runtime = scriptedAgentRuntime();
    const processor = createSlackProcessor({
      runtime,
      slack: async () => clients()(TOKEN),
      sink: localConversationSink(dir),
      sessionKey: async () => SESSION_KEY,
      metrics: recordingProcessorMetrics(),
      logger: recordingLogger(),
      maxReceiveCount: 3,
      ...deps,
    });
    const result = await processor(sqsEvent({ body: await question({ question: text }) }));
    return { result, runtime, replies: slack.thread(CHANNEL, THREAD) };
  }

  it('answers test connectivity with the table, before any agent runs', async () => {
    const { result, runtime, replies } = await selfTest('test connectivity', {
      selfTest: () =>
        runSelfTest('dev', [
          {
            name: 'agents',
            fix: 'redeploy',
            run: async () => ({ status: 'ok', detail: '6 loaded' }),
          },
          {
            name: 'tool web_search',
            fix: 'see its logs',
            run: async () => ({ status: 'fail', detail: 'timed out <5 s>' }),
          },
        ]),
    });
    expect(result.batchItemFailures).toEqual([]);
    expect(runtime.asked).toHaveLength(0);
    expect(replies).toHaveLength(1);
    const text = replies[0]?.text ?? '';
    expect(text).toMatch(/^:x: \*RevBot self-test\* \(dev\): some pieces do not work\n```\n/);
    expect(text).toMatch(/ok {4}agents {11}6 loaded/);
    expect(text).toMatch(/FAIL {2}tool web_search {2}timed out &lt;5 s&gt;\n +fix: see its logs/);
    expect(text).toMatch(/1 ok, 1 failed, 0 skipped: unhealthy\n```$/);
  });

  it('says what testing an agent needs when no golden set is deployed', async () => {
    const { runtime, replies } = await selfTest('test data_agent functionality', {});
    expect(runtime.asked).toHaveLength(0);
    expect(replies[0]?.text).toMatch(
      /^Testing data_agent means asking it the questions of its golden set/,
    );
    expect(replies[0]?.text).toMatch(/run `revbot eval`/);
  });

  it('hands the agent test to the golden set where one is given', async () => {
    const asked: string[] = [];
    const { replies } = await selfTest('test Deal Analysis functionality', {
      functionalityTest: async (agent) => {
        asked.push(agent);
        return `${agent}: 9 of 10 golden questions answered as expected`;
      },
    });
    expect(asked).toEqual(['Deal Analysis']);
    expect(replies[0]?.text).toBe('Deal Analysis: 9 of 10 golden questions answered as expected');
  });
});

describe('daily budgets', () => {
  const table = budgetTable();

  it('answers a user over budget in the thread instead of asking the model, until midnight', async () => {
    const stream = recordedStream('05-function-action-groups-with-guardrail-pre-post.json');
    const runtime = scriptedAgentRuntime({ events: stream });
    const metrics = recordingProcessorMetrics();
    let now = new Date('2026-11-23T22:00:00Z'); // 14:00 in Los Angeles
    const processor = createSlackProcessor({
      runtime,
      slack: async () => clients()(TOKEN),
      sink: localConversationSink(dir),
      metrics,
      logger: recordingLogger(),
      sessionKey: async () => SESSION_KEY,
      maxReceiveCount: 3,
      budgets: table.budgets(
        {
          timeZone: 'America/Los_Angeles',
          slackUser: { tokens: 4_000 },
          reservation: { tokens: 1_000 },
        },
        () => now,
      ),
    });

    await processor(sqsEvent({ body: await question() }));
    expect(runtime.asked).toHaveLength(1);
    // The recorded stream's usage: 4,344 input + 642 output tokens.
    expect(await table.committed('budget#slackUser#T0REVTEAM:U0ASKER01#2026-11-23')).toBe('4986');

    const refused = await question();
    await processor(sqsEvent({ body: refused }));
    expect(runtime.asked).toHaveLength(1);
    expect(placeholderOf(refused)?.text).toBe(
      ':no_entry: Your daily RevBot budget (4,000 tokens) is used up for 2026-11-23. It resets in 10 h 0 min (2026-11-24T08:00:00.000Z); ask your RevBot admin if you need more today.',
    );
    expect(metrics.recorded).toContainEqual({
      name: 'BudgetRefusals',
      unit: 'Count',
      value: 1,
      dimensions: { channel: 'slack' },
    });

    now = new Date('2026-11-24T08:00:00Z'); // midnight in Los Angeles
    await processor(sqsEvent({ body: await question() }));
    expect(runtime.asked).toHaveLength(2);
  });
});
