/**
 * The offline Data agent: picks the SQL pattern of `knowledge_base/sql_patterns/` that answers
 * the question (pipeline, bookings, ARR, churn, expansion, competitor mentions, calls, accounts),
 * fills in its parameters from the question, runs it with `execute_query`, and presents the rows
 * the way the Data agent's instructions describe: the answer in one sentence with the figure,
 * unit and period, a compact table with totals, one or two observations, the period and filters.
 */

import type { SqlPattern } from '../knowledge-base/sql-patterns';
import { COMPETITORS } from '../knowledge-base/warehouse-schema';
import type { OfflineContext, OfflineStep, PlannedCall, Row } from './conversation';
import { matchPattern } from './pattern-matcher';
import { documentedWording } from './revenue-vocabulary';
import {
  count,
  longDate,
  money,
  percent,
  properNames,
  quarterIn,
  quarterOf,
  quote,
  shiftQuarter,
  subjectName,
  table,
} from './text';

type Query = {
  step: string;
  pattern: string;
  values: Record<string, string | number | undefined>;
  maxRows?: number;
};

interface DataIntent {
  /** What the question asks, for the rationale. */
  what: string;
  queries: Query[];
  compose(results: Record<string, Row[]>, context: OfflineContext): string;
}

/** Which pattern answers the question, or undefined when none of them does. */
export function dataIntent(
  task: string,
  today: string,
  patterns?: readonly SqlPattern[],
): DataIntent | undefined {
  const text = documentedWording(task);
  const quarter = quarterIn(task, today) ?? quarterOf(today);
  const pipelineQuarter = quarter;
  const account = accountIn(task);
  const owner = ownerIn(task);
  const competitorWords = /competitor|snowflake|databricks|bigquery|redshift|clickhouse|mention/;

  if (/\bcompetitive win rate\b|\bagainst (each|our|the) competitors?\b/.test(text)) {
    const to = quarterOf(today);
    const from = shiftQuarter(to, -4);
    const rival = COMPETITORS.find((c) => text.includes(c.toLowerCase().split(' ').at(-1)!));
    return {
      what: `win/loss against competitors from ${from} to ${to}`,
      queries: [
        {
          step: 'win-loss',
          pattern: 'competitive-win-loss',
          values: { from_quarter: from, to_quarter: to },
        },
      ],
      compose: (r) => competitiveWinLoss(from, to, r['win-loss'] ?? [], rival),
    };
  }
  if (/\b(champion|economic buyer|contacts|who is the|who are the)\b/.test(text) && account) {
    return {
      what: `the contacts at ${account}`,
      queries: [
        {
          step: 'contacts',
          pattern: 'deal-contacts',
          values: { account_name: account },
          maxRows: 20,
        },
      ],
      compose: (r) => dealContacts(account, r.contacts ?? [], text),
    };
  }
  if (isDealList(text, owner)) {
    const named = quarterIn(task, today);
    const inQuarter = named ?? (/\b(clos|quarter)/.test(text) ? quarter : undefined);
    const said = STAGE_IN.exec(text)?.[1];
    const stage = said ? (STAGES[said] ?? 'Negotiate') : undefined;
    return {
      what: `open deals${stage ? ` in ${stage}` : ''}${inQuarter ? ` closing in ${inQuarter}` : ''}${owner ? ` owned by ${owner}` : ''}`,
      queries: [
        {
          step: 'deals',
          pattern: 'open-deals',
          values: { quarter: inQuarter ?? '', owner_name: owner ?? '', stage: stage ?? '' },
          maxRows: 40,
        },
      ],
      compose: (r, c) => openDeals(r.deals ?? [], inQuarter, owner, c, stage),
    };
  }

  if (competitorWords.test(text) && account) {
    return {
      what: `competitor mentions in calls with ${account}`,
      queries: [
        {
          step: 'mentions',
          pattern: 'competitor-mentions-in-calls',
          values: { account_name: account },
          maxRows: 40,
        },
      ],
      compose: (r, c) => competitorMentions(account, r.mentions ?? [], c),
    };
  }
  if (competitorWords.test(text)) {
    const days = Number(/(\d+)\s*days/.exec(text)?.[1] ?? 90);
    return {
      what: `competitor mentions over the last ${days} days`,
      queries: [{ step: 'trend', pattern: 'competitor-mention-trend', values: { days } }],
      compose: (r) =>
        competitorTrend(
          days,
          r.trend ?? [],
          COMPETITORS.find((c) => text.includes(c.toLowerCase().split(' ').at(-1)!)),
        ),
    };
  }
  if (/churn/.test(text)) {
    const minArr = amountIn(task);
    return {
      what: 'customers with churn signals',
      queries: [{ step: 'churn', pattern: 'churn-risk-signals', values: { min_arr: minArr } }],
      compose: (r, c) =>
        account ? accountChurn(account, r.churn ?? [], c) : churnRisks(r.churn ?? [], minArr, c),
    };
  }
  if (
    /\bwhen did\b.*\bexpand|\barr\b.*\b(changed|trend|history)|\b(grown|grew)\b/.test(text) &&
    account
  ) {
    return {
      what: `ARR history of ${account}`,
      queries: [
        { step: 'arr-trend', pattern: 'account-arr-trend', values: { account_name: account } },
      ],
      compose: (r) => arrTrend(account, r['arr-trend'] ?? []),
    };
  }
  if (/expansion|upsell|seat limit|expand/.test(text) && !account) {
    return {
      what: 'expansion candidates',
      queries: [{ step: 'expansion', pattern: 'expansion-candidates', values: {} }],
      compose: (r) => expansionCandidates(r.expansion ?? []),
    };
  }
  if (/\b(calls?|conversations?|meetings?)\b/.test(text) && account) {
    return {
      what: `recent calls with ${account}`,
      queries: [{ step: 'calls', pattern: 'calls-for-account', values: { account_name: account } }],
      compose: (r) => accountCalls(account, r.calls ?? []),
    };
  }
  if (
    (/pipeline|forecast|commit\b/.test(text) &&
      /\b(rep|reps|owner|owners|each|per person|by person)\b/.test(text)) ||
    /\b(by|per) (owner|rep)\b|\beach (rep|owner|ae)\b/.test(text) ||
    (owner && /\bbookings\b/.test(text))
  ) {
    return {
      what: `pipeline by owner for ${quarter}`,
      queries: [{ step: 'owners', pattern: 'pipeline-by-owner', values: { quarter } }],
      compose: (r) => pipelineByOwner(quarter, r.owners ?? [], owner),
    };
  }
  if (/pipeline|forecast/.test(text)) {
    // "Q1" without a year in a pipeline question is the next Q1, not the one already closed.
    const spoken = /\bq[1-4]\b(?!\s*(of\s+)?(fy\s*)?20\d\d)/.test(text);
    const quarter =
      spoken && pipelineQuarter < quarterOf(today)
        ? shiftQuarter(pipelineQuarter, 4)
        : pipelineQuarter;
    return {
      what: `open pipeline for ${quarter}`,
      queries: [
        { step: 'segments', pattern: 'pipeline-by-quarter-and-segment', values: { quarter } },
        { step: 'stages', pattern: 'pipeline-by-stage', values: { quarter } },
      ],
      compose: (r, c) => pipeline(quarter, r.segments ?? [], r.stages ?? [], c),
    };
  }
  if (/booking|win rate/.test(text)) {
    const named = quarterIn(task, today);
    const to = named ?? quarterOf(today);
    // One named quarter ("last quarter", "2026-Q3") unless a trend is asked for.
    const single = named && !/quarters|trend|over the|changed|this year|history/.test(text);
    const from = single ? to : shiftQuarter(to, -3);
    return {
      what: `bookings from ${from} to ${to}`,
      queries: [
        {
          step: 'bookings',
          pattern: 'bookings-by-quarter',
          values: { from_quarter: from, to_quarter: to },
        },
      ],
      compose: (r, c) => bookings(from, to, r.bookings ?? [], c),
    };
  }
  if (/\barr\b|revenue|recurring/.test(text) && account) {
    return {
      what: `ARR history of ${account}`,
      queries: [
        { step: 'arr-trend', pattern: 'account-arr-trend', values: { account_name: account } },
      ],
      compose: (r) => arrTrend(account, r['arr-trend'] ?? []),
    };
  }
  if (/\barr\b|revenue|recurring/.test(text)) {
    const to = quarterOf(today);
    const from = shiftQuarter(to, -3);
    return {
      what: 'current ARR by segment and bookings over the last four quarters',
      queries: [
        { step: 'arr', pattern: 'arr-by-segment', values: {} },
        {
          step: 'bookings',
          pattern: 'bookings-by-quarter',
          values: { from_quarter: from, to_quarter: to },
        },
      ],
      compose: (r, c) =>
        `${arrBySegment(r.arr ?? [])}\n\n${bookings(from, to, r.bookings ?? [], c)}`,
    };
  }
  if (/stalled|gone quiet|no activity/.test(text)) {
    return {
      what: 'stalled deals',
      queries: [{ step: 'stalled', pattern: 'stalled-deals', values: { min_arr: amountIn(task) } }],
      compose: (r) => genericTable('Open deals without activity for 21+ days', r.stalled ?? []),
    };
  }
  if (/\bleads?\b/.test(text)) {
    return {
      what: 'the most engaged open leads',
      queries: [{ step: 'leads', pattern: 'top-engaged-leads', values: {} }],
      compose: (r) =>
        genericTable('Open leads with the most engagement in the last 30 days', r.leads ?? []),
    };
  }
  if (
    account &&
    /tell me about|overview|what do we know|who is|health|who owns|owner of|happy|satisfied/.test(
      text,
    )
  ) {
    return {
      what: `an overview of ${account}`,
      queries: [
        { step: 'account', pattern: 'account-overview', values: { account_name: account } },
      ],
      compose: (r) => accountOverview(account, r.account ?? []),
    };
  }
  return patterns ? matchedIntent(task, today, patterns) : undefined;
}

/** No rule named a pattern: the one the question's words match best, when it needs no name. */
function matchedIntent(
  task: string,
  today: string,
  patterns: readonly SqlPattern[],
): DataIntent | undefined {
  const match = matchPattern(task, patterns);
  if (!match) return undefined;
  const reworded: Record<string, string> = {
    'churn-risk-signals': 'churn',
    'expansion-candidates': 'expansion',
    'arr-by-segment': 'arr',
    'pipeline-by-quarter-and-segment': 'pipeline',
    'pipeline-by-stage': 'pipeline',
    'pipeline-by-owner': 'pipeline by owner',
    'bookings-by-quarter': 'bookings',
    'competitor-mention-trend': 'competitor mentions',
    'competitive-win-loss': 'competitive win rate',
    'stalled-deals': 'stalled',
    'top-engaged-leads': 'leads',
  };
  const words = reworded[match.id];
  return words ? dataIntent(`${words} ${task}`, today) : undefined;
}

const STAGE_IN = /\b(?:in|at)\s+(prospecting|discovery|solution validation|proposal|negotiat\w*)\b/;
const STAGES: Record<string, string> = {
  prospecting: 'Prospecting',
  discovery: 'Discovery',
  'solution validation': 'Solution Validation',
  proposal: 'Proposal',
};

/** A list of deals (closing in a quarter, or one owner's), not one deal's status. */
function isDealList(text: string, owner: string | undefined): boolean {
  if (
    owner &&
    /\b(pipeline|working on|book of business|portfolio)\b/.test(text) &&
    !/\bcommit\b/.test(text)
  )
    return true;
  if (!/\bdeals\b|\bpipeline deal/.test(text)) return false;
  if (STAGE_IN.test(text)) return true;
  if (/\b(biggest|largest|top|main)\b.*\bdeals\b/.test(text)) return true;
  return (
    /\b(clos\w*|clos(e|ing) (this|next|in)|expected to close|land|slated)\b/.test(text) ||
    /\bbelong|\bowned by\b|\bowns\b|\bopen deals\b|'s deals\b/.test(text) ||
    Boolean(owner)
  );
}

/** The deal owner a question names: a first and last name, not a company's. */
function ownerIn(task: string): string | undefined {
  const names = properNames(task).filter((n) => !COMPETITORS.includes(n));
  const person = names.find(
    (n) =>
      /^[A-Z][a-z]+\s+[A-Z][a-z'-]+$/.test(n) &&
      !/\b(Corp|Inc|Software|Games|Telecom|Retail|Foods|Pharma|Logistics|Analytics|Networks|Systems|Motors|Health|Insurance|Manufacturing|Travel)\b/.test(
        n,
      ),
  );
  if (person) return person;
  return /\b([A-Z][a-z]+)'s\s+(open\s+|pipeline\s+)?deals\b/.exec(task)?.[1];
}

export function dataAnswer(context: OfflineContext): OfflineStep {
  const intent = dataIntent(context.task, context.today, context.patterns);
  if (!intent) {
    return {
      kind: 'answer',
      text: 'This data question is outside what the offline model can answer: it only runs the tested SQL patterns (pipeline, bookings, ARR, churn, expansion, competitor mentions, calls, accounts, leads). A configured model writes SQL for anything else.',
    };
  }
  const pending: PlannedCall[] = intent.queries
    .filter((q) => !context.ran(q.step))
    .map((q) => context.patternCall(q.step, q.pattern, q.values, q.maxRows ?? 100));
  if (pending.length > 0) {
    return {
      kind: 'call',
      rationale: `I will query ${intent.what} with the tested SQL pattern${pending.length > 1 ? 's' : ''}.`,
      calls: pending,
    };
  }
  const failed = intent.queries.map((q) => context.resultOf(q.step)).find((o) => o && !o.ok);
  if (failed)
    return {
      kind: 'answer',
      text: `The warehouse query for ${intent.what} failed: ${quote(failed.content, 300)}`,
    };
  const results = Object.fromEntries(intent.queries.map((q) => [q.step, context.rowsOf(q.step)]));
  return { kind: 'answer', text: intent.compose(results, context) };
}

/** The account a data question is about (never a competitor's name). */
function accountIn(task: string): string | undefined {
  const isCompetitor = (name: string) =>
    COMPETITORS.some(
      (c) =>
        c.toLowerCase().includes(name.toLowerCase()) ||
        name.toLowerCase().includes(c.toLowerCase()),
    );
  const subject = subjectName(task);
  if (subject && !isCompetitor(subject)) return subject;
  return properNames(task).find((n) => !isCompetitor(n));
}

/** `$100K`, `100k`, `$1.5M` in a question → USD; 0 when none. */
function amountIn(task: string): number {
  const match = /\$?\s?(\d+(?:\.\d+)?)\s?([km])\b/i.exec(task);
  if (!match) return 0;
  return Number(match[1]) * (match[2]!.toLowerCase() === 'm' ? 1_000_000 : 1_000);
}

const sum = (rows: Row[], column: string) =>
  rows.reduce((total, row) => total + Number(row[column] ?? 0), 0);
const asOf = (context: OfflineContext) => `as of ${longDate(context.today)}`;

function pipeline(
  quarter: string,
  segments: Row[],
  stages: Row[],
  context: OfflineContext,
): string {
  if (segments.length === 0)
    return `**No open pipeline closes in ${quarter}** (no open deal has a close date in that quarter).`;
  const deals = sum(segments, 'open_deals');
  const arr = sum(segments, 'pipeline_arr');
  const weighted = sum(segments, 'weighted_arr');
  const commit = sum(segments, 'commit_arr');
  const largest = [...segments].sort((a, b) => Number(b.pipeline_arr) - Number(a.pipeline_arr))[0]!;
  const topStage = [...stages].sort((a, b) => Number(b.pipeline_arr) - Number(a.pipeline_arr))[0];
  const lines = [
    `**Open pipeline for ${quarter} is ${money(arr)} ARR across ${deals} deals, ${money(weighted)} weighted (${money(commit)} in Commit)**`,
    '',
    table(
      ['Segment', 'Deals', 'ARR', 'Weighted', 'Commit'],
      [
        ...segments.map((s) => [
          String(s.segment),
          count(s.open_deals),
          money(s.pipeline_arr),
          money(s.weighted_arr),
          money(s.commit_arr),
        ]),
        ['**Total**', count(deals), money(arr), money(weighted), money(commit)],
      ],
    ),
    '',
    `By stage: ${stages.map((s) => `${s.stage} ${money(s.pipeline_arr)} (${s.open_deals})`).join(', ')}.`,
    '',
    `- ${largest.segment} holds ${percent((100 * Number(largest.pipeline_arr)) / arr)} of the pipeline.`,
  ];
  if (topStage) {
    lines.push(
      `- ${topStage.stage} is the largest stage: ${money(topStage.pipeline_arr)}, ${percent((100 * Number(topStage.pipeline_arr)) / arr)} of the quarter.`,
    );
  }
  lines.push(
    '',
    `_Open deals (not closed) with a close date in ${quarter}, ${asOf(context)}; weighted = ARR × probability._`,
  );
  return lines.join('\n');
}

function pipelineByOwner(quarter: string, rows: Row[], owner?: string): string {
  if (rows.length === 0) return `**No deals close in ${quarter}.**`;
  const shown = rows.slice(0, 15);
  const mine = owner
    ? rows.find((r) => String(r.owner_name).toLowerCase().includes(owner.toLowerCase()))
    : undefined;
  return [
    mine
      ? `**${mine.owner_name} in ${quarter}: ${money(mine.won_arr)} won, ${money(mine.pipeline_arr)} open pipeline in ${mine.open_deals} deals, ${money(mine.commit_arr)} in Commit**`
      : `**${quarter} by owner: ${money(sum(rows, 'pipeline_arr'))} open pipeline, ${money(sum(rows, 'won_arr'))} already won**`,
    '',
    table(
      ['Owner', 'Open deals', 'Pipeline', 'Commit', 'Won'],
      shown.map((r) => [
        String(r.owner_name),
        count(r.open_deals),
        money(r.pipeline_arr),
        money(r.commit_arr),
        money(r.won_arr),
      ]),
    ),
    rows.length > shown.length ? `\n${rows.length - shown.length} more owners not shown.` : '',
  ]
    .join('\n')
    .trim();
}

function bookings(from: string, to: string, rows: Row[], context: OfflineContext): string {
  if (rows.length === 0) return `**No deals closed between ${from} and ${to}.**`;
  const won = sum(rows, 'deals_won');
  const lost = sum(rows, 'deals_lost');
  const arr = sum(rows, 'won_arr');
  const best = [...rows].sort((a, b) => Number(b.won_arr) - Number(a.won_arr))[0]!;
  const current = quarterOf(context.today);
  return [
    `**Bookings ${from === to ? `in ${to}` : `${from} to ${to}`}: ${money(arr)} ARR won in ${won} deals, win rate ${percent((100 * won) / (won + lost))} by count**`,
    '',
    table(
      ['Quarter', 'Won', 'Lost', 'Won ARR', 'Win rate'],
      [
        ...rows.map((r) => [
          String(r.fiscal_quarter),
          count(r.deals_won),
          count(r.deals_lost),
          money(r.won_arr),
          percent(r.win_rate_pct),
        ]),
        ['**Total**', count(won), count(lost), money(arr), percent((100 * won) / (won + lost))],
      ],
    ),
    '',
    `- Best quarter: ${best.fiscal_quarter} with ${money(best.won_arr)} won.`,
    rows.some((r) => r.fiscal_quarter === current)
      ? `- ${current} is still in progress (${asOf(context)}).`
      : '',
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n')
    .trim();
}

function arrBySegment(rows: Row[]): string {
  if (rows.length === 0) return '**No customer ARR recorded.**';
  const bySegment = new Map<string, { accounts: number; arr: number; health: number }>();
  for (const row of rows) {
    const entry = bySegment.get(String(row.segment)) ?? { accounts: 0, arr: 0, health: 0 };
    entry.accounts += Number(row.accounts);
    entry.arr += Number(row.total_arr);
    entry.health += Number(row.avg_health_score) * Number(row.accounts);
    bySegment.set(String(row.segment), entry);
  }
  const total = sum(rows, 'total_arr');
  const accounts = sum(rows, 'accounts');
  const regions = new Map<string, number>();
  for (const row of rows)
    regions.set(String(row.region), (regions.get(String(row.region)) ?? 0) + Number(row.total_arr));
  const [topRegion, topRegionArr] = [...regions.entries()].sort((a, b) => b[1] - a[1])[0]!;
  return [
    `**Current ARR is ${money(total)} across ${count(accounts)} customers**`,
    '',
    table(
      ['Segment', 'Customers', 'ARR', 'Share', 'Avg health'],
      [
        ...[...bySegment.entries()]
          .sort((a, b) => b[1].arr - a[1].arr)
          .map(([segment, e]) => [
            segment,
            count(e.accounts),
            money(e.arr),
            percent((100 * e.arr) / total),
            `${Math.round(e.health / e.accounts)}/100`,
          ]),
        ['**Total**', count(accounts), money(total), '100%', ''],
      ],
    ),
    '',
    `- ${topRegion} carries ${percent((100 * topRegionArr) / total)} of ARR (${money(topRegionArr)}).`,
  ].join('\n');
}

function arrTrend(account: string, rows: Row[]): string {
  if (rows.length === 0) return `**No ARR history for an account matching "${account}".**`;
  const latest = rows[0]!;
  const changes = rows.filter((r) => r.change_type && r.change_type !== 'Flat').slice(0, 6);
  return [
    `**${latest.account_name}: ${money(latest.arr)} ARR in ${String(latest.arr_month).slice(0, 7)}**`,
    '',
    changes.length > 0
      ? table(
          ['Month', 'ARR', 'Change', 'Type'],
          changes.map((r) => [
            String(r.arr_month).slice(0, 7),
            money(r.arr),
            money(r.arr_change),
            String(r.change_type),
          ]),
        )
      : 'No change in the months on record.',
  ].join('\n');
}

/** One account's churn signals, from the same list the churn question reads. */
function accountChurn(account: string, rows: Row[], context: OfflineContext): string {
  const row = rows.find((r) =>
    String(r.account_name).toLowerCase().includes(account.toLowerCase()),
  );
  if (!row) {
    return `**${account} shows no churn signal** (health 50+ and weekly active users not down 20%+, ${asOf(context)}; ${rows.length} other customers do).`;
  }
  const usage =
    row.usage_change_pct === null
      ? 'usage trend unknown'
      : `weekly active users ${Number(row.usage_change_pct) > 0 ? 'up' : 'down'} ${percent(Math.abs(Number(row.usage_change_pct)))} over the last 4 weeks against the 8 before`;
  return [
    `**${row.account_name} shows churn signals: health ${row.health_score ?? '?'}/100, ${money(row.current_arr)} ARR at risk**`,
    '',
    `- ${usage.charAt(0).toUpperCase()}${usage.slice(1)}.`,
    `- ${Number(row.calls_mentioning_competitors) > 0 ? `${row.calls_mentioning_competitors} calls mentioned competitors.` : 'No call mentioned a competitor.'}`,
    `- Next renewal: ${row.next_renewal_date ? longDate(row.next_renewal_date) : 'none open'}.`,
    '',
    `_Signals: health below 50, or weekly active users down 20%+ (${asOf(context)})._`,
  ].join('\n');
}

function churnRisks(rows: Row[], minArr: number, context: OfflineContext): string {
  if (rows.length === 0)
    return `**No customer${minArr > 0 ? ` above ${money(minArr)} ARR` : ''} shows churn signals** (${asOf(context)}).`;
  const arr = sum(rows, 'current_arr');
  const shown = rows.slice(0, 10);
  return [
    `**${rows.length} customers show churn signals: ${money(arr)} ARR at risk**`,
    '',
    table(
      ['Account', 'ARR', 'Health', 'Users (4 wk vs 8 before)', 'Renewal'],
      shown.map((r) => [
        String(r.account_name),
        money(r.current_arr),
        `${r.health_score ?? '?'}/100`,
        r.usage_change_pct === null
          ? 'n/a'
          : `${Number(r.usage_change_pct) > 0 ? '+' : ''}${percent(r.usage_change_pct)}`,
        r.next_renewal_date ? longDate(r.next_renewal_date) : 'none open',
      ]),
    ),
    rows.length > shown.length ? `\n${rows.length - shown.length} more not shown.` : '',
    '',
    `- ${rows.filter((r) => Number(r.calls_mentioning_competitors) > 0).length} of them mentioned competitors on calls.`,
    `_Signals: health below 50, or weekly active users down 20%+ over the last 4 weeks against the 8 before (${asOf(context)})._`,
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n');
}

function expansionCandidates(rows: Row[]): string {
  if (rows.length === 0)
    return '**No customer is close to its seat limit with a healthy score right now.**';
  const shown = rows.slice(0, 10);
  return [
    `**${rows.length} customers are expansion candidates (85%+ of seats in use, health 60+)**`,
    '',
    table(
      ['Account', 'ARR', 'Seats used', 'User growth', 'Open expansion'],
      shown.map((r) => [
        String(r.account_name),
        money(r.current_arr),
        `${r.active_users}/${r.licensed_seats} (${percent(Number(r.seat_utilization) * 100)})`,
        r.user_growth_pct === null ? 'n/a' : `${percent(r.user_growth_pct)}`,
        Number(r.open_expansion_deals) > 0 ? money(r.open_expansion_arr) : 'none',
      ]),
    ),
    '',
    `- ${rows.filter((r) => Number(r.open_expansion_deals) === 0).length} have no expansion deal open yet.`,
  ].join('\n');
}

function competitorMentions(account: string, rows: Row[], context: OfflineContext): string {
  if (rows.length === 0) {
    return `**No competitor came up in recorded calls with an account matching "${account}"** (Gong calls and transcripts searched, ${asOf(context)}).`;
  }
  const calls = new Map<
    string,
    { started: string; title: string; competitors: string[]; sentiment: string }
  >();
  for (const row of rows) {
    const key = `${row.started_at}|${row.title}`;
    if (!calls.has(key)) {
      calls.set(key, {
        started: String(row.started_at),
        title: String(row.title),
        competitors: String(row.competitors_mentioned ?? '')
          .split(/,\s*/)
          .filter(Boolean),
        sentiment: String(row.sentiment ?? ''),
      });
    }
  }
  const list = [...calls.values()].sort((a, b) => b.started.localeCompare(a.started));
  const perCompetitor = new Map<string, number>();
  for (const call of list)
    for (const c of call.competitors) perCompetitor.set(c, (perCompetitor.get(c) ?? 0) + 1);
  const ranked = [...perCompetitor.entries()].sort(
    (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
  );
  const first = list.at(-1)!;
  const last = list[0]!;
  const name = account;
  const quotes = ranked.flatMap(([competitor]) => {
    const turn = rows.find(
      (r) => r.speaker_affiliation === 'External' && String(r.text).includes(competitor),
    );
    return turn
      ? [
          `- ${competitor} — ${turn.speaker_name} (${longDate(turn.started_at)}): "${quote(turn.text, 140)}"`,
        ]
      : [];
  });
  const negative = list.filter((c) => c.sentiment === 'Negative').length;
  const lines = [
    `**Competitors came up in ${list.length} ${name} calls between ${longDate(first.started)} and ${longDate(last.started)}: ${ranked.map(([c, n]) => `${c} (${n} call${n === 1 ? '' : 's'})`).join(', ')}**`,
    '',
    table(
      ['Date', 'Call', 'Competitors', 'Sentiment'],
      list.map((c) => [longDate(c.started), c.title, c.competitors.join(', '), c.sentiment]),
    ),
    '',
    '**What the customer said**',
    ...quotes,
    '',
    `- ${negative} of the ${list.length} calls had negative sentiment.`,
  ];
  if (rows.length >= 40)
    lines.push('_Only the first 40 transcript turns naming a competitor were read._');
  return lines.join('\n');
}

function competitorTrend(days: number, rows: Row[], rival?: string): string {
  if (rows.length === 0) return `**No competitor came up in calls in the last ${days} days.**`;
  const top = rows[0]!;
  const asked = rival ? rows.find((r) => String(r.competitor) === rival) : undefined;
  const headline = rival
    ? asked
      ? `**${rival} came up in ${asked.calls} calls with ${asked.accounts} accounts in the last ${days} days, ${percent(asked.negative_call_pct)} of them negative**`
      : `**${rival} did not come up in calls in the last ${days} days**`
    : `**${top.competitor} came up most in the last ${days} days: ${top.calls} calls with ${top.accounts} accounts**`;
  return [
    headline,
    '',
    table(
      ['Competitor', 'Calls', 'Accounts', 'Negative calls'],
      rows.map((r) => [
        String(r.competitor),
        count(r.calls),
        count(r.accounts),
        percent(r.negative_call_pct),
      ]),
    ),
    '',
    `_Counted back ${days} days from the latest recorded call._`,
  ].join('\n');
}

function accountCalls(account: string, rows: Row[]): string {
  if (rows.length === 0) return `**No recorded calls with an account matching "${account}".**`;
  const latest = rows[0]!;
  return [
    `**${rows.length} recent calls with ${account}; the latest was "${latest.title}" on ${longDate(latest.started_at)}**`,
    '',
    table(
      ['Date', 'Call', 'Host', 'Sentiment', 'Competitors'],
      rows.map((r) => [
        longDate(r.started_at),
        String(r.title),
        String(r.primary_user_name),
        String(r.sentiment),
        String(r.competitors_mentioned ?? '—'),
      ]),
    ),
    '',
    `Latest call: ${quote(latest.summary, 200)} Next steps: ${quote(latest.next_steps ?? 'none recorded', 150)}.`,
  ].join('\n');
}

function accountOverview(account: string, rows: Row[]): string {
  const a = rows[0];
  if (!a) return `**No account matching "${account}" in the warehouse.**`;
  return [
    `**${a.account_name}: ${String(a.account_type).toLowerCase()}, ${a.segment}, ${money(a.current_arr)} ARR, health ${a.health_score ?? '?'}/100**`,
    `- ${a.industry}, ${a.country} (${a.region}), ${count(a.employee_count)} employees; owner ${a.owner_name}`,
    `- ${a.customer_since ? `Customer since ${longDate(a.customer_since)}` : 'Not a customer yet'}; ${a.open_deals} open deals worth ${money(a.open_pipeline_arr)} ARR`,
    `- Tech stack: ${a.tech_stack ?? 'unknown'}`,
  ].join('\n');
}

/** Any other pattern: its first five columns as a table. */
function genericTable(title: string, rows: Row[]): string {
  if (rows.length === 0) return `**${title}: none.**`;
  const columns = Object.keys(rows[0]!).slice(0, 5);
  const shown = rows.slice(0, 15);
  const cell = (column: string, value: unknown) =>
    value === null || value === undefined
      ? '—'
      : /arr|amount|revenue/.test(column) && Number.isFinite(Number(value))
        ? money(value)
        : /date/.test(column)
          ? longDate(value)
          : String(value);
  return [
    `**${title}: ${rows.length}**`,
    '',
    table(
      columns.map((c) => c.replace(/_/g, ' ').replace(/^./, (x) => x.toUpperCase())),
      shown.map((r) => columns.map((c) => cell(c, r[c]))),
    ),
    rows.length > shown.length ? `\n${rows.length - shown.length} more not shown.` : '',
  ]
    .join('\n')
    .trim();
}

function openDeals(
  rows: Row[],
  quarter: string | undefined,
  owner: string | undefined,
  context: OfflineContext,
  stage?: string,
): string {
  // The pattern returns the 40 largest: a full page is a top list, not the whole pipeline.
  const capped = rows.length >= 40;
  const scope = `${capped ? `The ${rows.length} largest ` : ''}${owner ? `${owner}'s open deals` : capped ? 'open deals' : 'Open deals'}${stage ? ` in ${stage}` : ''}${quarter ? ` closing in ${quarter}` : ''}`;
  if (rows.length === 0) return `**${scope}: none** (${asOf(context)}).`;
  const arr = sum(rows, 'arr');
  const commit = rows.filter((r) => r.forecast_category === 'Commit');
  const quiet = rows.filter((r) => Number(r.days_since_activity) >= 14);
  const shown = rows.slice(0, 12);
  return [
    `**${scope}: ${capped ? '' : `${rows.length} deals, `}${money(arr)} ARR (${money(sum(commit, 'arr'))} in Commit)**`,
    '',
    table(
      ['Deal', 'Stage', 'ARR', 'Closes', owner ? 'Forecast' : 'Owner'],
      shown.map((r) => [
        String(r.opportunity_name),
        `${r.stage} (${r.probability}%)`,
        money(r.arr),
        longDate(r.close_date),
        String(owner ? r.forecast_category : r.owner_name),
      ]),
    ),
    rows.length > shown.length ? `\n${rows.length - shown.length} more not shown.` : '',
    '',
    quiet.length > 0
      ? `- ${quiet.length} of them without activity for 14+ days: ${quiet
          .slice(0, 3)
          .map((r) => `${r.opportunity_name} (${r.days_since_activity} days)`)
          .join(', ')}.`
      : '- Every one of them had activity in the last two weeks.',
    '',
    `_Open deals${quarter ? ` with a close date in ${quarter}` : ''}, ${asOf(context)}. Want a full review of any of them?_`,
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n');
}

function competitiveWinLoss(from: string, to: string, rows: Row[], rival?: string): string {
  if (rows.length === 0)
    return `**No deal with a primary competitor closed between ${from} and ${to}.**`;
  const focus = rival ? rows.find((r) => String(r.primary_competitor) === rival) : undefined;
  const headline = focus
    ? `**Against ${rival} we won ${focus.won} of ${focus.closed_deals} closed deals from ${from} to ${to} (${percent(focus.win_rate_pct)} win rate, ${money(focus.won_arr)} ARR won)**`
    : `**Win rate against competitors from ${from} to ${to}: ${rows
        .map((r) => `${r.primary_competitor} ${percent(r.win_rate_pct)}`)
        .join(', ')}**`;
  return [
    headline,
    '',
    table(
      ['Competitor', 'Closed', 'Won', 'Lost', 'Win rate'],
      rows.map((r) => [
        String(r.primary_competitor),
        count(r.closed_deals),
        count(r.won),
        count(r.lost),
        percent(r.win_rate_pct),
      ]),
    ),
    '',
    `_Deals closed between ${from} and ${to} with a primary competitor recorded._`,
  ].join('\n');
}

function dealContacts(account: string, rows: Row[], text: string): string {
  if (rows.length === 0) return `**No contacts on record for an account matching "${account}".**`;
  const role = /champion/.test(text)
    ? 'Champion'
    : /economic buyer/.test(text)
      ? 'Economic Buyer'
      : undefined;
  const match = role ? rows.find((r) => r.buying_role === role) : undefined;
  const name = String(rows[0]!.account_name);
  const headline = role
    ? match
      ? `**The ${role.toLowerCase()} at ${name} is ${match.full_name}, ${match.title} (last engaged ${longDate(match.last_engaged_date)})**`
      : `**No contact at ${name} has the ${role} role on record**`
    : `**${rows.length} contacts on record at ${name}**`;
  return [
    headline,
    '',
    table(
      ['Name', 'Title', 'Role', 'Last engaged'],
      rows
        .slice(0, 10)
        .map((r) => [
          String(r.full_name),
          String(r.title),
          String(r.buying_role ?? '—'),
          r.last_engaged_date ? longDate(r.last_engaged_date) : 'never',
        ]),
    ),
  ].join('\n');
}
