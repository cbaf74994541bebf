/**
 * The gong_retrieval action group: `list_calls` (a date range, newest first, with account and
 * participants), `get_call_transcript` (condensed to speaker turns) and `search_calls` (by
 * account, date range and/or a keyword such as a competitor, looking in Gong's brief, topics and
 * trackers first and in transcripts after).
 *
 * The schema the model sees is `agents/src/tools/gong-retrieval.ts`; its Lambda entry
 * point is `handler.ts` beside this file and its tests are in `lambdas/tests/tools/gong-retrieval/`.
 */

import {
  type ActionGroupTool,
  createActionGroupTool,
  defineToolFunction,
  ToolInputError,
  toolParam,
} from '@revbot/agents/action-group';
import type { Logger } from '@revbot/core';
import { z } from 'zod';
import { condenseTranscript } from './condense-transcript';
import type { GongClient, GongExtensiveCall, Paged } from './gong-client';

export const listCallsParameters = z.object({
  from_date: toolParam.isoDate().optional(),
  to_date: toolParam.isoDate().optional(),
  limit: toolParam.integer(1, 100).default(20),
});

export const getCallTranscriptParameters = z.object({
  call_id: toolParam.text({ maxLength: 32 }),
});

export const searchCallsParameters = z.object({
  account_name: toolParam.text({ maxLength: 200 }).optional(),
  from_date: toolParam.isoDate().optional(),
  to_date: toolParam.isoDate().optional(),
  keyword: toolParam.text({ maxLength: 100 }).optional(),
});

export interface GongRetrievalToolDeps {
  gong: Pick<GongClient, 'listCalls' | 'extensiveCalls' | 'transcripts'>;
  clock?: () => Date;
  logger?: Logger;
  /** Transcripts read at most by one keyword search (default 50). */
  maxTranscriptsSearched?: number;
  /** Gong pages (100 calls each) one list or search may read (default 20). */
  pageBudget?: number;
}

const DAY_MS = 86_400_000;
const MAX_SEARCH_RESULTS = 25;
const WINDOW_DAYS = 7;

/**
 * Gong has no "newest first" option, so a range is read in weekly windows from its end backwards
 * until `enough` holds or the page budget is spent; the newest calls are never the ones cut.
 */
async function scanNewestFirst<T>(
  range: { fromDateTime: string; toDateTime: string },
  pageBudget: number,
  fetchWindow: (
    window: { fromDateTime: string; toDateTime: string },
    maxPages: number,
  ) => Promise<Paged<T>>,
  enough: (items: T[]) => boolean,
): Promise<{ items: T[]; complete: boolean; searchedFrom: string }> {
  const items: T[] = [];
  const from = Date.parse(range.fromDateTime);
  let windowEnd = Date.parse(range.toDateTime);
  let budget = pageBudget;
  while (windowEnd > from && budget > 0) {
    const windowStart = Math.max(from, windowEnd - WINDOW_DAYS * DAY_MS);
    const page = await fetchWindow(
      { fromDateTime: iso(new Date(windowStart)), toDateTime: iso(new Date(windowEnd)) },
      budget,
    );
    budget -= page.pages;
    items.push(...page.items);
    if (page.incomplete)
      return { items, complete: false, searchedFrom: iso(new Date(windowStart)) };
    windowEnd = windowStart;
    if (enough(items)) break;
  }
  return { items, complete: windowEnd <= from, searchedFrom: iso(new Date(windowEnd)) };
}

export function createGongRetrievalTool(deps: GongRetrievalToolDeps): ActionGroupTool {
  const clock = deps.clock ?? (() => new Date());
  const pageBudget = deps.pageBudget ?? 20;
  const { gong } = deps;

  return createActionGroupTool({
    markUntrusted: true,
    name: 'gong_retrieval',
    logger: deps.logger,
    functions: [
      defineToolFunction({
        name: 'list_calls',
        parameters: listCallsParameters,
        async run({ from_date, to_date, limit }) {
          const range = dateRange(from_date, to_date, 30, clock());
          const scan = await scanNewestFirst(
            range,
            pageBudget,
            (window, maxPages) => gong.listCalls(window, { maxPages }),
            (calls) => calls.length >= limit,
          );
          const newest = scan.items
            .sort((a, b) => b.started.localeCompare(a.started))
            .slice(0, limit);
          const details =
            newest.length > 0
              ? await gong.extensiveCalls({ callIds: newest.map((c) => c.id) })
              : { items: [] };
          const byId = new Map(details.items.map((c) => [c.metaData.id, c]));
          const notes: string[] = [];
          if (scan.items.length > newest.length)
            notes.push(`More calls exist in the range; the newest ${newest.length} are shown.`);
          if (!scan.complete && scan.items.length < limit)
            notes.push(
              'The search budget ran out before the start of the range; narrow the dates to see older calls.',
            );
          return {
            from: range.fromDateTime,
            to: range.toDateTime,
            calls: newest.map((call) => {
              const detail = byId.get(call.id);
              return {
                call_id: call.id,
                title: call.title ?? '',
                started: call.started,
                duration_minutes: Math.round((call.duration ?? 0) / 60),
                account: detail ? accountOf(detail) : null,
                participants: detail ? detail.parties.map((p) => p.name).filter(Boolean) : [],
                url: call.url ?? null,
              };
            }),
            ...(notes.length > 0 ? { note: notes.join(' ') } : {}),
          };
        },
      }),
      defineToolFunction({
        name: 'get_call_transcript',
        parameters: getCallTranscriptParameters,
        async run({ call_id }) {
          if (!/^\d{1,20}$/.test(call_id)) {
            throw new ToolInputError(
              `call_id must be a Gong call id (digits only), got ${JSON.stringify(call_id)}.`,
            );
          }
          const [details, transcripts] = await Promise.all([
            gong.extensiveCalls({ callIds: [call_id] }),
            gong.transcripts([call_id]),
          ]);
          const call = details.items[0];
          const transcript = transcripts.find((t) => t.callId === call_id);
          if (!call && !transcript) {
            throw new ToolInputError(
              `No Gong call has id ${call_id}. Use list_calls or search_calls to find call ids.`,
            );
          }
          const condensed = transcript
            ? condenseTranscript(transcript, call?.parties ?? [])
            : { turns: [], totalTurns: 0, omittedTurns: 0 };
          return {
            call_id,
            title: call?.metaData.title ?? '',
            started: call?.metaData.started ?? null,
            duration_minutes: Math.round((call?.metaData.duration ?? 0) / 60),
            account: call ? accountOf(call) : null,
            participants: (call?.parties ?? []).map((p) => ({
              name: p.name,
              title: p.title,
              side: p.affiliation,
            })),
            brief: call?.content?.brief ?? null,
            turns: condensed.turns.map((t) => `${t.at} ${t.speaker} (${t.side}): ${t.text}`),
            total_turns: condensed.totalTurns,
            ...(condensed.omittedTurns > 0
              ? {
                  note: `${condensed.omittedTurns} turns from the middle of the call were left out to fit; the opening and closing turns are shown.`,
                }
              : {}),
            ...(transcript ? {} : { note: 'Gong has no transcript for this call yet.' }),
          };
        },
      }),
      defineToolFunction({
        name: 'search_calls',
        parameters: searchCallsParameters,
        async run({ account_name, from_date, to_date, keyword }) {
          if (!account_name && !keyword && !from_date && !to_date) {
            throw new ToolInputError(
              'search_calls needs at least one of account_name, keyword, from_date or to_date.',
            );
          }
          const range = dateRange(from_date, to_date, 90, clock());
          const inAccount = (call: GongExtensiveCall) =>
            !account_name || matchesAccount(call, account_name);
          const scan = await scanNewestFirst(
            range,
            pageBudget,
            (window, maxPages) => gong.extensiveCalls(window, { maxPages }),
            // A keyword can hide anywhere in the range: read it all (within budget). Without one,
            // the newest matching calls are enough.
            (calls) => !keyword && calls.filter(inAccount).length >= MAX_SEARCH_RESULTS,
          );
          let candidates = scan.items
            .filter(inAccount)
            .sort((a, b) => b.metaData.started.localeCompare(a.metaData.started));

          const matches = new Map<string, { matched_in: string; snippet: string | null }>();
          let transcriptsSearched = 0;
          if (keyword) {
            // Read the newest candidates' transcripts for a quotable snippet; beyond that budget,
            // fall back to what Gong extracted (title, trackers, brief, topics, key points).
            const toRead = candidates.slice(0, deps.maxTranscriptsSearched ?? 50);
            const transcripts =
              toRead.length > 0 ? await gong.transcripts(toRead.map((c) => c.metaData.id)) : [];
            transcriptsSearched = transcripts.length;
            const byCall = new Map(transcripts.map((t) => [t.callId, t]));
            const k = keyword.toLowerCase();
            for (const call of candidates) {
              const sentence = byCall
                .get(call.metaData.id)
                ?.transcript.flatMap((m) => m.sentences)
                .find((s) => s.text.toLowerCase().includes(k));
              const match = sentence
                ? { matched_in: 'transcript', snippet: sentence.text.slice(0, 240) }
                : metadataMatch(call, keyword);
              if (match) matches.set(call.metaData.id, match);
            }
            candidates = candidates.filter((c) => matches.has(c.metaData.id));
          }

          const shown = candidates.slice(0, MAX_SEARCH_RESULTS);
          const notes: string[] = [];
          if (candidates.length > shown.length)
            notes.push(`${candidates.length} calls matched; the newest ${shown.length} are shown.`);
          if (!scan.complete) {
            notes.push(
              `Searched back to ${scan.searchedFrom}; narrow the dates to search older calls.`,
            );
          }
          return {
            criteria: {
              account_name: account_name ?? null,
              keyword: keyword ?? null,
              from: range.fromDateTime,
              to: range.toDateTime,
            },
            calls_searched: scan.items.length,
            transcripts_searched: transcriptsSearched,
            calls: shown.map((call) => ({
              call_id: call.metaData.id,
              title: call.metaData.title ?? '',
              started: call.metaData.started,
              account: accountOf(call),
              participants: call.parties.map((p) => p.name).filter(Boolean),
              competitors: trackerPhrases(call),
              brief: call.content?.brief ?? null,
              ...(matches.get(call.metaData.id) ?? {}),
            })),
            ...(notes.length > 0 ? { note: notes.join(' ') } : {}),
          };
        },
      }),
    ],
  });
}

/** Whole-day ISO ranges; `to` defaults to now and `from` to `defaultDays` before it. */
export function dateRange(
  from: string | undefined,
  to: string | undefined,
  defaultDays: number,
  now: Date,
) {
  const toDate = to ? endOfDay(to) : now;
  const fromDate = from ? startOfDay(from) : new Date(toDate.getTime() - defaultDays * DAY_MS);
  if (fromDate > toDate)
    throw new ToolInputError(`from_date (${from}) is after to_date (${to ?? 'now'}).`);
  return { fromDateTime: iso(fromDate), toDateTime: iso(toDate) };
}

const startOfDay = (value: string) => new Date(value.length === 10 ? `${value}T00:00:00Z` : value);
const endOfDay = (value: string) => new Date(value.length === 10 ? `${value}T23:59:59Z` : value);
const iso = (date: Date) => `${date.toISOString().slice(0, 19)}Z`;

/** The Salesforce account name Gong matched the call to. */
function accountOf(call: GongExtensiveCall): string | null {
  for (const context of call.context) {
    const account = context.objects.find((o) => o.objectType === 'Account');
    const name = account?.fields.find((f) => f.name === 'Name')?.value;
    if (typeof name === 'string') return name;
  }
  return null;
}

function matchesAccount(call: GongExtensiveCall, accountName: string): boolean {
  const wanted = accountName.toLowerCase();
  const account = accountOf(call);
  if (account) return account.toLowerCase().includes(wanted);
  return (call.metaData.title ?? '').toLowerCase().includes(wanted);
}

function trackerPhrases(call: GongExtensiveCall): string[] {
  return (call.content?.trackers ?? []).flatMap((t) =>
    (t.phrases ?? []).filter((p) => (p.count ?? 1) > 0).map((p) => p.phrase),
  );
}

/** Where the keyword appears in what Gong already extracted, if anywhere. */
function metadataMatch(
  call: GongExtensiveCall,
  keyword: string,
): { matched_in: string; snippet: string | null } | undefined {
  const k = keyword.toLowerCase();
  const has = (text: string | null | undefined) => Boolean(text?.toLowerCase().includes(k));
  if (has(call.metaData.title))
    return { matched_in: 'title', snippet: call.metaData.title ?? null };
  if (trackerPhrases(call).some(has) || (call.content?.trackers ?? []).some((t) => has(t.name))) {
    return { matched_in: 'trackers', snippet: null };
  }
  if (has(call.content?.brief))
    return { matched_in: 'brief', snippet: call.content?.brief ?? null };
  if ((call.content?.topics ?? []).some((t) => has(t.name)))
    return { matched_in: 'topics', snippet: null };
  const point = (call.content?.keyPoints ?? []).find((p) => has(p.text));
  if (point) return { matched_in: 'key points', snippet: point.text };
  return undefined;
}
