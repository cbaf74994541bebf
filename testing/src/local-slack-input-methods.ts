/**
 * The local Slack Web API's methods for what reaches RevBot besides a mention: reading a thread
 * (`conversations.replies`), sharing a file (`files.getUploadURLExternal`, the upload URL, then
 * `files.completeUploadExternal`, the flow `files.uploadV2` runs) and the assistant pane
 * (`assistant.threads.setSuggestedPrompts`, `assistant.threads.setTitle`). Shapes and error codes
 * follow Slack's method reference; state is kept so a test reads what a user would see.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { LocalSlackMessage } from './local-slack-api';

/** Where upload URLs point (Slack's are `https://files.slack.com/upload/v1/…`). */
export const UPLOAD_PATH = '/upload/v1/';

export interface LocalSlackFile {
  id: string;
  filename: string;
  /** The length files.getUploadURLExternal was told. */
  declaredLength: number;
  /** The bytes posted to the upload URL; undefined until they arrive. */
  content?: Buffer;
  title?: string;
  /** Where files.completeUploadExternal shared it. */
  channel?: string;
  thread_ts?: string;
  initial_comment?: string;
}

export interface LocalAssistantThread {
  prompts?: { title: string; message: string }[];
  promptsTitle?: string;
  title?: string;
}

interface InputMethodsState {
  messages: Map<string, LocalSlackMessage[]>;
  botUserId: string;
  nextTs: () => string;
  uploadUrl: (fileId: string) => string;
  onMessage?: (message: LocalSlackMessage) => void;
}

type Method = (args: Record<string, unknown>) => Record<string, unknown>;

/** Slack's own page size cap for conversations.replies. */
const MAX_REPLIES_PAGE = 1000;

export function localSlackInputMethods(state: InputMethodsState) {
  const files = new Map<string, LocalSlackFile>();
  const assistantThreads = new Map<string, LocalAssistantThread>();
  const threadKey = (channel: unknown, threadTs: unknown) => `${channel}:${threadTs}`;

  const append = (message: LocalSlackMessage) => {
    const list = state.messages.get(message.channel) ?? [];
    list.push(message);
    state.messages.set(message.channel, list);
    state.onMessage?.(message);
  };

  const asListed = (message: LocalSlackMessage, replies: number) => ({
    type: 'message',
    user: message.user,
    text: message.text,
    ts: message.ts,
    ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    ...(replies > 0 ? { thread_ts: message.ts, reply_count: replies } : {}),
    ...(message.user === state.botUserId ? { bot_id: 'BREVBOT01', app_id: 'A0REVBOT01' } : {}),
    ...(message.blocks ? { blocks: message.blocks } : {}),
    ...(message.files ? { files: message.files } : {}),
    ...(message.subtype ? { subtype: message.subtype } : {}),
  });

  const methods: Record<string, Method> = {
    'conversations.replies': (args) => {
      const channel = String(args.channel ?? '');
      const ts = String(args.ts ?? '');
      const list = state.messages.get(channel);
      if (!list) return { ok: false, error: 'channel_not_found' };
      const root = list.find((m) => m.ts === ts);
      if (!root) return { ok: false, error: 'thread_not_found' };
      const replies = list
        .filter((m) => m.thread_ts === ts && m.ts !== ts)
        .sort((a, b) => Number(a.ts) - Number(b.ts));
      const all = [asListed(root, replies.length), ...replies.map((m) => asListed(m, 0))];
      const limit = Math.min(Number(args.limit ?? MAX_REPLIES_PAGE) || MAX_REPLIES_PAGE, 1000);
      const start = Number(args.cursor ?? 0) || 0;
      const page = all.slice(start, start + limit);
      const next = start + limit < all.length ? String(start + limit) : '';
      return {
        ok: true,
        messages: page,
        has_more: next !== '',
        response_metadata: { next_cursor: next },
      };
    },
    'files.getUploadURLExternal': (args) => {
      const filename = String(args.filename ?? '');
      const length = Number(args.length);
      if (!filename) return { ok: false, error: 'invalid_arguments' };
      if (!Number.isInteger(length) || length <= 0) return { ok: false, error: 'invalid_length' };
      const id = `F${randomBytes(5).toString('hex').toUpperCase()}`;
      files.set(id, { id, filename, declaredLength: length });
      return { ok: true, upload_url: state.uploadUrl(id), file_id: id };
    },
    'files.completeUploadExternal': (args) => {
      const listed = Array.isArray(args.files) ? (args.files as Record<string, unknown>[]) : [];
      if (listed.length === 0) return { ok: false, error: 'invalid_arguments' };
      const shared: LocalSlackFile[] = [];
      for (const entry of listed) {
        const file = files.get(String(entry.id));
        if (!file) return { ok: false, error: 'file_not_found' };
        if (!file.content) return { ok: false, error: 'file_upload_not_complete' };
        file.title = entry.title ? String(entry.title) : file.filename;
        shared.push(file);
      }
      const channel = args.channel_id ? String(args.channel_id) : undefined;
      const threadTs = args.thread_ts ? String(args.thread_ts) : undefined;
      if (threadTs && !channel) return { ok: false, error: 'invalid_arguments' };
      if (channel) {
        for (const file of shared) {
          file.channel = channel;
          file.thread_ts = threadTs;
          file.initial_comment = args.initial_comment ? String(args.initial_comment) : undefined;
        }
        append({
          channel,
          ts: state.nextTs(),
          thread_ts: threadTs,
          text: args.initial_comment ? String(args.initial_comment) : '',
          history: [],
          user: state.botUserId,
          files: shared.map((f) => ({ id: f.id, name: f.filename, title: f.title ?? f.filename })),
        });
      }
      return {
        ok: true,
        files: shared.map((f) => ({ id: f.id, name: f.filename, title: f.title })),
      };
    },
    'assistant.threads.setSuggestedPrompts': (args) => {
      const prompts = Array.isArray(args.prompts)
        ? (args.prompts as { title: string; message: string }[])
        : [];
      if (!args.channel_id || !args.thread_ts) return { ok: false, error: 'invalid_arguments' };
      if (prompts.length === 0 || prompts.length > 4) {
        return { ok: false, error: 'invalid_arguments' };
      }
      const key = threadKey(args.channel_id, args.thread_ts);
      assistantThreads.set(key, {
        ...assistantThreads.get(key),
        prompts,
        promptsTitle: args.title ? String(args.title) : undefined,
      });
      return { ok: true };
    },
    'assistant.threads.setTitle': (args) => {
      if (!args.channel_id || !args.thread_ts || !args.title) {
        return { ok: false, error: 'invalid_arguments' };
      }
      const key = threadKey(args.channel_id, args.thread_ts);
      assistantThreads.set(key, { ...assistantThreads.get(key), title: String(args.title) });
      return { ok: true };
    },
  };

  /**
   * The upload URL: a file announced by files.getUploadURLExternal, posted as raw bytes or as
   * multipart/form-data (Slack takes both; `@slack/web-api` 7 sends the form).
   */
  async function receiveUpload(request: IncomingMessage): Promise<[number, string]> {
    const id = (request.url ?? '').slice(UPLOAD_PATH.length).split('?')[0] ?? '';
    const file = files.get(id);
    if (request.method !== 'POST' || !file) return [404, 'not found'];
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const boundary = /multipart\/form-data;.*boundary=("?)([^";]+)\1/i.exec(
      request.headers['content-type'] ?? '',
    )?.[2];
    const content = boundary ? firstFormPart(body, boundary) : body;
    if (!content) return [400, 'no file in the form'];
    file.content = content;
    return [200, `OK - ${content.length}`];
  }

  function postAsUser(message: {
    channel: string;
    user: string;
    text: string;
    thread_ts?: string;
    subtype?: string;
  }): string {
    const ts = state.nextTs();
    append({ ...message, ts, history: [] });
    return ts;
  }

  return { methods, files, assistantThreads, receiveUpload, postAsUser };
}

/** The content of a multipart body's first part that carries a file (or its only part). */
function firstFormPart(body: Buffer, boundary: string): Buffer | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: Buffer[] = [];
  let at = body.indexOf(delimiter);
  while (at !== -1) {
    const next = body.indexOf(delimiter, at + delimiter.length);
    if (next === -1) break;
    parts.push(body.subarray(at + delimiter.length + 2, next - 2)); // CRLF after and before
    at = next;
  }
  const withHeaders = parts.map((part) => {
    const split = part.indexOf('\r\n\r\n');
    return { headers: part.subarray(0, split).toString('utf8'), content: part.subarray(split + 4) };
  });
  return (withHeaders.find((p) => /filename=/i.test(p.headers)) ?? withHeaders[0])?.content;
}
