import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadAgents } from '@revbot/agents';
import { InMemorySessionStore, InProcessToolInvoker, Orchestrator } from '@revbot/agents/runtime';
import { ConfigError } from '@revbot/core';
import { localConversationSink } from '@revbot/monitoring';
import { type LocalSlackApi, startLocalSlackApi } from '@revbot/testing/local-slack-api';
import { recordingLogger } from '@revbot/testing/recording-logger';
import { reply, scriptedModel } from '@revbot/testing/scripted-model';
import { sqsRecord } from '@revbot/testing/sqs-events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackQuestionMessage } from '../../shared/slack/slack-queue-message';
import { slackWebClients } from '../../shared/slack/slack-web-client';
import { parseAgentGroups, slackAgentAccess } from '../../slack-processor/agent-access';
import { recordingProcessorMetrics } from '../../slack-processor/processor-metrics';
import { createSlackProcessor } from '../../slack-processor/slack-processor';

const TOKEN = 'xoxb-agent-access-test';
const CHANNEL = 'C0REVOPS01';
const REVOPS = 'S0REVOPS01';
const REVOPS_USER = 'U0REVOPS01';
const SALES_USER = 'U0SALES001';
const GROUPS = { execution_agent: [REVOPS] };

let slack: LocalSlackApi;
let dir: string;
beforeAll(async () => {
  slack = await startLocalSlackApi({
    botToken: TOKEN,
    userGroups: { [REVOPS]: [REVOPS_USER, 'U0REVOPS02'] },
  });
  dir = mkdtempSync(path.join(tmpdir(), 'revbot-agent-access-'));
});
afterAll(async () => {
  await slack.close();
  rmSync(dir, { recursive: true, force: true });
});

const client = () =>
  slackWebClients({ apiUrl: slack.url, timeoutMs: 2_000, retries: 0, logger: recordingLogger() })(
    TOKEN,
  );

describe('parseAgentGroups', () => {
  it('reads agent → user groups, and nothing when unset', () => {
    expect(parseAgentGroups('{"execution_agent": ["S0REVOPS01"]}')).toEqual(GROUPS);
    expect(parseAgentGroups(undefined)).toBeUndefined();
    expect(parseAgentGroups('  ')).toBeUndefined();
  });

  it('stops start-up on a bad value, naming the variable', () => {
    expect(() => parseAgentGroups('{"execution_agent": ["revops"]}')).toThrow(ConfigError);
    expect(() => parseAgentGroups('{"execution_agent": []}')).toThrow(/SLACK_AGENT_GROUPS/);
    expect(() => parseAgentGroups('execution_agent=S0REVOPS01')).toThrow(/not valid JSON/);
  });
});

describe('slackAgentAccess', () => {
  it('denies a restricted agent to people outside its groups, reading each group once', async () => {
    const access = slackAgentAccess({ groups: GROUPS, slack: client, logger: recordingLogger() });
    slack.calls.length = 0;
    expect(await access(REVOPS_USER)).toEqual([]);
    expect(await access(SALES_USER)).toEqual(['execution_agent']);
    expect(slack.calls.filter((c) => c.method === 'usergroups.users.list')).toHaveLength(1);
  });

  it('denies the restricted agents when Slack cannot say who is in the group', async () => {
    const logger = recordingLogger();
    const access = slackAgentAccess({ groups: GROUPS, slack: client, logger });
    slack.inject('usergroups.users.list', { error: 'missing_scope' });
    expect(await access(REVOPS_USER)).toEqual(['execution_agent']);
    expect(logger.entries.map((e) => e.message)).toContain(
      'Slack user group could not be read; its agents are denied',
    );
    // Not cached: the next question asks again.
    expect(await access(REVOPS_USER)).toEqual([]);
  });
});

describe('a Slack question asking the Execution agent', () => {
  const agents = loadAgents();
  const MANAGER = agents.entry.key;
  const EXECUTION = 'execution_agent';

  async function ask(user: string) {
    const model = scriptedModel({
      [MANAGER]: [
        reply('This is a notification for Execution.', [
          {
            name: 'AgentCommunication__ExecutionAgent',
            input: { content: 'Post "Q4 pipeline review at 3pm" to the RevOps channel' },
          },
        ]),
        (request) => {
          const last = request.messages.at(-1)?.content[0];
          return reply(last?.type === 'toolResult' ? `Done: ${last.status}` : 'no result');
        },
      ],
      [EXECUTION]: [reply('Notification sent.')],
    });
    const runtime = new Orchestrator({
      agents,
      provider: model,
      tools: new InProcessToolInvoker({}),
      sessions: new InMemorySessionStore(),
      stage: 'test',
    });
    const placeholder = await (await client()).chat.postMessage({
      channel: CHANNEL,
      thread_ts: '1765100000.000100',
      text: 'Looking into it…',
    });
    const message: SlackQuestionMessage = {
      kind: 'question',
      version: 1,
      conversation_id: `conv-${user}`,
      event_id: `Ev-${user}`,
      team: 'T0REVTEAM',
      channel: CHANNEL,
      thread_ts: '1765100000.000100',
      message_ts: '1765100000.000100',
      user,
      question: 'Tell the RevOps channel about the Q4 pipeline review at 3pm',
      placeholder_ts: placeholder.ts as string,
      received_at: '2026-12-07T09:00:00.000Z',
    };
    const processor = createSlackProcessor({
      runtime,
      slack: client,
      sink: localConversationSink(dir),
      sessionKey: async () => 'agent-access-session-key-0123456789abcdef',
      agentAccess: slackAgentAccess({ groups: GROUPS, slack: client, logger: recordingLogger() }),
      metrics: recordingProcessorMetrics(),
      logger: recordingLogger(),
      maxReceiveCount: 3,
    });
    const result = await processor({
      Records: [
        sqsRecord({
          messageId: `m-${user}`,
          receiptHandle: `h-${user}`,
          body: message,
          queueArn: 'arn:aws:sqs:us-east-1:123456789012:revops-test-slack-queue',
        }),
      ],
    });
    expect(result.batchItemFailures).toEqual([]);
    const managerSaw = model.requestsOf(MANAGER)[1]?.messages.at(-1)?.content[0];
    return {
      executionCalls: model.requestsOf(EXECUTION).length,
      managerSaw: managerSaw?.type === 'toolResult' ? managerSaw : undefined,
      answer: slack.thread(CHANNEL, '1765100000.000100').find((m) => m.ts === placeholder.ts)?.text,
    };
  }

  it('never runs Execution for someone outside RevOps, and tells the Manager to refuse politely', async () => {
    const { executionCalls, managerSaw, answer } = await ask(SALES_USER);
    expect(executionCalls).toBe(0);
    expect(managerSaw?.status).toBe('error');
    expect(managerSaw?.content).toMatch(/ExecutionAgent is not available to the person asking/);
    expect(managerSaw?.content).toMatch(/Tell them politely/);
    expect(answer).toBe('Done: error');
  });

  it('runs Execution for a member of RevOps', async () => {
    const { executionCalls, managerSaw, answer } = await ask(REVOPS_USER);
    expect(executionCalls).toBe(1);
    expect(managerSaw).toMatchObject({ status: 'success', content: 'Notification sent.' });
    expect(answer).toBe('Done: success');
  });
});
