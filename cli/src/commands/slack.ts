/**
 * `revbot slack "question"`: sends a running `pnpm dev` a signed Slack `app_mention` event (or,
 * with `--dm`, a direct message: `message.im`), as Slack's Events API would, so the whole Slack
 * path runs without a Slack workspace.
 */

import { randomUUID } from 'node:crypto';
import { signSlackRequest } from '@revbot/lambdas/slack-handler';
import type { Command } from '../command';
import { localUrl } from '../local/local-url';
import { LOCAL_SLACK } from '../local/revbot-local';
import { parseQuestionArgs } from '../question-args';

export function appMentionBody(options: {
  question: string;
  botUserId: string;
  team: string;
  channel: string;
  user: string;
  ts: string;
  threadTs?: string;
  eventId?: string;
  /** A direct message (`message.im`, no mention) instead of an `app_mention`. */
  direct?: boolean;
}): string {
  return JSON.stringify({
    token: 'local',
    team_id: options.team,
    api_app_id: 'A0LOCAL01',
    type: 'event_callback',
    event_id: options.eventId ?? `Ev${randomUUID().replaceAll('-', '').slice(0, 10).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: options.team, user_id: options.botUserId, is_bot: true }],
    event: {
      type: options.direct ? 'message' : 'app_mention',
      ...(options.direct ? { channel_type: 'im' } : {}),
      user: options.user,
      text: options.direct ? options.question : `<@${options.botUserId}> ${options.question}`,
      ts: options.ts,
      channel: options.channel,
      event_ts: options.ts,
      ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
    },
  });
}

export const slackCommand: Command = {
  name: 'slack',
  summary: 'send a running pnpm dev a signed Slack app_mention (or direct message) event',
  usage: `usage: revbot slack "question" [--url http://127.0.0.1:3000] [--channel C0LOCAL01]
                    [--user U0LOCAL01] [--thread TS] [--ts TS --event-id ID --retry-num N]
                    [--dm]

Signs the event with SLACK_SIGNING_SECRET (or the local stack's embedded default) and posts it
to /slack/events. The answer appears in the thread: pnpm dev prints the embedded Slack's
messages. With the --ts and --event-id of an earlier event, --retry-num sends the same event
again as Slack's retry N would (it is acknowledged and not answered twice). --dm sends the
question as a direct message to RevBot (channel D0LOCAL01 unless --channel says otherwise).`,
  async run(args, io) {
    const { values, question } = parseQuestionArgs(args, {
      url: { type: 'string', default: localUrl(io.env) },
      channel: { type: 'string' },
      dm: { type: 'boolean', default: false },
      user: { type: 'string', default: 'U0LOCAL01' },
      thread: { type: 'string' },
      'bot-user': { type: 'string', default: 'UREVBOT01' },
      team: { type: 'string', default: 'T0LOCAL01' },
      'retry-num': { type: 'string' },
      'event-id': { type: 'string' },
      ts: { type: 'string' },
    });
    const ts =
      values.ts ??
      `${Math.floor(Date.now() / 1000)}.${String(Date.now() % 1_000_000).padStart(6, '0')}`;
    const channel = values.channel ?? (values.dm ? 'D0LOCAL01' : 'C0LOCAL01');
    const body = appMentionBody({
      question,
      botUserId: values['bot-user'],
      team: values.team,
      channel,
      user: values.user,
      ts,
      threadTs: values.thread,
      eventId: values['event-id'],
      direct: values.dm,
    });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...signSlackRequest(io.env.SLACK_SIGNING_SECRET ?? LOCAL_SLACK.signingSecret, body),
    };
    if (values['retry-num']) {
      headers['x-slack-retry-num'] = values['retry-num'];
      headers['x-slack-retry-reason'] = 'http_timeout';
    }
    const base = values.url.replace(/\/$/, '');
    let response: Response;
    try {
      response = await fetch(`${base}/slack/events`, { method: 'POST', headers, body });
    } catch {
      throw new Error(`nothing answers at ${base}: start the local stack with "pnpm dev"`);
    }
    const text = await response.text();
    if (!response.ok) throw new Error(`Slack event refused (${response.status}): ${text}`);
    io.stdout.write(
      `event accepted (${response.status}) in channel ${channel}, thread ${values.thread ?? ts}\n`,
    );
    return 0;
  },
};
