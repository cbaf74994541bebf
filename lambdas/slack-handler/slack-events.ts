/**
 * Events API requests: the envelope parsed at the boundary, and the one decision that matters —
 * is this a person asking RevBot something? `app_mention` in channels and `message.im` in direct
 * messages are; bots (RevBot included), edits, deletions, other apps' messages and anything else
 * are acknowledged and ignored. A user opening RevBot's assistant pane (`assistant_thread_started`)
 * is greeted with suggested prompts.
 */

import { ValidationError } from '@revbot/core';
import * as z from 'zod/mini';

const text = z.optional(z.string());

const innerEventSchema = z.looseObject({
  type: z.string(),
  subtype: text,
  user: text,
  bot_id: z.optional(z.nullable(z.string())),
  app_id: z.optional(z.nullable(z.string())),
  bot_profile: z.optional(z.unknown()),
  text,
  ts: text,
  thread_ts: text,
  event_ts: text,
  channel: text,
  channel_type: text,
  edited: z.optional(z.unknown()),
  hidden: z.optional(z.boolean()),
  assistant_thread: z.optional(z.looseObject({ user_id: text, channel_id: text, thread_ts: text })),
});

const eventCallbackSchema = z.looseObject({
  type: z.literal('event_callback'),
  team_id: z.string().check(z.minLength(1)),
  api_app_id: text,
  event_id: z.string().check(z.minLength(1)),
  event_time: z.optional(z.number()),
  event: innerEventSchema,
  authorizations: z.optional(
    z.array(
      z.looseObject({
        user_id: z.optional(z.nullable(z.string())),
        is_bot: z.optional(z.boolean()),
      }),
    ),
  ),
});

const urlVerificationSchema = z.looseObject({
  type: z.literal('url_verification'),
  challenge: z.string().check(z.minLength(1), z.maxLength(500)),
});

export type EventCallback = z.infer<typeof eventCallbackSchema>;

export type SlackEnvelope =
  | { type: 'url_verification'; challenge: string }
  | { type: 'event_callback'; callback: EventCallback }
  /** `app_rate_limited` and whatever Slack adds later: acknowledged, nothing else. */
  | { type: 'other'; name: string };

/** Parses a verified Events API body; malformed JSON or shapes are a ValidationError (400). */
export function parseSlackEnvelope(body: string): SlackEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ValidationError('Body is not JSON');
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (type === 'url_verification') {
    const parsed = urlVerificationSchema.safeParse(json);
    if (!parsed.success) throw new ValidationError('url_verification without a challenge');
    return { type, challenge: parsed.data.challenge };
  }
  if (type === 'event_callback') {
    const parsed = eventCallbackSchema.safeParse(json);
    if (!parsed.success) {
      throw new ValidationError(
        'Malformed event_callback',
        parsed.error.issues.map((issue) => ({
          path: issue.path.join('.'),
          message: issue.message,
        })),
      );
    }
    return { type, callback: parsed.data };
  }
  return { type: 'other', name: typeof type === 'string' ? type : 'unknown' };
}

/** The app's bot user as the envelope tells it (`authorizations`), when it does. */
export function botUserIdOf(callback: EventCallback): string | undefined {
  const bot = callback.authorizations?.find((a) => a.is_bot && a.user_id);
  return bot?.user_id ?? undefined;
}

/** A message someone asked RevBot. */
export interface IncomingQuestion {
  eventId: string;
  eventType: 'app_mention' | 'message';
  team: string;
  channel: string;
  user: string;
  /** The asking message. */
  messageTs: string;
  /** Where the answer goes: the message's thread, or a new thread under the message. */
  threadTs: string;
  /** Raw Slack text, mention and markup included. */
  text: string;
}

export type IgnoreReason =
  | 'other_app'
  | 'unsupported_event'
  | 'not_a_direct_message'
  | 'bot_message'
  | 'own_message'
  | 'app_message'
  | 'edited'
  | 'deleted'
  | 'unsupported_subtype'
  | 'hidden'
  | 'mention_in_direct_message'
  | 'assistant_context_changed'
  | 'incomplete_event';

/** An assistant pane thread a user just opened. */
export interface StartedAssistantThread {
  team: string;
  channel: string;
  threadTs: string;
  user: string;
}

/** Stop pressed on RevBot's agent session in a thread (`agent_session_stopped`). */
export interface StopPressed {
  team: string;
  channel: string;
  threadTs: string;
  /** When, from the event's `event_ts` (epoch milliseconds). */
  atMs: number;
}

export type SlackEventDecision =
  | { action: 'answer'; question: IncomingQuestion }
  | { action: 'stop'; stop: StopPressed }
  | { action: 'greet'; thread: StartedAssistantThread }
  | { action: 'ignore'; reason: IgnoreReason };

/** Message subtypes a person sends: a message with files, a thread reply also sent to the channel. */
const PERSON_SUBTYPES = new Set(['file_share', 'thread_broadcast']);

export interface ClassifyOptions {
  /** RevBot's bot user; its own messages are never answered. */
  botUserId?: string;
  /** RevBot's app id; when set, envelopes for any other app are ignored. */
  appId?: string;
}

export function classifySlackEvent(
  callback: EventCallback,
  options: ClassifyOptions = {},
): SlackEventDecision {
  const ignore = (reason: IgnoreReason): SlackEventDecision => ({ action: 'ignore', reason });
  const event = callback.event;
  if (options.appId && callback.api_app_id && callback.api_app_id !== options.appId) {
    return ignore('other_app');
  }
  if (event.type === 'assistant_thread_started') {
    const { user_id, channel_id, thread_ts } = event.assistant_thread ?? {};
    if (!user_id || !channel_id || !thread_ts) return ignore('incomplete_event');
    return {
      action: 'greet',
      thread: { team: callback.team_id, channel: channel_id, threadTs: thread_ts, user: user_id },
    };
  }
  // Which channel the user is looking at: RevBot answers from the question, not the view.
  if (event.type === 'agent_session_stopped') {
    const atSeconds = Number(event.event_ts);
    if (!event.channel || !event.thread_ts || !Number.isFinite(atSeconds)) {
      return ignore('incomplete_event');
    }
    return {
      action: 'stop',
      stop: {
        team: callback.team_id,
        channel: event.channel,
        threadTs: event.thread_ts,
        atMs: Math.round(atSeconds * 1000),
      },
    };
  }
  if (event.type === 'assistant_thread_context_changed') return ignore('assistant_context_changed');
  if (event.type !== 'app_mention' && event.type !== 'message') return ignore('unsupported_event');
  if (event.type === 'message' && event.channel_type !== 'im') {
    return ignore('not_a_direct_message');
  }
  if (event.bot_id || event.bot_profile || event.subtype === 'bot_message') {
    return ignore('bot_message');
  }
  if (options.botUserId && event.user === options.botUserId) return ignore('own_message');
  if (event.app_id) return ignore('app_message');
  if (event.subtype === 'message_changed' || event.edited !== undefined) return ignore('edited');
  if (event.subtype === 'message_deleted') return ignore('deleted');
  if (event.subtype !== undefined && !PERSON_SUBTYPES.has(event.subtype)) {
    return ignore('unsupported_subtype');
  }
  if (event.hidden) return ignore('hidden');
  // A mention inside a DM also arrives as message.im: answer that one only.
  if (event.type === 'app_mention' && event.channel?.startsWith('D')) {
    return ignore('mention_in_direct_message');
  }
  const { user, channel, ts } = event;
  if (!user || !channel || !ts) return ignore('incomplete_event');
  return {
    action: 'answer',
    question: {
      eventId: callback.event_id,
      eventType: event.type,
      team: callback.team_id,
      channel,
      user,
      messageTs: ts,
      threadTs: event.thread_ts ?? ts,
      text: event.text ?? '',
    },
  };
}
