import { slackWebClients } from '@revbot/lambdas/slack';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalSlackApi, renderStream, startLocalSlackApi } from '../src/local-slack-api';

const TOKEN = 'xoxb-local-slack-test';
let api: LocalSlackApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(streamLifetimeMs?: number) {
  api = await startLocalSlackApi({ botToken: TOKEN, streamLifetimeMs });
  // The real `@slack/web-api` client RevBot uses.
  const client = await slackWebClients({ apiUrl: api.url, timeoutMs: 2_000, retries: 0 })(TOKEN);
  return { api, client };
}

const errorOf = (call: Promise<unknown>) =>
  call.then(
    () => 'ok',
    (error: { data?: { error?: string } }) => error.data?.error,
  );

describe('the embedded Slack API, streaming', () => {
  it('grows a streamed message with text and steps, then closes it with blocks after them', async () => {
    const { api, client } = await start();
    const args = { channel: 'C1', recipient_team_id: 'T1', recipient_user_id: 'U1' };
    const { ts } = await client.chat.startStream({
      ...args,
      thread_ts: '1.1',
      chunks: [{ type: 'task_update', id: 'a', title: 'Querying', status: 'in_progress' }],
    });
    await client.chat.appendStream({ channel: 'C1', ts: ts!, markdown_text: 'Hello ' });
    await client.chat.stopStream({
      channel: 'C1',
      ts: ts!,
      chunks: [
        { type: 'markdown_text', text: 'world' },
        { type: 'task_update', id: 'a', title: 'Querying', status: 'complete' },
      ],
      blocks: [{ type: 'divider' }],
    });
    const [message] = api.thread('C1', '1.1');
    expect(renderStream(message!)).toBe('● Querying\nHello world');
    expect(message?.stream?.tasks.get('a')?.statuses).toEqual(['in_progress', 'complete']);
    expect(message?.blocks).toEqual([{ type: 'divider' }]);
    expect(
      await errorOf(client.chat.appendStream({ channel: 'C1', ts: ts!, markdown_text: 'x' })),
    ).toBe('message_not_in_streaming_state');
  });

  it('needs the recipient outside a DM, and closes a stream past its lifetime as Slack does', async () => {
    const { client } = await start(50);
    expect(
      await errorOf(
        client.chat.startStream({ channel: 'C1', thread_ts: '1.1', markdown_text: 'a' }),
      ),
    ).toBe('missing_recipient_team_id');
    const { ts } = await client.chat.startStream({
      channel: 'D1',
      thread_ts: '1.1',
      markdown_text: 'a',
    });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(
      await errorOf(client.chat.appendStream({ channel: 'D1', ts: ts!, markdown_text: 'b' })),
    ).toBe('message_not_in_streaming_state');
    expect(await errorOf(client.chat.update({ channel: 'D1', ts: ts!, text: 'final' }))).toBe('ok');
  });

  it('answers stopped_by_user after Stop, and refuses a method for good when told to', async () => {
    const { api, client } = await start();
    const { ts } = await client.chat.startStream({
      channel: 'D1',
      thread_ts: '1.1',
      markdown_text: 'a',
    });
    expect(api.stopByUser('D1', '1.1')).toEqual([ts]);
    expect(
      await errorOf(client.chat.appendStream({ channel: 'D1', ts: ts!, markdown_text: 'b' })),
    ).toBe('stopped_by_user');
    api.refuse('chat.startStream', 'not_allowed');
    for (let i = 0; i < 2; i++) {
      expect(
        await errorOf(
          client.chat.startStream({ channel: 'D1', thread_ts: '1.1', markdown_text: 'a' }),
        ),
      ).toBe('not_allowed');
    }
  });

  it('keeps thread statuses and agent sessions, a reply clearing the status', async () => {
    const { api, client } = await start();
    await client.assistant.threads.setStatus({
      channel_id: 'C1',
      thread_ts: '1.1',
      status: 'is thinking…',
      loading_messages: ['Reading…'],
    });
    await client.agents.sessions.setStatus({
      channel_id: 'C1',
      thread_ts: '1.1',
      status: 'processing',
      title: 'Pipeline',
    });
    await client.chat.postMessage({ channel: 'C1', thread_ts: '1.1', text: 'answer' });
    expect(api.statuses.map((s) => s.status)).toEqual(['is thinking…', '']);
    expect(api.sessions.get('C1 1.1')).toMatchObject({ title: 'Pipeline', status: 'processing' });
  });
});

describe('the embedded Slack API in a long-running stack', () => {
  it('keeps only the latest calls and messages when told to retain a bounded amount', async () => {
    api = await startLocalSlackApi({ botToken: TOKEN, retain: { calls: 8, items: 4 } });
    const client = await slackWebClients({ apiUrl: api.url, timeoutMs: 2_000, retries: 0 })(TOKEN);
    const posted: string[] = [];
    for (let i = 0; i < 30; i++) {
      const { ts } = await client.chat.postMessage({ channel: 'C1', text: `answer ${i}` });
      posted.push(ts as string);
    }
    // Trimmed back to the limit once a quarter over it: never more than 10 calls, 5 messages.
    expect(api.calls.length).toBeGreaterThanOrEqual(8);
    expect(api.calls.length).toBeLessThanOrEqual(10);
    const kept = api.messages.get('C1') ?? [];
    expect(kept.length).toBeGreaterThanOrEqual(4);
    expect(kept.length).toBeLessThanOrEqual(5);
    expect(kept.at(-1)?.text).toBe('answer 29');
    // The latest message can still be updated; the first is gone.
    await client.chat.update({ channel: 'C1', ts: posted[29] as string, text: 'edited' });
    expect(api.messages.get('C1')?.at(-1)?.text).toBe('edited');
    expect(
      await errorOf(client.chat.update({ channel: 'C1', ts: posted[0] as string, text: 'x' })),
    ).toBe('message_not_found');
  });

  it('keeps everything by default', async () => {
    const { api, client } = await start();
    for (let i = 0; i < 30; i++) await client.chat.postMessage({ channel: 'C1', text: `a ${i}` });
    expect(api.calls).toHaveLength(30);
    expect(api.messages.get('C1')).toHaveLength(30);
  });
});
