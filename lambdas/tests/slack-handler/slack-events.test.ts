import { ValidationError } from '@revbot/core';
import { describe, expect, it } from 'vitest';
import { cleanQuestion } from '../../shared/slack/slack-text';
import {
  botUserIdOf,
  classifySlackEvent,
  type EventCallback,
  parseSlackEnvelope,
} from '../../slack-handler/slack-events';

const BOT = 'U0REVBOT1';

/** An Events API envelope as Slack documents it, with the inner event overridden. */
function callback(
  event: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): EventCallback {
  const envelope = parseSlackEnvelope(
    JSON.stringify({
      token: 'XXYYZZ',
      team_id: 'T123ABC456',
      api_app_id: 'A123ABC456',
      event,
      type: 'event_callback',
      event_id: 'Ev123ABC456',
      event_time: 1515449522,
      authorizations: [
        {
          enterprise_id: null,
          team_id: 'T123ABC456',
          user_id: BOT,
          is_bot: true,
          is_enterprise_install: false,
        },
      ],
      is_ext_shared_channel: false,
      ...extra,
    }),
  );
  if (envelope.type !== 'event_callback') throw new Error('not an event callback');
  return envelope.callback;
}

const mention = (overrides: Record<string, unknown> = {}) => ({
  type: 'app_mention',
  user: 'U061F7AUR',
  text: `<@${BOT}> what is the pipeline for Q3?`,
  ts: '1515449522.000016',
  channel: 'C123ABC456',
  event_ts: '1515449522.000016',
  ...overrides,
});

const directMessage = (overrides: Record<string, unknown> = {}) => ({
  type: 'message',
  channel_type: 'im',
  user: 'U061F7AUR',
  text: 'How is the Acme deal doing?',
  ts: '1515449600.000100',
  channel: 'D024BE91L',
  event_ts: '1515449600.000100',
  ...overrides,
});

const decide = (event: Record<string, unknown>, extra?: Record<string, unknown>) => {
  const cb = callback(event, extra);
  return classifySlackEvent(cb, { botUserId: botUserIdOf(cb), appId: 'A123ABC456' });
};

describe('Events API envelopes', () => {
  it('reads url_verification challenges', () => {
    expect(
      parseSlackEnvelope(
        JSON.stringify({
          token: 'x',
          challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
          type: 'url_verification',
        }),
      ),
    ).toEqual({
      type: 'url_verification',
      challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P',
    });
  });

  it('passes other request types through to be acknowledged', () => {
    expect(
      parseSlackEnvelope(
        JSON.stringify({ type: 'app_rate_limited', minute_rate_limited: 1518467820 }),
      ),
    ).toEqual({ type: 'other', name: 'app_rate_limited' });
  });

  it('refuses bodies that are not JSON or not a valid event callback', () => {
    expect(() => parseSlackEnvelope('payload=%7B%7D')).toThrow(ValidationError);
    expect(() =>
      parseSlackEnvelope(JSON.stringify({ type: 'event_callback', team_id: 'T1' })),
    ).toThrow(/Malformed event_callback/);
  });

  it('finds the bot user in authorizations', () => {
    expect(botUserIdOf(callback(mention()))).toBe(BOT);
    expect(botUserIdOf(callback(mention(), { authorizations: undefined }))).toBeUndefined();
  });
});

describe('which events are answered', () => {
  it('answers an app_mention in a channel, in a new thread under the mention', () => {
    expect(decide(mention())).toEqual({
      action: 'answer',
      question: {
        eventId: 'Ev123ABC456',
        eventType: 'app_mention',
        team: 'T123ABC456',
        channel: 'C123ABC456',
        user: 'U061F7AUR',
        messageTs: '1515449522.000016',
        threadTs: '1515449522.000016',
        text: `<@${BOT}> what is the pipeline for Q3?`,
      },
    });
  });

  it('answers a mention inside a thread in that thread', () => {
    const decision = decide(mention({ ts: '1515449700.000200', thread_ts: '1515449522.000016' }));
    expect(decision.action === 'answer' && decision.question.threadTs).toBe('1515449522.000016');
  });

  it('answers a direct message to the app (message.im)', () => {
    const decision = decide(directMessage());
    expect(decision).toMatchObject({
      action: 'answer',
      question: { eventType: 'message', channel: 'D024BE91L', threadTs: '1515449600.000100' },
    });
  });

  it('answers messages with files and thread replies also sent to the channel', () => {
    expect(decide(directMessage({ subtype: 'file_share' })).action).toBe('answer');
    expect(decide(mention({ subtype: 'thread_broadcast' })).action).toBe('answer');
  });

  it.each([
    [
      'bot messages',
      directMessage({ bot_id: 'B123', subtype: 'bot_message', user: undefined }),
      'bot_message',
    ],
    [
      'messages from another bot user with a profile',
      mention({ bot_profile: { id: 'B9' } }),
      'bot_message',
    ],
    ['its own messages', directMessage({ user: BOT }), 'own_message'],
    ["other apps' messages", directMessage({ app_id: 'A999OTHER' }), 'app_message'],
    ['edits', directMessage({ subtype: 'message_changed', message: { text: 'x' } }), 'edited'],
    [
      'edited mentions',
      mention({ edited: { user: 'U061F7AUR', ts: '1515449530.000000' } }),
      'edited',
    ],
    [
      'deletions',
      directMessage({ subtype: 'message_deleted', deleted_ts: '1515449600.000100' }),
      'deleted',
    ],
    ['channel joins', directMessage({ subtype: 'channel_join' }), 'unsupported_subtype'],
    ['hidden messages', directMessage({ hidden: true }), 'hidden'],
    [
      'channel messages without a mention',
      directMessage({ channel_type: 'channel', channel: 'C1' }),
      'not_a_direct_message',
    ],
    [
      'a mention in a DM (its message.im is answered)',
      mention({ channel: 'D024BE91L' }),
      'mention_in_direct_message',
    ],
    [
      'other event types',
      { type: 'reaction_added', user: 'U1', reaction: 'thumbsup' },
      'unsupported_event',
    ],
    ['events without a user', mention({ user: undefined }), 'incomplete_event'],
  ])('ignores %s', (_, event, reason) => {
    expect(decide(event as Record<string, unknown>)).toEqual({ action: 'ignore', reason });
  });

  it('ignores envelopes addressed to another app when the app id is configured', () => {
    expect(decide(mention(), { api_app_id: 'A000OTHER' })).toEqual({
      action: 'ignore',
      reason: 'other_app',
    });
    const cb = callback(mention(), { api_app_id: 'A000OTHER' });
    expect(classifySlackEvent(cb, { botUserId: BOT }).action).toBe('answer');
  });
});

describe('mention stripping', () => {
  it("removes the bot's mention wherever it is", () => {
    expect(cleanQuestion(`<@${BOT}> what is the pipeline?`, BOT)).toBe('what is the pipeline?');
    expect(cleanQuestion(`Hey <@${BOT}|revbot>, summarize Acme`, BOT)).toBe('Hey, summarize Acme');
    expect(cleanQuestion(`what changed? <@${BOT}>`, BOT)).toBe('what changed?');
  });

  it('removes leading mentions when the bot user is not known', () => {
    expect(cleanQuestion('<@U0OTHER01> <@U0OTHER02> top deals?')).toBe('top deals?');
  });

  it("keeps other people's mentions as readable names", () => {
    expect(cleanQuestion(`<@${BOT}> how is <@U024BE7LH|bob> doing vs <@U0ALICE01>?`, BOT)).toBe(
      'how is @bob doing vs @U0ALICE01?',
    );
  });

  it('turns channels, links, broadcasts and entities into plain text', () => {
    expect(
      cleanQuestion(
        `<@${BOT}> compare <#C024BE7LR|sales> with <https://acme.example/q3?a=1&amp;b=2|the Q3 plan> &amp; <https://example.com> for <!here> &lt;3`,
        BOT,
      ),
    ).toBe(
      'compare #sales with the Q3 plan (https://acme.example/q3?a=1&b=2) & https://example.com for @here <3',
    );
    expect(cleanQuestion(`<@${BOT}> mail <mailto:ops@acme.example|ops@acme.example>`, BOT)).toBe(
      'mail ops@acme.example',
    );
  });

  it('keeps line breaks and trims space', () => {
    expect(cleanQuestion(`<@${BOT}>   list:\n\n\n\n  deals   in Q3  \n`, BOT)).toBe(
      'list:\n\ndeals in Q3',
    );
  });

  it('leaves nothing when the message is only the mention', () => {
    expect(cleanQuestion(`<@${BOT}>`, BOT)).toBe('');
    expect(cleanQuestion(`  <@${BOT}|revbot>  `, BOT)).toBe('');
  });
});

describe('the assistant pane events', () => {
  // The shape of Slack's assistant_thread_started reference.
  const started = (thread: Record<string, unknown>) => ({
    type: 'assistant_thread_started',
    assistant_thread: {
      user_id: 'U123ABC456',
      context: { channel_id: 'C123ABC456', team_id: 'T123ABC456', enterprise_id: 'E480293PS82' },
      channel_id: 'D123ABC456',
      thread_ts: '1729999327.187299',
      ...thread,
    },
    event_ts: '1715873754.429808',
  });

  it('greets a thread a user opened, in that thread', () => {
    expect(classifySlackEvent(callback(started({})), { botUserId: BOT })).toEqual({
      action: 'greet',
      thread: {
        team: 'T123ABC456',
        channel: 'D123ABC456',
        threadTs: '1729999327.187299',
        user: 'U123ABC456',
      },
    });
  });

  it('ignores a started thread without its channel, and the context changes', () => {
    expect(classifySlackEvent(callback(started({ channel_id: undefined })))).toEqual({
      action: 'ignore',
      reason: 'incomplete_event',
    });
    const changed = { ...started({}), type: 'assistant_thread_context_changed' };
    expect(classifySlackEvent(callback(changed))).toEqual({
      action: 'ignore',
      reason: 'assistant_context_changed',
    });
  });
});

describe('the Stop button', () => {
  // The shape of Slack's agent_session_stopped reference.
  const stopped = (overrides: Record<string, unknown> = {}) => ({
    channel: 'C0123ABC456',
    event_ts: '1783536983.783769',
    streaming_message_ts: ['1782234987.693923'],
    thread_ts: '1782234671.392669',
    type: 'agent_session_stopped',
    user: 'U123ABC456',
    ...overrides,
  });

  it('names the thread and when Stop was pressed, to the millisecond', () => {
    expect(classifySlackEvent(callback(stopped()), { botUserId: BOT })).toEqual({
      action: 'stop',
      stop: {
        team: 'T123ABC456',
        channel: 'C0123ABC456',
        threadTs: '1782234671.392669',
        atMs: 1_783_536_983_784,
      },
    });
  });

  it('ignores a press without its thread', () => {
    expect(classifySlackEvent(callback(stopped({ thread_ts: undefined })))).toEqual({
      action: 'ignore',
      reason: 'incomplete_event',
    });
  });
});
