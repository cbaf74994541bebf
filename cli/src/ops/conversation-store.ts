/**
 * Exported conversation records, wherever they are: the conversation-history bucket or a local
 * folder with the same layout (`conversation-history/YYYY/MM/DD/<ISO basic>_<id>/` holding
 * conversation.json and metadata.json). Listing walks one day at a time, newest first, so a
 * `--since` window costs one request per day and no more reads than needed.
 */

import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import {
  CONVERSATION_FILE,
  CONVERSATION_HISTORY_PREFIX,
  type Conversation,
  type ConversationMetadata,
  conversationSchema,
  METADATA_FILE,
  metadataSchema,
  safePathSegment,
} from '@revbot/monitoring';
import { OpsError } from '../errors';
import { awsErrorName } from './aws-errors';

export interface ConversationRef {
  /** `conversation-history/2026/11/23/20261123T100405.123Z_<id>/` */
  key: string;
  /** The id part of the folder name (the conversation id, made path-safe). */
  id: string;
  startedAt: Date | undefined;
  /** Where a person finds it: `s3://bucket/key` or a local path. */
  location: string;
}

export interface ConversationStore {
  /** `s3://bucket` or the local folder. */
  readonly where: string;
  /** The conversation folders of one UTC day (`YYYY/MM/DD`). */
  listDay(day: string): Promise<ConversationRef[]>;
  /** A file of a conversation folder, or undefined when it does not exist. */
  read(ref: ConversationRef, file: string): Promise<string | undefined>;
  /** Every day holding records, as `YYYY/MM/DD`, newest first. */
  listDays(): Promise<string[]>;
  /** The folders of one day with the files in each (conversation.json, feedback-….json…). */
  listDayFiles(day: string): Promise<ConversationFolder[]>;
}

export interface ConversationFolder {
  ref: ConversationRef;
  files: string[];
}

const DAY_PART = [/^\d{4}$/, /^\d{2}$/, /^\d{2}$/];
const newestFirst = (days: string[]) => days.sort((a, b) => b.localeCompare(a));

/** `20250521T094901.718Z_run-1` → its start time and id. */
export function parseFolderName(name: string): { startedAt: Date | undefined; id: string } {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d+)?Z_(.+)$/.exec(name);
  if (!match) return { startedAt: undefined, id: name };
  const [, y, mo, d, h, mi, s, fraction = '', id] = match;
  const startedAt = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}Z`);
  return { startedAt: Number.isNaN(startedAt.getTime()) ? undefined : startedAt, id: id as string };
}

function refFor(key: string, location: string): ConversationRef {
  const folder = key.replace(/\/$/, '').split('/').pop() ?? key;
  return { key, location, ...parseFolderName(folder) };
}

export function s3ConversationStore(s3: S3Client, bucket: string): ConversationStore {
  /** The next level of folder names under a prefix (`2026`, `11`…). */
  const subfolders = async (prefix: string): Promise<string[]> => {
    const names: string[] = [];
    for await (const page of paginateListObjectsV2(
      { client: s3 },
      { Bucket: bucket, Prefix: prefix, Delimiter: '/' },
    )) {
      for (const common of page.CommonPrefixes ?? []) {
        const name = common.Prefix?.slice(prefix.length).replace(/\/$/, '');
        if (name) names.push(name);
      }
    }
    return names;
  };
  return {
    where: `s3://${bucket}`,
    async listDay(day) {
      const refs: ConversationRef[] = [];
      const prefix = `${CONVERSATION_HISTORY_PREFIX}${day}/`;
      for await (const page of paginateListObjectsV2(
        { client: s3 },
        { Bucket: bucket, Prefix: prefix, Delimiter: '/' },
      )) {
        for (const common of page.CommonPrefixes ?? []) {
          if (common.Prefix) refs.push(refFor(common.Prefix, `s3://${bucket}/${common.Prefix}`));
        }
      }
      return refs;
    },
    async read(ref, file) {
      try {
        const object = await s3.send(
          new GetObjectCommand({ Bucket: bucket, Key: `${ref.key}${file}` }),
        );
        return (await object.Body?.transformToString('utf8')) ?? '';
      } catch (error) {
        if (awsErrorName(error) === 'NoSuchKey') return undefined;
        throw error;
      }
    },
    async listDays() {
      let days = [''];
      for (const part of DAY_PART) {
        const next: string[] = [];
        for (const day of days) {
          for (const name of await subfolders(`${CONVERSATION_HISTORY_PREFIX}${day}`)) {
            if (part.test(name)) next.push(`${day}${name}/`);
          }
        }
        days = next;
      }
      return newestFirst(days.map((day) => day.replace(/\/$/, '')));
    },
    async listDayFiles(day) {
      const prefix = `${CONVERSATION_HISTORY_PREFIX}${day}/`;
      const folders = new Map<string, string[]>();
      for await (const page of paginateListObjectsV2(
        { client: s3 },
        { Bucket: bucket, Prefix: prefix },
      )) {
        for (const object of page.Contents ?? []) {
          const rest = object.Key?.slice(prefix.length) ?? '';
          const slash = rest.indexOf('/');
          if (slash <= 0) continue;
          const folder = rest.slice(0, slash);
          const files = folders.get(folder) ?? [];
          files.push(rest.slice(slash + 1));
          folders.set(folder, files);
        }
      }
      return [...folders].map(([folder, files]) => {
        const key = `${prefix}${folder}/`;
        return { ref: refFor(key, `s3://${bucket}/${key}`), files };
      });
    },
  };
}

async function readdirNames(dir: string, directories: boolean): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => (directories ? e.isDirectory() : e.isFile())).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** `root` holds `conversation-history/` (or is that folder itself). */
export function localConversationStore(root: string): ConversationStore {
  const base =
    path.basename(root) === CONVERSATION_HISTORY_PREFIX.replace(/\/$/, '')
      ? path.dirname(root)
      : root;
  return {
    where: base,
    async listDay(day) {
      const dir = path.join(base, CONVERSATION_HISTORY_PREFIX, ...day.split('/'));
      let names: string[];
      try {
        const entries = await readdir(dir, { withFileTypes: true });
        names = entries.filter((e) => e.isDirectory()).map((e) => e.name);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      return names.map((name) => {
        const key = `${CONVERSATION_HISTORY_PREFIX}${day}/${name}/`;
        return refFor(key, path.join(base, key));
      });
    },
    async read(ref, file) {
      try {
        return await readFile(path.join(base, ref.key, file), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async listDays() {
      const history = path.join(base, CONVERSATION_HISTORY_PREFIX);
      let days = [''];
      for (const part of DAY_PART) {
        const next: string[] = [];
        for (const day of days) {
          for (const name of await readdirNames(path.join(history, day), true)) {
            if (part.test(name)) next.push(day ? `${day}/${name}` : name);
          }
        }
        days = next;
      }
      return newestFirst(days);
    },
    async listDayFiles(day) {
      const dir = path.join(base, CONVERSATION_HISTORY_PREFIX, ...day.split('/'));
      const names = await readdirNames(dir, true);
      return Promise.all(
        names.map(async (name) => {
          const key = `${CONVERSATION_HISTORY_PREFIX}${day}/${name}/`;
          const files = await readdirNames(path.join(dir, name), false);
          return { ref: refFor(key, path.join(base, key)), files };
        }),
      );
    },
  };
}

const isDirectory = (dir: string): Promise<boolean> =>
  stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );

/**
 * The local folder to read: `--dir` as given, else `.revbot`, where the local stack, `revbot ask`
 * and `revbot export` all write.
 */
export async function resolveLocalRoot(cwd: string, dir: string | undefined): Promise<string> {
  const history = CONVERSATION_HISTORY_PREFIX.replace(/\/$/, '');
  const candidates = dir ? [path.resolve(cwd, dir)] : [path.resolve(cwd, '.revbot')];
  for (const candidate of candidates) {
    if (path.basename(candidate) === history && (await isDirectory(candidate))) return candidate;
    if (await isDirectory(path.join(candidate, history))) return candidate;
  }
  throw new OpsError(
    `no ${history}/ folder in ${candidates.join(' or ')}: pass --dir, or read the deployed bucket without --local`,
  );
}

/** UTC days from `now` back to `now - sinceMs`, newest first, as `YYYY/MM/DD`. */
export function daysBack(now: number, sinceMs: number): string[] {
  const days: string[] = [];
  const first = new Date(now - sinceMs);
  const cursor = new Date(
    Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), first.getUTCDate()),
  );
  while (cursor.getTime() <= now) {
    const iso = cursor.toISOString();
    days.unshift(`${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}`);
    cursor.setUTCDate(cursor.getUTCDate() + 1);
  }
  return days;
}

/** Conversation folders started in the window, newest first; `visit` may stop the walk early. */
export async function walkConversations(
  store: ConversationStore,
  window: { now: number; sinceMs: number },
  visit: (refs: ConversationRef[]) => Promise<boolean | undefined> | boolean | undefined,
): Promise<void> {
  const oldest = window.now - window.sinceMs;
  for (const day of daysBack(window.now, window.sinceMs)) {
    const refs = (await store.listDay(day))
      .filter((ref) => !ref.startedAt || ref.startedAt.getTime() >= oldest)
      .sort(
        (a, b) =>
          (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0) ||
          b.key.localeCompare(a.key),
      );
    if (refs.length > 0 && (await visit(refs)) === true) return;
  }
}

/** Finds a conversation by id (as exported, or path-safe), folder name or key prefix. */
export async function findConversation(
  store: ConversationStore,
  wanted: string,
  window: { now: number; sinceMs: number },
): Promise<ConversationRef | undefined> {
  const asKey = wanted.replace(/^s3:\/\/[^/]+\//, '');
  if (asKey.startsWith(CONVERSATION_HISTORY_PREFIX)) {
    const key = asKey.endsWith('/') ? asKey : `${asKey}/`;
    return refFor(key, `${store.where}/${key}`);
  }
  const safe = safePathSegment(wanted);
  let found: ConversationRef | undefined;
  await walkConversations(store, window, (refs) => {
    found = refs.find((ref) => ref.id === safe || ref.key.endsWith(`/${wanted}/`));
    return found !== undefined;
  });
  return found;
}

export interface LoadedConversation {
  ref: ConversationRef;
  conversation: Conversation;
  metadata: ConversationMetadata | undefined;
}

/** Reads and validates a record against the monitoring package's schema. */
export async function loadConversation(
  store: ConversationStore,
  ref: ConversationRef,
  options: { withMetadata: boolean },
): Promise<LoadedConversation> {
  const [conversationText, metadataText] = await Promise.all([
    store.read(ref, CONVERSATION_FILE),
    options.withMetadata ? store.read(ref, METADATA_FILE) : Promise.resolve(undefined),
  ]);
  if (conversationText === undefined) {
    throw new OpsError(`no ${CONVERSATION_FILE} at ${ref.location}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(conversationText);
  } catch {
    throw new OpsError(`${ref.location}${CONVERSATION_FILE} is not JSON`);
  }
  const parsed = conversationSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new OpsError(
      `${ref.location}${CONVERSATION_FILE} does not match the record schema: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  let metadata: ConversationMetadata | undefined;
  if (metadataText !== undefined) {
    try {
      const meta = metadataSchema.safeParse(JSON.parse(metadataText));
      metadata = meta.success ? meta.data : undefined;
    } catch {
      metadata = undefined;
    }
  }
  return { ref, conversation: parsed.data, metadata };
}
