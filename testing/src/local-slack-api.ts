/**
 * A local Slack Web API for the tests, the benchmark and the local stack: the real
 * `@slack/web-api` client talks to it through `SLACK_API_URL`. It speaks the methods RevBot
 * calls — `auth.test`, `chat.postMessage`, `chat.update`, `chat.delete`, `chat.postEphemeral`, `usergroups.users.list`, the streaming methods
 * `chat.startStream` / `chat.appendStream` / `chat.stopStream`, `assistant.threads.setStatus` and
 * `agents.sessions.setStatus`, and the thread, file and assistant-pane methods of
 * `local-slack-input-methods.ts` — the way Slack does: `POST /api/<method>` with a form-encoded or
 * JSON body and a Bearer token, HTTP 200 with `{ok:false, error}` for API errors, 429 with
 * Retry-After when told to rate-limit. Messages are kept per channel so a test can read the thread
 * as a user would see it. Answers 127.0.0.1 only.
 *
 * Streaming as Slack does it: a streamed message grows with each append (markdown text and
 * `task_update` steps by id), is closed by `chat.stopStream` (its `blocks` go after the streamed
 * content) or by Slack after `streamLifetimeMs` (about five minutes in Slack), after which appends
 * answer `message_not_in_streaming_state`. `refuse()` makes a method answer an error for good (an
 * older workspace: `not_allowed`, `method_not_supported`, `unknown_method`), `closeStream()` ends a
 * stream as Slack's timeout would, and `stopByUser()` as the user's Stop button does
 * (`stopped_by_user`).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { listenOnLoopback } from './listen-on-loopback';
import {
  type LocalAssistantThread,
  type LocalSlackFile,
  localSlackInputMethods,
  UPLOAD_PATH,
} from './local-slack-input-methods';

export type { LocalAssistantThread, LocalSlackFile };

export interface LocalSlackMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
  /** Texts this message showed before its current one (chat.update history). */
  history: string[];
  user: string;
  /** Files shared with the message (files.completeUploadExternal). */
  files?: { id: string; name: string; title: string }[];
  /** Slack's message subtype, for messages Slack itself makes (`assistant_app_thread`). */
  subtype?: string;
  /** A streamed message: open while true; `chunks` as appended, steps by id. */
  stream?: {
    open: boolean;
    /** Why it is no longer open: stopped by the app, timed out, or stopped by the user. */
    closedBy?: 'app' | 'timeout' | 'user';
    startedAt: number;
    markdown: string;
    tasks: Map<string, LocalSlackTask>;
    /** When each markdown piece became visible (performance.now()), with its text. */
    pieces: { at: number; text: string }[];
  };
}

export interface LocalSlackTask {
  id: string;
  title: string;
  status: string;
  details?: string;
  output?: string;
  /** Every status it went through, in order. */
  statuses: string[];
}

/** `assistant.threads.setStatus` / `agents.sessions.setStatus` as last set on a thread. */
export interface LocalSlackThreadStatus {
  channel: string;
  thread_ts: string;
  status: string;
  loading_messages?: string[];
  at: number;
}

export interface LocalSlackSession {
  channel: string;
  thread_ts: string;
  status: string;
  title?: string;
  /** Every status set, in order. */
  statuses: string[];
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
  /** Told of each message posted or updated, and of each stream append (the local stack prints them). */
  onMessage?: (message: LocalSlackMessage) => void;
  /** Told of each status set on a thread (assistant or agent session). */
  onStatus?: (status: { channel: string; thread_ts: string; text: string }) => void;
  /** Slack closes a stream this long after it started. Default five minutes. */
  streamLifetimeMs?: number;
  /** User groups by id, with their members' user ids (`usergroups.users.list`). */
  userGroups?: Record<string, string[]>;
  /**
   * How much a long-running stack (`pnpm dev`) keeps: the latest `calls` calls, and the latest
   * `items` messages per channel, statuses, ephemeral messages, sessions, files and assistant
   * threads; older ones are dropped (a message dropped can no longer be updated). Default:
   * everything, as tests read it all.
   */
  retain?: { calls: number; items: number };
}

/** Drops the oldest entries once `list` is a quarter over `max` (so trimming is rare). */
function trimList(list: unknown[], max: number): void {
  if (list.length > max + Math.ceil(max / 4)) list.splice(0, list.length - max);
}

function trimMap(map: Map<unknown, unknown>, max: number): void {
  if (map.size <= max + Math.ceil(max / 4)) return;
  for (const key of map.keys()) {
    if (map.size <= max) break;
    map.delete(key);
  }
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
  /** Every call of `method` fails with `error` from now on (`null` lifts it). */
  refuse(method: string, error: string | null): void;
  /** Every `assistant.threads.setStatus`, in order (an empty status: cleared by a reply). */
  statuses: LocalSlackThreadStatus[];
  /** Agent sessions (`agents.sessions.setStatus`) by `channel thread_ts`. */
  sessions: Map<string, LocalSlackSession>;
  /** Ends the stream of message `ts` as Slack's five-minute timeout does. */
  closeStream(channel: string, ts: string): void;
  /** The user pressed Stop: open streams in the thread end; appends answer `stopped_by_user`. */
  stopByUser(channel: string, threadTs: string): string[];
  /** Files uploaded through files.getUploadURLExternal and its upload URL, by id. */
  files: Map<string, LocalSlackFile>;
  /** Suggested prompts and titles set on assistant threads, by `channel:thread_ts`. */
  assistantThreads: Map<string, LocalAssistantThread>;
  /** Adds a message a person wrote (Slack never posts those through the API), returning its ts. */
  postAsUser(message: {
    channel: string;
    user: string;
    text: string;
    thread_ts?: string;
    subtype?: string;
  }): string;
  close(): Promise<void>;
}

/** The streamed markdown and the steps, as a user sees the message in Slack. */
export function renderStream(message: LocalSlackMessage): string {
  if (!message.stream) return message.text;
  const marks: Record<string, string> = {
    pending: '○',
    in_progress: '◐',
    complete: '●',
    error: '✕',
  };
  const steps = [...message.stream.tasks.values()].map(
    (t) => `${marks[t.status] ?? '?'} ${t.title}${t.details ? ` (${t.details})` : ''}`,
  );
  return [...steps, message.stream.markdown].filter((line) => line !== '').join('\n');
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
  const refused = new Map<string, string>();
  const statuses: LocalSlackThreadStatus[] = [];
  const sessions = new Map<string, LocalSlackSession>();
  const lifetime = options.streamLifetimeMs ?? 5 * 60_000;
  const post = (message: LocalSlackMessage) => {
    const list = messages.get(message.channel) ?? [];
    list.push(message);
    messages.set(message.channel, list);
  };
  /** Markdown text and task updates of `args` (markdown_text and/or chunks) into `message`. */
  const applyChunks = (
    message: LocalSlackMessage,
    args: Record<string, unknown>,
  ): string | null => {
    const stream = message.stream;
    if (!stream) return 'message_not_in_streaming_state';
    const chunks: Record<string, unknown>[] = Array.isArray(args.chunks)
      ? (args.chunks as Record<string, unknown>[])
      : [];
    if (typeof args.markdown_text === 'string' && args.markdown_text !== '') {
      chunks.unshift({ type: 'markdown_text', text: args.markdown_text });
    }
    for (const chunk of chunks) {
      if (chunk.type === 'markdown_text') {
        const text = String(chunk.text ?? '');
        if (text.length > 12_000) return 'msg_too_long';
        stream.markdown += text;
        stream.pieces.push({ at: performance.now(), text });
      } else if (chunk.type === 'task_update') {
        const id = String(chunk.id ?? '');
        const status = String(chunk.status ?? '');
        if (!id || !['pending', 'in_progress', 'complete', 'error'].includes(status)) {
          return 'invalid_chunks';
        }
        const task = stream.tasks.get(id) ?? {
          id,
          title: String(chunk.title ?? ''),
          status,
          statuses: [],
        };
        task.title = String(chunk.title ?? task.title);
        task.status = status;
        task.statuses.push(status);
        if (chunk.details !== undefined) task.details = String(chunk.details);
        if (chunk.output !== undefined) task.output = String(chunk.output);
        stream.tasks.set(id, task);
      } else if (chunk.type !== 'plan_update' && chunk.type !== 'blocks') {
        return 'invalid_chunks';
      }
    }
    message.text = stream.markdown;
    return null;
  };
  /** The open stream `ts`, closing it first if Slack's timeout has passed. */
  const openStream = (args: Record<string, unknown>) => {
    const message = find(args.channel, args.ts);
    if (!message) return { error: 'message_not_found' } as const;
    const stream = message.stream;
    if (stream?.open && performance.now() - stream.startedAt >= lifetime) {
      stream.open = false;
      stream.closedBy = 'timeout';
    }
    if (!stream?.open) {
      return {
        error: stream?.closedBy === 'user' ? 'stopped_by_user' : 'message_not_in_streaming_state',
      } as const;
    }
    return { message } as const;
  };
  /** Slack clears a thread's assistant status when the app replies in it. */
  const clearStatus = (channel: string, threadTs: string | undefined) => {
    if (!threadTs) return;
    const last = statuses.findLast((s) => s.channel === channel && s.thread_ts === threadTs);
    if (last && last.status !== '') {
      statuses.push({ channel, thread_ts: threadTs, status: '', at: performance.now() });
    }
  };

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
      post(message);
      clearStatus(channel, message.thread_ts);
      options.onMessage?.(message);
      return { ok: true, channel, ts: message.ts, message: { ...message, history: undefined } };
    },
    'chat.startStream': (args) => {
      const channel = String(args.channel ?? '');
      if (!channel) return { ok: false, error: 'channel_not_found' };
      if (!args.thread_ts) return { ok: false, error: 'invalid_arguments' };
      // Outside a DM, Slack needs to know whom the stream is for.
      if (!channel.startsWith('D') && !args.recipient_team_id) {
        return { ok: false, error: 'missing_recipient_team_id' };
      }
      if (!channel.startsWith('D') && !args.recipient_user_id) {
        return { ok: false, error: 'missing_recipient_user_id' };
      }
      const message: LocalSlackMessage = {
        channel,
        ts: nextTs(),
        thread_ts: String(args.thread_ts),
        text: '',
        history: [],
        user: botUserId,
        stream: {
          open: true,
          startedAt: performance.now(),
          markdown: '',
          tasks: new Map(),
          pieces: [],
        },
      };
      const error = applyChunks(message, args);
      if (error) return { ok: false, error };
      post(message);
      clearStatus(channel, message.thread_ts);
      options.onMessage?.(message);
      return { ok: true, channel, ts: message.ts };
    },
    'chat.appendStream': (args) => {
      const open = openStream(args);
      if ('error' in open) return { ok: false, error: open.error };
      if (!args.markdown_text && !Array.isArray(args.chunks)) {
        return { ok: false, error: 'invalid_arguments' };
      }
      const error = applyChunks(open.message, args);
      if (error) return { ok: false, error };
      options.onMessage?.(open.message);
      return { ok: true, channel: open.message.channel, ts: open.message.ts };
    },
    'chat.stopStream': (args) => {
      const open = openStream(args);
      if ('error' in open) return { ok: false, error: open.error };
      const { message } = open;
      const error = applyChunks(message, args);
      if (error) return { ok: false, error };
      const stream = message.stream as NonNullable<LocalSlackMessage['stream']>;
      stream.open = false;
      stream.closedBy = 'app';
      message.blocks = Array.isArray(args.blocks) ? args.blocks : undefined;
      const session = sessions.get(`${message.channel} ${message.thread_ts}`);
      if (session) {
        session.status = String(args.session_status ?? 'active');
        session.statuses.push(session.status);
      }
      options.onMessage?.(message);
      return {
        ok: true,
        channel: message.channel,
        ts: message.ts,
        message: { text: message.text },
      };
    },
    'assistant.threads.setStatus': (args) => {
      const channel = String(args.channel_id ?? '');
      const threadTs = String(args.thread_ts ?? '');
      if (!channel || !threadTs) return { ok: false, error: 'invalid_arguments' };
      const status: LocalSlackThreadStatus = {
        channel,
        thread_ts: threadTs,
        status: String(args.status ?? ''),
        loading_messages: Array.isArray(args.loading_messages)
          ? args.loading_messages.map(String)
          : undefined,
        at: performance.now(),
      };
      statuses.push(status);
      options.onStatus?.({ channel, thread_ts: threadTs, text: status.status });
      return { ok: true };
    },
    'agents.sessions.setStatus': (args) => {
      const channel = String(args.channel_id ?? '');
      const threadTs = String(args.thread_ts ?? '');
      const status = String(args.status ?? '');
      if (!channel || !['active', 'processing', 'suspended', 'closed'].includes(status)) {
        return { ok: false, error: 'invalid_arguments' };
      }
      const key = `${channel} ${threadTs}`;
      const session = sessions.get(key) ?? {
        channel,
        thread_ts: threadTs,
        status,
        title: args.title === undefined ? undefined : String(args.title),
        statuses: [],
      };
      session.status = status;
      session.statuses.push(status);
      sessions.set(key, session);
      options.onStatus?.({
        channel,
        thread_ts: threadTs,
        text: `${session.title ?? 'session'}: ${status}`,
      });
      return { ok: true };
    },
    'chat.update': (args) => {
      const message = find(args.channel, args.ts);
      if (!message) return { ok: false, error: 'message_not_found' };
      // A stream still open cannot be edited; one closed (stopped or timed out) can.
      if (message.stream?.open && performance.now() - message.stream.startedAt < lifetime) {
        return { ok: false, error: 'cant_update_message' };
      }
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
      const members = options.userGroups?.[String(args.usergroup ?? '')];
      return members ? { ok: true, users: [...members] } : { ok: false, error: 'no_such_subteam' };
    },
    'chat.delete': (args) => {
      const list = messages.get(String(args.channel));
      const index = list?.findIndex((m) => m.ts === String(args.ts)) ?? -1;
      if (!list || index === -1) return { ok: false, error: 'message_not_found' };
      list.splice(index, 1);
      return { ok: true, channel: args.channel, ts: args.ts };
    },
  };
  // Threads, files and the assistant pane: conversations.replies, files.*, assistant.threads.*.
  const inputs = localSlackInputMethods({
    messages,
    botUserId,
    nextTs,
    uploadUrl: (fileId) => `${baseUrl}${UPLOAD_PATH}${fileId}`,
    onMessage: options.onMessage,
  });
  Object.assign(methods, inputs.methods);
  let baseUrl = '';

  const server: Server = createServer(async (request, response) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      response.end(JSON.stringify(body));
    };
    try {
      if ((request.url ?? '').startsWith(UPLOAD_PATH)) {
        const [status, text] = await inputs.receiveUpload(request);
        response.writeHead(status, { 'content-type': 'text/plain' });
        response.end(text);
        return;
      }
      const method = (request.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
      const args = await readBody(request);
      calls.push({ method, args, at: performance.now() });
      const refusal = refused.get(method);
      if (refusal) {
        send(200, { ok: false, error: refusal });
        return;
      }
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
      if (options.retain) forget(options.retain);
    } catch (error) {
      send(500, { ok: false, error: 'fatal_error', detail: String(error) });
    }
  });
  /** Keeps a long-running stack's memory bounded (`retain`). */
  const forget = (retain: NonNullable<LocalSlackApiOptions['retain']>) => {
    trimList(calls, retain.calls);
    for (const list of messages.values()) trimList(list, retain.items);
    trimList(statuses, retain.items);
    trimList(ephemeral, retain.items);
    trimMap(sessions, retain.items);
    trimMap(inputs.files, retain.items);
    trimMap(inputs.assistantThreads, retain.items);
  };
  const listening = await listenOnLoopback(server, { port: options.port });
  baseUrl = listening.url;

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
    refuse(method, error) {
      if (error === null) refused.delete(method);
      else refused.set(method, error);
    },
    statuses,
    sessions,
    closeStream(channel, ts) {
      const stream = find(channel, ts)?.stream;
      if (stream?.open) {
        stream.open = false;
        stream.closedBy = 'timeout';
      }
    },
    stopByUser(channel, threadTs) {
      const stopped: string[] = [];
      for (const message of messages.get(channel) ?? []) {
        if (message.thread_ts === threadTs && message.stream?.open) {
          message.stream.open = false;
          message.stream.closedBy = 'user';
          stopped.push(message.ts);
        }
      }
      return stopped;
    },
    files: inputs.files,
    assistantThreads: inputs.assistantThreads,
    postAsUser: inputs.postAsUser,
    close: listening.close,
  };
}
