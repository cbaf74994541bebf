/**
 * Approvals in Slack, through the handler and processor cores with the portable runtime: a
 * question that leads to an outbound webhook ends in an approval request showing the exact
 * destination and payload; only the asker (or a member of the approvers group) decides, others
 * are told ephemerally; double clicks and Slack retries decide once; an expired request says so.
 * Slack is the local Web API server, claims live in the embedded DynamoDB, the webhook executor
 * is the real tool posting to a local receiver, and paused runs wait in DynamoDB.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadAgents } from '@revbot/agents';
import {
  DynamoPausedRunStore,
  InMemorySessionStore,
  InProcessToolInvoker,
  Orchestrator,
} from '@revbot/agents/runtime';
import { silentLogger } from '@revbot/core';
import { localConversationSink } from '@revbot/monitoring';
import { type EmbeddedDynamoDb, startEmbeddedDynamoDb } from '@revbot/testing/embedded-dynamodb';
import { type LocalSlackApi, startLocalSlackApi } from '@revbot/testing/local-slack-api';
import { reply, type ScriptedModel, scriptedModel } from '@revbot/testing/scripted-model';
import {
  ASKER,
  appMentionBody,
  BOT_USER,
  buttonClickBody,
  CHANNEL,
  signedRequest,
  TEAM,
} from '@revbot/testing/slack-requests';
import { sqsRecord } from '@revbot/testing/sqs-events';
import { startWebhookReceiver, type WebhookReceiver } from '@revbot/testing/webhook-receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookSigner, parseDestinationAllowlist } from '../shared/outbound';
import { slackWebClients, staticSlackCredentials } from '../shared/slack';
import { APPROVE_ACTION_ID, REJECT_ACTION_ID } from '../shared/slack/approval-buttons';
import type { SlackQueueMessage } from '../shared/slack/slack-queue-message';
import { dynamoDbEventClaims } from '../slack-handler/event-claims';
import { createSlackHandler } from '../slack-handler/slack-handler';
import { recordingProcessorMetrics } from '../slack-processor/processor-metrics';
import { createSlackProcessor } from '../slack-processor/slack-processor';
import { createWebhookExecutorTool } from '../tools/webhook-executor/webhook-executor';

const SIGNING_SECRET = 'approval-signing-secret-0011223344';
const BOT_TOKEN = 'xoxb-approval-bot-token';
const WEBHOOK_SECRET = `whsec_${Buffer.from('slack-approval-webhook-key-32byt').toString('base64')}`;
const CLAIMS = 'revops-test-slack-events';
const SESSIONS = 'revops-test-agent-sessions';
const APPROVERS = 'S0APPROVE1';
const APPROVER = 'U0REVOPS01';
const STRANGER = 'U0STRANGR1';

let slack: LocalSlackApi;
let dynamo: EmbeddedDynamoDb;
let receiver: WebhookReceiver;
let conversations: string;
let now = Date.parse('2026-12-07T10:00:00Z');
const queued: SlackQueueMessage[] = [];
let handle: ReturnType<typeof createSlackHandler>;
const agents = loadAgents();

beforeAll(async () => {
  [slack, dynamo, receiver] = await Promise.all([
    startLocalSlackApi({
      botToken: BOT_TOKEN,
      botUserId: BOT_USER,
      teamId: TEAM,
      userGroups: { [APPROVERS]: [APPROVER] },
    }),
    startEmbeddedDynamoDb(),
    startWebhookReceiver({ secret: WEBHOOK_SECRET }),
  ]);
  await dynamo.createTable(CLAIMS, 'id');
  await dynamo.createTable(SESSIONS, 'pk', 'sk');
  conversations = mkdtempSync(path.join(tmpdir(), 'revbot-slack-approval-'));
  handle = createSlackHandler({
    credentials: staticSlackCredentials({ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN }),
    slackClient: slackWebClients({ apiUrl: slack.url, timeoutMs: 5_000, retries: 0 }),
    claims: dynamoDbEventClaims({ client: dynamo.client, tableName: CLAIMS }),
    queue: { publish: async (message) => void queued.push(message) },
    approversGroup: APPROVERS,
    logger: silentLogger,
    now: () => now,
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([slack?.close(), dynamo?.close(), receiver?.close()]);
  rmSync(conversations, { recursive: true, force: true });
});

/**
 * The Manager passes the request on; the Execution agent posts to the URL it was given. Each
 * step reads the conversation (not a position in a script), so a resumed run picks up right.
 */
function model(): ScriptedModel {
  type Request = { messages: { content: { type: string; content?: string; status?: string }[] }[] };
  const last = (request: Request) => request.messages.at(-1)?.content[0];
  const urlIn = (request: Request) =>
    /http:\/\/127\.0\.0\.1:\d+\/[a-z]+/.exec(JSON.stringify(request.messages.at(-1)))?.[0];
  const manager = (request: Request) =>
    last(request)?.type === 'toolResult'
      ? reply(`Done: ${last(request)?.content ?? ''}`)
      : reply('Handing over.', [
          {
            name: 'AgentCommunication__ExecutionAgent',
            input: { content: `Post the pipeline to ${urlIn(request)}` },
          },
        ]);
  const execution = (request: Request) =>
    last(request)?.type === 'toolResult'
      ? reply(last(request)?.status === 'success' ? 'Posted.' : 'Not posted.')
      : reply('Posting.', [
          {
            name: 'webhook_executor__trigger_webhook',
            input: { url: urlIn(request), payload: '{"pipeline":"Q4"}' },
          },
        ]);
  return scriptedModel({
    manager_agent: [manager, manager],
    execution_agent: [execution, execution],
  });
}

/** A new runtime and processor per run, as a new Lambda invocation would build them. */
function processor() {
  const runtime = new Orchestrator({
    agents,
    provider: model(),
    tools: new InProcessToolInvoker({
      webhook_executor: createWebhookExecutorTool({
        allowlist: parseDestinationAllowlist(`${receiver.url}/`),
        signer: async () => createWebhookSigner(WEBHOOK_SECRET),
        logger: silentLogger,
      }),
    }),
    sessions: new InMemorySessionStore(),
    pausedRuns: new DynamoPausedRunStore({ client: dynamo.client, tableName: SESSIONS }),
    logger: silentLogger,
  });
  return createSlackProcessor({
    runtime,
    slack: async () =>
      slackWebClients({ apiUrl: slack.url, timeoutMs: 5_000, retries: 0 })(BOT_TOKEN),
    sink: localConversationSink(conversations),
    metrics: recordingProcessorMetrics(),
    logger: silentLogger,
    maxReceiveCount: 3,
    sessionKey: async () => 'approval-session-key-0123456789abcdef0123',
    now: () => now,
  });
}

/** Runs every queued message through a fresh processor. */
async function drain(): Promise<void> {
  const messages = queued.splice(0);
  if (messages.length === 0) return;
  const result = await processor()({
    Records: messages.map((message, i) =>
      sqsRecord({
        messageId: `m-${now}-${i}`,
        receiptHandle: `r-${now}-${i}`,
        body: message,
        queueArn: 'arn:aws:sqs:us-east-1:123456789012:revops-test-slack-queue',
      }),
    ),
  });
  expect(result.batchItemFailures).toEqual([]);
}

let asked = 0;
/** Asks in a new thread and returns the approval request the agents paused on. */
async function askAndPause() {
  const ts = `1765100${String(++asked).padStart(3, '0')}.000100`;
  const response = await handle(
    signedRequest(
      appMentionBody({
        eventId: `EvAPPROVAL${asked}`,
        ts,
        text: `<@${BOT_USER}> post the pipeline to ${receiver.url}/hooks`,
      }),
      { signingSecret: SIGNING_SECRET, nowSeconds: Math.floor(now / 1000) },
    ),
  );
  expect(response.statusCode).toBe(200);
  await drain();
  const request = slack.thread(CHANNEL, ts).find((m) => m.text.startsWith('Approval needed'));
  expect(request).toBeDefined();
  const actions = (request!.blocks as { type: string; elements?: { value: string }[] }[]).find(
    (b) => b.type === 'actions',
  );
  return { ts, request: request!, value: actions!.elements![0]!.value };
}

const click = (
  pending: Awaited<ReturnType<typeof askAndPause>>,
  actionId: string,
  user: string,
  options: { retryNum?: number } = {},
) =>
  handle(
    signedRequest(
      buttonClickBody({
        actionId,
        value: pending.value,
        messageTs: pending.request.ts,
        blocks: pending.request.blocks,
        user,
      }),
      {
        path: '/slack/interactions',
        signingSecret: SIGNING_SECRET,
        nowSeconds: Math.floor(now / 1000),
        retryNum: options.retryNum,
      },
    ),
  );

describe('approvals in Slack', () => {
  it('asks in the thread with the exact destination and payload, and sends nothing yet', async () => {
    const before = receiver.requests.length;
    const { request } = await askAndPause();
    const text = JSON.stringify(request.blocks);
    expect(text).toContain(`${receiver.url}/hooks`);
    expect(text).toContain('POST a signed webhook');
    expect(text).toContain('\\"pipeline\\": \\"Q4\\"');
    expect(text).toContain(APPROVE_ACTION_ID);
    expect(text).toContain(REJECT_ACTION_ID);
    expect(receiver.requests.length).toBe(before);
  });

  it('refuses someone else with an ephemeral note, and sends once when the asker approves twice', async () => {
    const pending = await askAndPause();
    const before = receiver.requests.length;
    expect((await click(pending, APPROVE_ACTION_ID, STRANGER)).statusCode).toBe(200);
    expect(queued).toHaveLength(0);
    expect(slack.ephemeral.at(-1)).toMatchObject({
      user: STRANGER,
      channel: CHANNEL,
      text: expect.stringContaining('not yours to give'),
    });

    // A double click and Slack's retry of the first click: one decision.
    await click(pending, APPROVE_ACTION_ID, ASKER);
    await click(pending, APPROVE_ACTION_ID, ASKER);
    await click(pending, APPROVE_ACTION_ID, ASKER, { retryNum: 1 });
    expect(queued).toHaveLength(1);
    await drain();
    expect(receiver.requests.length).toBe(before + 1);
    expect(receiver.requests.at(-1)).toMatchObject({ path: '/hooks', verified: true });
    const thread = slack.thread(CHANNEL, pending.ts);
    const decided = thread.find((m) => m.ts === pending.request.ts);
    expect(decided?.text).toMatch(new RegExp(`^:white_check_mark: Approved by <@${ASKER}> at `));
    expect(JSON.stringify(decided?.blocks)).not.toContain(APPROVE_ACTION_ID);
    expect(thread.at(-1)?.text).toContain('Done: Posted.');
  });

  it('lets a member of the approvers group reject, and sends nothing', async () => {
    const pending = await askAndPause();
    const before = receiver.requests.length;
    await click(pending, REJECT_ACTION_ID, APPROVER);
    await drain();
    expect(receiver.requests.length).toBe(before);
    const thread = slack.thread(CHANNEL, pending.ts);
    expect(thread.find((m) => m.ts === pending.request.ts)?.text).toMatch(
      new RegExp(`^:x: Rejected by <@${APPROVER}>`),
    );
    expect(thread.at(-1)?.text).toContain('Done: Not posted.');
  });

  it('says the request expired when clicked after the approval window, and sends nothing', async () => {
    const pending = await askAndPause();
    const before = receiver.requests.length;
    now += 86_400_000 + 1_000;
    await click(pending, APPROVE_ACTION_ID, ASKER);
    await drain();
    expect(receiver.requests.length).toBe(before);
    const thread = slack.thread(CHANNEL, pending.ts);
    expect(thread.find((m) => m.ts === pending.request.ts)?.text).toMatch(
      /^:hourglass: This approval expired at /,
    );
  });
});
