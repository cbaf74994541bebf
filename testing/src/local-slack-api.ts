/**
 * A local Slack Web API for the tests, the benchmark and the local stack: the real
 * `@slack/web-api` client talks to it through `SLACK_API_URL`. It speaks the methods RevBot
 * calls — `auth.test`, `chat.postMessage`, `chat.update`, `chat.delete`, `chat.postEphemeral`,
 * `usergroups.users.list` — the way Slack does:
 * `POST /api/<method>` with a form-encoded or JSON body and a Bearer token, HTTP 200 with
 * `{ok:false, error}` for API errors, 429 with Retry-After when told to rate-limit. Messages are
 * kept per channel so a test can read the thread as a user would see it. Answers 127.0.0.1 only.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback';

export interface LocalSlackMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  /** Texts this message showed before its current one (chat.update history). */
  history: string[];
  user: string;
}

export interface LocalSlackCall {
  method: string;
  args: Record<string, unknown>;
  /** When the call arrived (performance.now()). */
  at: number;
}

export interface LocalSlackApiOptions {
  /** Accepted bot token; any other gets `invalid_auth`. */
  botToken: string;
  botUserId?: string;
  teamId?: string;
  port?: number;
  /** Told of each message posted or updated (the local stack prints them). */
  onMessage?: (message: LocalSlackMessage) => void;
  /** User groups by id, with their members' user ids (`usergroups.users.list`). */
  userGroups?: Record<string, string[]>;
}

export type InjectedSlackReply =
  | { error: string }
  | { status: number; retryAfter?: number }
  | { delayMs: number };

export interface LocalSlackApi {
  /** Base URL for `SLACK_API_URL` (ends with `/api/`). */
  url: string;
  calls: LocalSlackCall[];
  /** Messages by channel, in posting order. */
  messages: Map<string, LocalSlackMessage[]>;
  /** Ephemeral messages (`chat.postEphemeral`): seen only by `user`, never in a thread. */
  ephemeral: { channel: string; user: string; text: string; thread_ts?: string }[];
  /** The thread under `threadTs` (its root included) as it reads now. */
  thread(channel: string, threadTs: string): LocalSlackMessage[];
  /** Makes the next call of `method` fail (or wait) this way. */
  inject(method: string, reply: InjectedSlackReply): void;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  if ((request.headers['content-type'] ?? '').includes('application/json')) {
    return JSON.parse(text) as Record<string, unknown>;
  }
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    // The client sends arrays and objects (blocks) as JSON strings in form fields.
    args[key] = /^[[{]/.test(value) ? safeJson(value) : value;
  }
  return args;
}

function safeJson(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

export async function startLocalSlackApi(options: LocalSlackApiOptions): Promise<LocalSlackApi> {
  const botUserId = options.botUserId ?? 'UREVBOT01';
  const teamId = options.teamId ?? 'T0LOCAL01';
  const calls: LocalSlackCall[] = [];
  const messages = new Map<string, LocalSlackMessage[]>();
  const injected = new Map<string, InjectedSlackReply[]>();
  const ephemeral: LocalSlackApi['ephemeral'] = [];
  let clock = Math.floor(Date.now() / 1000);
  let sequence = 0;
  const nextTs = () => {
    sequence++;
    if (sequence > 999_999) {
      clock++;
      sequence = 1;
    }
    return `${clock}.${String(sequence).padStart(6, '0')}`;
  };
  const find = (channel: unknown, ts: unknown) =>
    messages.get(String(channel))?.find((m) => m.ts === String(ts));

  const methods: Record<string, (args: Record<string, unknown>) => Record<string, unknown>> = {
    'auth.test': () => ({
      ok: true,
      url: 'https://revbot-local.slack.com/',
      team: 'RevBot local',
      user: 'revbot',
      team_id: teamId,
      user_id: botUserId,
      bot_id: 'BREVBOT01',
    }),
    'chat.postMessage': (args) => {
      const channel = String(args.channel ?? '');
      if (!channel) return { ok: false, error: 'channel_not_found' };
      if (!args.text && !args.blocks) return { ok: false, error: 'no_text' };
      const message: LocalSlackMessage = {
        channel,
        ts: nextTs(),
        thread_ts: args.thread_ts ? String(args.thread_ts) : undefined,
        text: String(args.text ?? ''),
        blocks: Array.isArray(args.blocks) ? args.blocks : undefined,
        history: [],
        user: botUserId,
      };
      const list = messages.get(channel) ?? [];
      list.push(message);
      messages.set(channel, list);
      options.onMessage?.(message);
      return { ok: true, channel, ts: message.ts, message: { ...message, history: undefined } };
    },
    'chat.update': (args) => {
      const message = find(args.channel, args.ts);
      if (!message) return { ok: false, error: 'message_not_found' };
      message.history.push(message.text);
      message.text = String(args.text ?? '');
      message.blocks = Array.isArray(args.blocks) ? args.blocks : undefined;
      options.onMessage?.(message);
      return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
    },
    'chat.postEphemeral': (args) => {
      if (!args.channel || !args.user) return { ok: false, error: 'invalid_arguments' };
      ephemeral.push({
        channel: String(args.channel),
        user: String(args.user),
        text: String(args.text ?? ''),
        ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}),
      });
      return { ok: true, message_ts: nextTs() };
    },
    'usergroups.users.list': (args) => {
      const users = options.userGroups?.[String(args.usergroup)];
      return users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
    },
    'chat.delete': (args) => {
      const list = messages.get(String(args.channel));
      const index = list?.findIndex((m) => m.ts === String(args.ts)) ?? -1;
      if (!list || index === -1) return { ok: false, error: 'message_not_found' };
      list.splice(index, 1);
      return { ok: true, channel: args.channel, ts: args.ts };
    },
  };

  const server: Server = createServer(async (request, response) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      response.end(JSON.stringify(body));
    };
    try {
      const method = (request.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
      const args = await readBody(request);
      calls.push({ method, args, at: performance.now() });
      const queue = injected.get(method);
      const reply = queue?.shift();
      if (reply && 'delayMs' in reply) await new Promise((r) => setTimeout(r, reply.delayMs));
      else if (reply && 'status' in reply) {
        send(
          reply.status,
          { ok: false, error: reply.status === 429 ? 'ratelimited' : 'fatal_error' },
          reply.retryAfter !== undefined ? { 'retry-after': String(reply.retryAfter) } : {},
        );
        return;
      } else if (reply && 'error' in reply) {
        send(200, { ok: false, error: reply.error });
        return;
      }
      const token =
        (request.headers.authorization ?? '').replace(/^Bearer\s+/i, '') ||
        String(args.token ?? '');
      if (token !== options.botToken) {
        send(200, { ok: false, error: 'invalid_auth' });
        return;
      }
      const handle = methods[method];
      send(200, handle ? handle(args) : { ok: false, error: 'unknown_method' });
    } catch (error) {
      send(500, { ok: false, error: 'fatal_error', detail: String(error) });
    }
  });
  const listening = await listenOnLoopback(server, { port: options.port });

  return {
    url: `${listening.url}/api/`,
    calls,
    messages,
    ephemeral,
    thread(channel, threadTs) {
      return (messages.get(channel) ?? []).filter(
        (m) => m.ts === threadTs || m.thread_ts === threadTs,
      );
    },
    inject(method, reply) {
      const queue = injected.get(method) ?? [];
      queue.push(reply);
      injected.set(method, queue);
    },
    close: listening.close,
  };
}
