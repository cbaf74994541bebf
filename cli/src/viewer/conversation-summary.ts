/**
 * What the list, its filters and the overview need of one conversation, taken from its
 * conversation.json, metadata.json and feedback files once, so thousands fit in memory and a
 * page never re-reads a record to filter or chart.
 */
import {
  type ConversationStatus,
  channelSchema,
  conversationStatusSchema,
} from '@revbot/monitoring';
import { z } from 'zod';

const parameters = z.array(z.object({ value: z.string().nullable() }));

/**
 * The part of conversation.json the index reads. Validating only these fields keeps the first
 * build of thousands of records quick; the conversation page still reads a record in full.
 */
export const indexedConversationSchema = z.object({
  conversation_id: z.string().min(1),
  channel: channelSchema,
  user_query: z.string().nullable(),
  status: conversationStatusSchema,
  final_response: z.object({ text: z.string().nullable() }),
  timing: z.object({ started_at: z.string().nullable(), duration_ms: z.number().nullable() }),
  usage: z.object({ total_tokens: z.number(), estimated_cost_usd: z.number().nullable() }),
  agent_flow: z.array(
    z.object({
      agent_name: z.string(),
      tool_calls: z.array(
        z.object({ parameters, request_body: z.object({ properties: parameters }).nullable() }),
      ),
    }),
  ),
  errors: z.array(z.unknown()),
});
export type IndexedConversation = z.infer<typeof indexedConversationSchema>;

/** The part of metadata.json the index reads: the quality score. */
export const indexedMetadataSchema = z.object({
  quality: z.object({ score: z.number().min(0).max(1) }),
});
export type IndexedMetadata = z.infer<typeof indexedMetadataSchema>;

export interface FeedbackCounts {
  positive: number;
  negative: number;
}

export interface ConversationSummary {
  /** `conversation-history/YYYY/MM/DD/<folder>/` */
  key: string;
  /** `YYYY/MM/DD/<folder>`: the conversation's address under the viewer. */
  path: string;
  id: string;
  startedAt: number;
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  channelKind: IndexedConversation['channel']['kind'];
  /** Slack channel id, webhook source system or replayed file. */
  channel: string;
  user: string | null;
  agents: string[];
  status: ConversationStatus;
  durationMs: number | null;
  totalTokens: number;
  costUsd: number | null;
  toolCalls: number;
  errors: number;
  /** metadata.json's quality score, 0–1; null without metadata. */
  quality: number | null;
  feedback: FeedbackCounts;
  question: string;
  /** Normalized SQL the tools ran (literals replaced), once per statement. */
  sql: string[];
  /** Lower-cased text the search box looks through. */
  searchText: string;
}

export const feedbackFileSchema = z.object({ rating: z.enum(['positive', 'negative']) });

/** A conversation that did not end with an answer. */
export const isFailure = (status: ConversationStatus): boolean =>
  status === 'failed' || status === 'incomplete';

/** SQL with its literals replaced, so the same query asked of two accounts counts as one. */
export function sqlPattern(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, '?')
    .replace(/\b\d+(?:\.\d+)?\b/g, '?')
    .replace(/\(\s*\?(?:\s*,\s*\?)+\s*\)/g, '(?)')
    .replace(/\s+/g, ' ')
    .trim();
}

const SQL_START = /^\s*(?:with|select)\b/i;

/** The SQL statements a conversation's tool calls sent. */
export function sqlStatements(conversation: IndexedConversation): string[] {
  const statements: string[] = [];
  for (const run of conversation.agent_flow) {
    for (const call of run.tool_calls) {
      const parameters = [...call.parameters, ...(call.request_body?.properties ?? [])];
      for (const parameter of parameters) {
        if (parameter.value && SQL_START.test(parameter.value)) statements.push(parameter.value);
      }
    }
  }
  return statements;
}

export function channelOf(conversation: IndexedConversation): {
  channel: string;
  user: string | null;
} {
  const { channel } = conversation;
  if (channel.kind === 'slack') return { channel: channel.channel, user: channel.user };
  if (channel.kind === 'webhook') return { channel: channel.source_system, user: null };
  return { channel: channel.source, user: null };
}

export function summarize(input: {
  key: string;
  folderStartedAt: Date | undefined;
  conversation: IndexedConversation;
  metadata: IndexedMetadata | undefined;
  feedback: FeedbackCounts;
}): ConversationSummary {
  const { conversation, metadata } = input;
  const started =
    Date.parse(conversation.timing.started_at ?? '') || input.folderStartedAt?.getTime() || 0;
  const { channel, user } = channelOf(conversation);
  const agents = [...new Set(conversation.agent_flow.map((run) => run.agent_name))];
  const question = conversation.user_query ?? '';
  return {
    key: input.key,
    path: input.key.replace(/^conversation-history\//, '').replace(/\/$/, ''),
    id: conversation.conversation_id,
    startedAt: started,
    day: new Date(started).toISOString().slice(0, 10),
    channelKind: conversation.channel.kind,
    channel,
    user,
    agents,
    status: conversation.status,
    durationMs: conversation.timing.duration_ms,
    totalTokens: conversation.usage.total_tokens,
    costUsd: conversation.usage.estimated_cost_usd,
    toolCalls: conversation.agent_flow.reduce((n, run) => n + run.tool_calls.length, 0),
    errors: conversation.errors.length,
    quality: metadata?.quality.score ?? null,
    feedback: input.feedback,
    question,
    sql: [...new Set(sqlStatements(conversation).map(sqlPattern))],
    searchText: [
      question,
      conversation.final_response.text ?? '',
      conversation.conversation_id,
      channel,
      user ?? '',
      agents.join(' '),
    ]
      .join('\n')
      .toLowerCase(),
  };
}
