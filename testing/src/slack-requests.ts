/**
 * Slack requests as they reach the handler: Events API and interactivity bodies in the shapes
 * Slack documents, signed with a signing secret, wrapped in API Gateway proxy events.
 */

import { signSlackRequest } from '@revbot/lambdas/slack-handler';
import type { APIGatewayProxyEvent } from 'aws-lambda';

export const TEAM = 'T0REVTEAM';
export const BOT_USER = 'U0REVBOT1';
export const ASKER = 'U0ASKER01';
export const CHANNEL = 'C0SALES01';

export interface AppMentionOptions {
  eventId?: string;
  ts?: string;
  threadTs?: string;
  text?: string;
  channel?: string;
  user?: string;
}

export function appMentionBody(options: AppMentionOptions = {}): string {
  const ts = options.ts ?? '1763890000.000100';
  return JSON.stringify({
    token: 'ZZZZZZWSxiZZZ2yIvs3peJ',
    team_id: TEAM,
    api_app_id: 'A0REVBOT01',
    event: {
      type: 'app_mention',
      user: options.user ?? ASKER,
      text: options.text ?? `<@${BOT_USER}> How is the Acme Corp deal doing?`,
      ts,
      ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
      channel: options.channel ?? CHANNEL,
      event_ts: ts,
    },
    type: 'event_callback',
    event_id: options.eventId ?? 'Ev0REVBOT01',
    event_time: Math.floor(Number(ts)),
    authorizations: [
      {
        enterprise_id: null,
        team_id: TEAM,
        user_id: BOT_USER,
        is_bot: true,
        is_enterprise_install: false,
      },
    ],
    is_ext_shared_channel: false,
    event_context: '4-eyJldCI6ImFwcF9tZW50aW9uIn0',
  });
}

/** The envelope every Events API callback shares, around `event`. */
function eventCallback(event: Record<string, unknown>, eventId: string, ts: string): string {
  return JSON.stringify({
    token: 'ZZZZZZWSxiZZZ2yIvs3peJ',
    team_id: TEAM,
    api_app_id: 'A0REVBOT01',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Number(ts)),
    authorizations: [{ enterprise_id: null, team_id: TEAM, user_id: BOT_USER, is_bot: true }],
    is_ext_shared_channel: false,
  });
}

export const DM_CHANNEL = 'D0ASKER01';

/** `message.im`: a person writing to RevBot in a direct message (or its assistant pane thread). */
export function directMessageBody(options: AppMentionOptions = {}): string {
  const ts = options.ts ?? '1763890000.000200';
  return eventCallback(
    {
      type: 'message',
      channel_type: 'im',
      user: options.user ?? ASKER,
      text: options.text ?? 'What is our pipeline this quarter?',
      ts,
      ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
      channel: options.channel ?? DM_CHANNEL,
      event_ts: ts,
    },
    options.eventId ?? 'Ev0REVDM01',
    ts,
  );
}

/** `assistant_thread_started`: a user opened RevBot's assistant pane, from `fromChannel`. */
export function assistantThreadStartedBody(options: {
  threadTs: string;
  channel?: string;
  user?: string;
  fromChannel?: string;
  eventId?: string;
}): string {
  const eventTs = `${Math.floor(Number(options.threadTs)) + 1}.000100`;
  return eventCallback(
    {
      type: 'assistant_thread_started',
      assistant_thread: {
        user_id: options.user ?? ASKER,
        context: { channel_id: options.fromChannel ?? CHANNEL, team_id: TEAM },
        channel_id: options.channel ?? DM_CHANNEL,
        thread_ts: options.threadTs,
      },
      event_ts: eventTs,
    },
    options.eventId ?? 'Ev0REVAS01',
    eventTs,
  );
}

export interface SignedRequestOptions {
  path?: '/slack/events' | '/slack/interactions' | string;
  signingSecret: string;
  /** Unix seconds the request is signed at. */
  nowSeconds?: number;
  retryNum?: number;
  base64?: boolean;
  contentType?: string;
  headers?: Record<string, string>;
}

/** An API Gateway REST proxy event carrying a body signed the way Slack signs it. */
export function signedRequest(body: string, options: SignedRequestOptions): APIGatewayProxyEvent {
  const path = options.path ?? '/slack/events';
  const signature = signSlackRequest(options.signingSecret, body, options.nowSeconds);
  const headers: Record<string, string> = {
    'Content-Type': options.contentType ?? 'application/json',
    'User-Agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    'X-Slack-Request-Timestamp': signature['x-slack-request-timestamp'],
    'X-Slack-Signature': signature['x-slack-signature'],
    ...(options.retryNum !== undefined
      ? { 'X-Slack-Retry-Num': String(options.retryNum), 'X-Slack-Retry-Reason': 'http_timeout' }
      : {}),
    ...options.headers,
  };
  return {
    resource: path,
    path,
    httpMethod: 'POST',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
    body: options.base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: options.base64 ?? false,
  };
}

/** A block_actions payload for a click on one of the answer's buttons. */
export function buttonClickBody(options: {
  actionId: string;
  value: string;
  messageTs: string;
  blocks?: unknown[];
  user?: string;
  channel?: string;
}): string {
  const payload = {
    type: 'block_actions',
    user: { id: options.user ?? ASKER, username: 'asker', name: 'asker', team_id: TEAM },
    api_app_id: 'A0REVBOT01',
    token: 'ZZZZZZWSxiZZZ2yIvs3peJ',
    container: {
      type: 'message',
      message_ts: options.messageTs,
      channel_id: options.channel ?? CHANNEL,
      is_ephemeral: false,
    },
    trigger_id: '12321423423.333649436676.d8c1bb837935619ccad0f624c448ffb3',
    team: { id: TEAM, domain: 'revbot-test' },
    channel: { id: options.channel ?? CHANNEL, name: 'sales' },
    message: {
      type: 'message',
      user: BOT_USER,
      ts: options.messageTs,
      text: 'answer',
      blocks: options.blocks ?? [],
    },
    response_url: 'https://hooks.slack.com/actions/T0REVTEAM/123/abc',
    actions: [
      {
        action_id: options.actionId,
        block_id: 'revbot_feedback',
        text: { type: 'plain_text', text: '👍 Helpful', emoji: true },
        value: options.value,
        type: 'button',
        action_ts: '1763890100.123456',
      },
    ],
  };
  return `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
