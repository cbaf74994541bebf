/**
 * Every conversation of a store as an in-memory list of summaries, newest first. Built once by
 * walking the day folders; afterwards a request older than `refreshMs` triggers a refresh in
 * the background (the request is served from the index as it is), which lists the days again
 * and re-reads only folders that are new or whose files changed (a new feedback click).
 * On S3 only the newest days are re-listed, so a refresh costs a few requests, not one per day.
 */
import { CONVERSATION_FILE, METADATA_FILE } from '@revbot/monitoring';
import { OpsError } from '../errors';
import type { ConversationFolder, ConversationStore } from '../ops/conversation-store';
import { type Filters, matchesFilters } from './conversation-filters';
import {
  type ConversationSummary,
  feedbackFileSchema,
  type IndexedConversation,
  type IndexedMetadata,
  indexedConversationSchema,
  indexedMetadataSchema,
  summarize,
} from './conversation-summary';

export interface ConversationIndexOptions {
  /** How old the index may get before a request refreshes it. @default 2000 */
  refreshMs?: number;
  /** Days re-listed on each refresh besides new ones. @default 2 */
  recentDays?: number;
  /** Folders read at once. @default 16 */
  concurrency?: number;
  now?: () => number;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pages: number;
}

interface Entry {
  summary: ConversationSummary;
  signature: string;
}

const signatureOf = (folder: ConversationFolder) => [...folder.files].sort().join('\n');

export class ConversationIndex {
  private readonly entries = new Map<string, Entry>();
  private readonly knownDays = new Set<string>();
  private sorted: ConversationSummary[] = [];
  private refreshedAt = Number.NEGATIVE_INFINITY;
  private pending: Promise<void> | undefined;
  /** Folders that could not be read, with why (shown on the overview). */
  readonly unreadable = new Map<string, string>();

  constructor(
    readonly store: ConversationStore,
    private readonly options: ConversationIndexOptions = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Resolves once the index has been built; later calls start a background refresh when stale. */
  async ready(): Promise<void> {
    if (this.refreshedAt === Number.NEGATIVE_INFINITY) return this.refresh();
    if (this.now() - this.refreshedAt >= (this.options.refreshMs ?? 2000)) {
      void this.refresh().catch(() => undefined);
    }
  }

  /** Lists the store again and reads what is new or changed; concurrent calls share one pass. */
  refresh(): Promise<void> {
    this.pending ??= this.scan().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async scan(): Promise<void> {
    const days = await this.store.listDays();
    const recent = new Set(days.slice(0, this.options.recentDays ?? 2));
    const toList = days.filter((day) => !this.knownDays.has(day) || recent.has(day));
    const changed: ConversationFolder[] = [];
    for (const day of toList) {
      for (const folder of await this.store.listDayFiles(day)) {
        if (!folder.files.includes(CONVERSATION_FILE)) continue; // still being written
        if (this.entries.get(folder.ref.key)?.signature !== signatureOf(folder)) {
          changed.push(folder);
        }
      }
      this.knownDays.add(day);
    }
    const concurrency = this.options.concurrency ?? 16;
    let next = 0;
    const worker = async () => {
      while (next < changed.length) {
        const folder = changed[next++] as ConversationFolder;
        await this.read(folder);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, changed.length) }, worker));
    if (changed.length > 0 || this.sorted.length !== this.entries.size) {
      this.sorted = [...this.entries.values()]
        .map((entry) => entry.summary)
        .sort((a, b) => b.startedAt - a.startedAt || b.key.localeCompare(a.key));
    }
    this.refreshedAt = this.now();
  }

  private async read(folder: ConversationFolder): Promise<void> {
    const { ref } = folder;
    try {
      const [conversation, metadata, feedback] = await Promise.all([
        this.readConversation(folder),
        this.readMetadata(folder),
        this.readFeedback(folder),
      ]);
      this.entries.set(ref.key, {
        signature: signatureOf(folder),
        summary: summarize({
          key: ref.key,
          folderStartedAt: ref.startedAt,
          conversation,
          metadata,
          feedback,
        }),
      });
      this.unreadable.delete(ref.key);
    } catch (error) {
      this.unreadable.set(ref.key, error instanceof Error ? error.message : String(error));
    }
  }

  private async readConversation(folder: ConversationFolder): Promise<IndexedConversation> {
    const text = await this.store.read(folder.ref, CONVERSATION_FILE);
    if (text === undefined) throw new OpsError(`no ${CONVERSATION_FILE} at ${folder.ref.location}`);
    const parsed = indexedConversationSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new OpsError(
        `${folder.ref.location}${CONVERSATION_FILE} does not match the record schema: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
      );
    }
    return parsed.data;
  }

  private async readMetadata(folder: ConversationFolder): Promise<IndexedMetadata | undefined> {
    if (!folder.files.includes(METADATA_FILE)) return undefined;
    const text = await this.store.read(folder.ref, METADATA_FILE);
    if (text === undefined) return undefined;
    try {
      const parsed = indexedMetadataSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }

  private async readFeedback(folder: ConversationFolder) {
    const counts = { positive: 0, negative: 0 };
    const files = folder.files.filter((file) => /^feedback-.*\.json$/.test(file));
    for (const text of await Promise.all(files.map((file) => this.store.read(folder.ref, file)))) {
      try {
        const parsed = feedbackFileSchema.safeParse(JSON.parse(text ?? ''));
        if (parsed.success) counts[parsed.data.rating] += 1;
      } catch {
        // An unreadable click counts for nothing.
      }
    }
    return counts;
  }

  /** Every summary, newest first. */
  all(): readonly ConversationSummary[] {
    return this.sorted;
  }

  get size(): number {
    return this.sorted.length;
  }

  /** A summary by its viewer path (`YYYY/MM/DD/<folder>`). */
  find(path: string): ConversationSummary | undefined {
    return this.entries.get(`conversation-history/${path}/`)?.summary;
  }

  query(filters: Filters, perPage = 50): Page<ConversationSummary> {
    const matching = this.sorted.filter((summary) => matchesFilters(summary, filters));
    const pages = Math.max(1, Math.ceil(matching.length / perPage));
    const page = Math.min(filters.page, pages);
    return {
      items: matching.slice((page - 1) * perPage, page * perPage),
      total: matching.length,
      page,
      pages,
    };
  }

  /** The values the filter menus offer, most frequent first. */
  facets(): { channels: string[]; users: string[]; agents: string[] } {
    const count = (values: Iterable<string>) => {
      const counts = new Map<string, number>();
      for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
      return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([v]) => v);
    };
    return {
      channels: count(this.sorted.map((s) => s.channel)),
      users: count(this.sorted.flatMap((s) => (s.user ? [s.user] : []))),
      agents: count(this.sorted.flatMap((s) => s.agents)),
    };
  }
}
