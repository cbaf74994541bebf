/**
 * `revbot conversations list|show|serve`: browse the exported conversation records in the
 * stage's conversation-history bucket (or a local folder with `--local`/`--dir`), render one as
 * a readable timeline of agents, hand-offs, tools with durations and the answer, or serve the
 * conversation viewer over them in the browser.
 */

import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { Conversation } from '@revbot/monitoring';
import type { Command, CommandIo } from '../command';
import { OpsError, UsageError } from '../errors';
import {
  COMMON_USAGE,
  parseAction,
  parseCommandArgs,
  parseCount,
  parseDuration,
} from '../ops/command-options';
import {
  type ConversationRef,
  type ConversationStore,
  findConversation,
  type LoadedConversation,
  loadConversation,
  localConversationStore,
  resolveLocalRoot,
  s3ConversationStore,
  walkConversations,
} from '../ops/conversation-store';
import { renderTimeline } from '../ops/conversation-timeline';
import { formatDuration, formatTable, formatUtc, oneLine, toJsonLine } from '../ops/format';
import { startProgress } from '../ops/progress';
import { listStackResources, stackName } from '../ops/stack-outputs';
import { type StageContext, withStage } from '../ops/stage-context';
import { startViewerServer } from '../viewer/viewer-server';

const OPTIONS = {
  since: { type: 'string' },
  user: { type: 'string' },
  channel: { type: 'string' },
  limit: { type: 'string' },
  local: { type: 'boolean', default: false },
  dir: { type: 'string' },
  bucket: { type: 'string' },
  full: { type: 'boolean', default: false },
  port: { type: 'string' },
  host: { type: 'string' },
} as const;

const VIEWER_PORT = 4400;

const CHANNEL_KINDS = new Set(['slack', 'webhook', 'replay']);

/** The monitoring stack's conversation-history bucket, found among its resources. */
async function conversationBucket(
  context: StageContext,
  cloudformation: CloudFormationClient,
): Promise<string> {
  const stack = await context.stack('monitoring');
  const resources = await listStackResources(cloudformation, stack.name);
  const bucket = resources.find(
    (r) =>
      r.ResourceType === 'AWS::S3::Bucket' &&
      r.LogicalResourceId?.startsWith('ConversationHistoryBucket') &&
      r.PhysicalResourceId,
  );
  if (!bucket?.PhysicalResourceId) {
    throw new OpsError(
      `no conversation-history bucket in ${stackName(context.stage, 'monitoring')}: redeploy it, or pass --bucket`,
    );
  }
  return bucket.PhysicalResourceId;
}

function matches(
  conversation: Conversation,
  filters: { user?: string; channel?: string },
): boolean {
  const { channel } = conversation;
  if (filters.user) {
    const user = channel.kind === 'slack' ? channel.user : undefined;
    if (user !== filters.user) return false;
  }
  if (filters.channel) {
    if (CHANNEL_KINDS.has(filters.channel)) return channel.kind === filters.channel;
    const id =
      channel.kind === 'slack'
        ? channel.channel
        : channel.kind === 'webhook'
          ? channel.source_system
          : undefined;
    if (id !== filters.channel) return false;
  }
  return true;
}

function channelCell(conversation: Conversation): string {
  const { channel } = conversation;
  if (channel.kind === 'slack') return `slack ${channel.channel}`;
  if (channel.kind === 'webhook') return `webhook ${channel.source_system}`;
  return 'replay';
}

function summary(loaded: LoadedConversation) {
  const { conversation, ref } = loaded;
  const { channel } = conversation;
  return {
    id: conversation.conversation_id,
    startedAt: conversation.timing.started_at ?? ref.startedAt?.toISOString() ?? null,
    location: ref.location,
    channel,
    user: channel.kind === 'slack' ? channel.user : null,
    status: conversation.status,
    durationMs: conversation.timing.duration_ms,
    totalTokens: conversation.usage.total_tokens,
    agents: [...new Set(conversation.agent_flow.map((run) => run.agent_name))],
    question: conversation.user_query,
  };
}

async function list(
  store: ConversationStore,
  io: CommandIo,
  options: {
    now: number;
    sinceMs: number;
    limit: number;
    user?: string;
    channel?: string;
    json: boolean;
  },
): Promise<number> {
  const found: LoadedConversation[] = [];
  const unreadable: { ref: ConversationRef; reason: string }[] = [];
  const progress = startProgress(io.stderr, `reading conversations in ${store.where}…`);
  try {
    await walkConversations(store, options, async (refs) => {
      // A few reads at a time, stopping as soon as enough matched.
      for (let i = 0; i < refs.length && found.length < options.limit; i += 8) {
        const batch = await Promise.all(
          refs.slice(i, i + 8).map((ref) =>
            loadConversation(store, ref, { withMetadata: false }).catch((error: unknown) => {
              unreadable.push({
                ref,
                reason: error instanceof Error ? error.message : String(error),
              });
              return undefined;
            }),
          ),
        );
        for (const loaded of batch) {
          if (loaded && matches(loaded.conversation, options) && found.length < options.limit)
            found.push(loaded);
        }
        progress.update(`reading conversations in ${store.where}… ${found.length} found`);
      }
      return found.length >= options.limit;
    });
  } finally {
    progress.stop();
  }
  if (options.json) {
    io.stdout.write(
      toJsonLine({
        source: store.where,
        conversations: found.map(summary),
        unreadable: unreadable.map((u) => ({ location: u.ref.location, reason: u.reason })),
      }),
    );
    return 0;
  }
  if (found.length === 0) {
    io.stdout.write(`no conversations in ${store.where} matching these filters in the window\n`);
  } else {
    const rows = [['STARTED (UTC)', 'ID', 'CHANNEL', 'USER', 'STATUS', 'TOOK']];
    for (const loaded of found) {
      const s = summary(loaded);
      rows.push([
        s.startedAt ? formatUtc(s.startedAt).replace(' UTC', '') : '?',
        s.id,
        channelCell(loaded.conversation),
        s.user ?? '-',
        s.status,
        formatDuration(s.durationMs),
      ]);
    }
    // An empty last column pads every real one; the question then takes what is left of the width.
    const table = formatTable(rows.map((row) => [...row, '']));
    // On a terminal the question is cut to the width; in a pipe it is kept whole.
    const terminal = io.stdout as { isTTY?: boolean; columns?: number };
    const width = terminal.isTTY && terminal.columns ? terminal.columns : Number.POSITIVE_INFINITY;
    table.forEach((row, i) => {
      const question =
        i === 0
          ? 'QUESTION'
          : oneLine(found[i - 1]?.conversation.user_query ?? '', Math.max(20, width - row.length));
      io.stdout.write(`${row}${question}\n`);
    });
  }
  for (const u of unreadable) io.stderr.write(`skipped ${u.ref.location}: ${u.reason}\n`);
  return 0;
}

async function show(
  store: ConversationStore,
  io: CommandIo,
  wanted: string,
  options: { now: number; sinceMs: number; full: boolean; json: boolean },
): Promise<number> {
  const progress = startProgress(io.stderr, `looking for ${wanted} in ${store.where}…`);
  let loaded: LoadedConversation;
  try {
    const ref = await findConversation(store, wanted, options);
    if (!ref) {
      throw new OpsError(
        `no conversation ${wanted} in ${store.where} in the last ${formatDuration(options.sinceMs)} (widen the search with --since)`,
      );
    }
    loaded = await loadConversation(store, ref, { withMetadata: true });
  } finally {
    progress.stop();
  }
  if (options.json) {
    io.stdout.write(
      toJsonLine({
        location: loaded.ref.location,
        conversation: loaded.conversation,
        metadata: loaded.metadata ?? null,
      }),
    );
    return 0;
  }
  const width = Number((io.stdout as { columns?: number }).columns) || 120;
  const lines = renderTimeline(loaded.conversation, loaded.metadata, { width, full: options.full });
  io.stdout.write(`${lines.join('\n')}\n`);
  io.stdout.write(`\n${loaded.ref.location}\n`);
  return 0;
}

/** Serves the viewer until SIGINT/SIGTERM. */
async function serve(
  store: ConversationStore,
  io: CommandIo,
  options: { port: number; host: string; refreshMs: number; recentDays: number },
): Promise<number> {
  const viewer = await startViewerServer({ store, ...options });
  io.stderr.write(`conversation viewer on ${viewer.url} reading ${store.where} (Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await viewer.close();
  return 0;
}

export const conversationsCommand: Command = {
  name: 'conversations',
  summary: 'browse exported conversations and show one as a timeline',
  usage: `usage: revbot conversations list [--since 7d] [--user U…] [--channel C…|slack|webhook] [--limit 20]
       revbot conversations show <id> [--since 30d] [--full]
       revbot conversations serve [--port ${VIEWER_PORT}] [--host 127.0.0.1]

Reads the records the processors export (conversation-history/YYYY/MM/DD/<ISO>_<id>/) from the
stage's conversation-history bucket, or with --local from .revbot/ (the local stack), or --dir.

list   the newest conversations first: time, id, channel, user, status, duration, question
show   one conversation as a timeline: each agent (indented under the agent that handed off
       to it), its reasoning, routing, tool calls with parameters, results and durations,
       knowledge-base lookups, guardrails and errors; then the answer, usage and quality.
       <id> is the conversation id, its folder name or its key (conversation-history/…/)
serve  the conversation viewer in the browser: the list with filters, each conversation's
       waterfall with SQL, rows and passages, and an overview with charts; read-only, it
       reads the records with your AWS credentials and binds to 127.0.0.1 unless --host

  --since 7d          how far back to look (list: 7d, show: 30d)
  --user U…           only this Slack user
  --channel C…        only this Slack channel id or webhook source system; or slack, webhook, replay
  --limit N           at most N conversations (default 20)
  --full              show reasoning, parameters and results in full
  --local             read .revbot/conversation-history/ (where pnpm dev and revbot export write)
  --dir DIR           read DIR/conversation-history/
  --bucket NAME       read this bucket instead of the stage's
  --port N            serve: the port (default ${VIEWER_PORT}; 0 picks a free one)
  --host HOST         serve: the address to bind (default 127.0.0.1)
${COMMON_USAGE}`,
  async run(args, io) {
    const { values, positionals, common } = parseCommandArgs(args, OPTIONS, io.env);
    const [first, ...rest] = positionals;
    const action = parseAction(first, ['list', 'show', 'serve']);
    if (action === 'show' && rest.length !== 1) throw new UsageError('show needs one <id>');
    if (action !== 'show' && rest.length > 0) throw new UsageError(`unexpected "${rest[0]}"`);
    if (action !== 'serve' && (values.port !== undefined || values.host !== undefined)) {
      throw new UsageError('--port and --host are for serve');
    }
    const port =
      values.port === undefined ? VIEWER_PORT : parseCount(values.port, '--port', 65_535, 0);
    const sinceMs = parseDuration(values.since ?? (action === 'list' ? '7d' : '30d'), '--since');
    const limit = values.limit === undefined ? 20 : parseCount(values.limit, '--limit', 1000);
    const local = values.local || values.dir !== undefined;
    if (local && values.bucket) throw new UsageError('use --bucket or --local/--dir, not both');

    const runWith = (store: ConversationStore, now: number) =>
      action === 'serve'
        ? serve(store, io, {
            port,
            host: values.host ?? '127.0.0.1',
            // A bucket is listed less often and only its newest days again: requests cost.
            refreshMs: local ? 2_000 : 30_000,
            recentDays: local ? Number.POSITIVE_INFINITY : 2,
          })
        : action === 'list'
          ? list(store, io, {
              now,
              sinceMs,
              limit,
              user: values.user,
              channel: values.channel,
              json: common.json,
            })
          : show(store, io, rest[0] as string, {
              now,
              sinceMs,
              full: values.full,
              json: common.json,
            });

    if (local) {
      const root = await resolveLocalRoot(io.cwd, values.dir);
      return runWith(localConversationStore(root), Date.now());
    }
    return withStage(common, io.env, async (context) => {
      const bucket =
        values.bucket ?? (await conversationBucket(context, context.clients.cloudformation));
      return runWith(s3ConversationStore(context.clients.s3, bucket), context.now());
    });
  },
};
