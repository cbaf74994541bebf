/**
 * The offline Deal Analysis agent: finds the deal with the `deal-status-by-name` SQL pattern,
 * gathers its contacts, activity and Gong calls with their patterns and the stage rules from the
 * knowledge base, then writes the documented deal review (MEDDPICC per element, probability,
 * risks, next steps) from those rows only (`deal-review-composer.ts`). Without a deal name it
 * lists stalled deals, deals with MEDDPICC gaps or one owner's deals with their warning signs;
 * two open deals of different accounts under one name get a question, not a guess.
 */
import type { OfflineContext, OfflineStep, PlannedCall, Row } from './conversation';
import { composeReview } from './deal-review-composer';
import { documentedWording } from './revenue-vocabulary';
import {
  daysBetween,
  longDate,
  money,
  normalized,
  properNames,
  quote,
  subjectName,
  table,
} from './text';

export function dealReview(context: OfflineContext): OfflineStep {
  const text = normalized(context.task);
  const owner = /\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)['’]s\s+(?:open\s+)?deals\b/.exec(
    context.task,
  )?.[1];
  if (owner) return ownerRisks(context, owner);
  const names = candidateNames(context.task);

  if (names.length === 0) {
    if (/stalled|gone quiet|no activity|inactive/.test(documentedWording(context.task)))
      return listDeals(context, 'stalled-deals');
    if (/meddpicc|qualification|missing|gap|economic buyer/.test(text)) {
      return listDeals(context, 'deals-missing-meddpicc');
    }
    return {
      kind: 'answer',
      text: 'Which deal should I review? Give the account or opportunity name, e.g. "What is the status of the IXIS deal?".',
    };
  }

  // Find the deal: the full name first, then shorter forms ("Microsoft Enterprise" → "Microsoft").
  let deal: Row | undefined;
  let matches: Row[] = [];
  for (const [i, name] of names.entries()) {
    const step = `deal-${i + 1}`;
    if (!context.ran(step)) {
      return {
        kind: 'call',
        rationale: `I will look up the deal matching "${name}" in the warehouse.`,
        calls: [context.patternCall(step, 'deal-status-by-name', { deal_name: name }, 5)],
      };
    }
    matches = context.rowsOf(step);
    if (matches.length > 0) {
      const ambiguous = ambiguity(matches, name);
      if (ambiguous) return { kind: 'answer', text: ambiguous };
      deal = pickDeal(matches, name);
      break;
    }
    const outcome = context.resultOf(step);
    if (outcome && !outcome.ok) {
      return {
        kind: 'answer',
        text: `I could not look up the deal: ${quote(outcome.content, 300)}`,
      };
    }
  }
  if (!deal) {
    return {
      kind: 'answer',
      text: `No deal in the warehouse matches ${names.map((n) => `"${n}"`).join(' or ')} (opportunity and account names searched).`,
    };
  }
  const stage = String(deal.stage);
  if (stage.startsWith('Closed')) return closedDeal(deal);

  // Each piece of evidence not read yet: [step, SQL pattern, its parameters, most rows].
  const account = { account_name: String(deal.account_name) };
  const queries: [string, string, Record<string, string>, number][] = [
    ['contacts', 'deal-contacts', account, 20],
    ['activity', 'deal-recent-activity', { deal_name: String(deal.opportunity_name) }, 15],
    ['calls', 'calls-for-account', account, 10],
  ];
  const evidence: PlannedCall[] = queries
    .filter(([step]) => !context.ran(step))
    .map(([step, patternId, values, maxRows]) =>
      context.patternCall(step, patternId, values, maxRows),
    );
  const kb = context.knowledgeBaseTool();
  if (kb && !context.ran('rules')) {
    evidence.push({
      step: 'rules',
      name: kb,
      input: { searchQuery: `${stage} stage probability MEDDPICC minimum exit criteria` },
    });
  }
  if (evidence.length > 0) {
    return {
      kind: 'call',
      rationale: `Found ${deal.opportunity_name} (${stage}). I will read its contacts, recent activity, Gong calls and the stage rules before scoring MEDDPICC.`,
      calls: evidence,
    };
  }

  const others = matches.filter((m) => m !== deal && !String(m.stage).startsWith('Closed'));
  return {
    kind: 'answer',
    text: composeReview(context, deal, {
      contacts: context.rowsOf('contacts'),
      activity: context.rowsOf('activity'),
      calls: context.rowsOf('calls'),
      rules: context.resultOf('rules')?.content ?? '',
      others,
    }),
  };
}

/** Names to look the deal up by, most specific first. */
function candidateNames(task: string): string[] {
  const subject = subjectName(task) ?? properNames(task)[0];
  if (!subject) return [];
  const names = [subject];
  const first = subject.split(/\s+/)[0];
  if (first && first !== subject && first.length >= 2) names.push(first);
  return names;
}

/**
 * Two open deals of different accounts match the name and neither account is called exactly
 * that: which one is meant changes the answer, so ask (the Manager's clarification rule).
 */
function ambiguity(rows: Row[], name: string): string | undefined {
  const open = rows.filter((r) => !String(r.stage).startsWith('Closed'));
  const accounts = [...new Set(open.map((r) => String(r.account_name)))];
  if (accounts.length < 2) return undefined;
  const lower = name.toLowerCase();
  if (accounts.some((a) => a.toLowerCase() === lower)) return undefined;
  if (open.some((r) => String(r.opportunity_name).toLowerCase() === lower)) return undefined;
  const options = open
    .slice(0, 4)
    .map((r) => `*${r.opportunity_name}* (${r.stage}, ${money(r.arr)} ARR)`);
  return `Several open deals match "${name}": did you mean ${options.slice(0, -1).join(', ')} or ${options.at(-1)}? Tell me which one and I will review it.`;
}

/** One owner's open deals with the warning signs the warehouse shows: a first look at risk. */
function ownerRisks(context: OfflineContext, owner: string): OfflineStep {
  if (!context.ran('owner-deals')) {
    return {
      kind: 'call',
      rationale: `I will list ${owner}'s open deals with their activity and MEDDPICC completeness.`,
      calls: [context.patternCall('owner-deals', 'open-deals', { owner_name: owner }, 40)],
    };
  }
  const rows = context.rowsOf('owner-deals');
  if (rows.length === 0) return { kind: 'answer', text: `**No open deals owned by ${owner}.**` };
  const ownerName = String(rows[0]!.owner_name);
  const flagged = rows
    .map((r) => {
      const signs: string[] = [];
      const quiet = Number(r.days_since_activity);
      if (quiet >= (r.stage === 'Negotiate' ? 21 : 14)) signs.push(`no activity for ${quiet} days`);
      if (Number(r.meddpicc_score) < 50) signs.push(`MEDDPICC ${r.meddpicc_score}%`);
      const closeIn = daysBetween(context.today, String(r.close_date)) ?? 0;
      if (closeIn < 0) signs.push(`close date ${longDate(r.close_date)} passed`);
      return { row: r, signs };
    })
    .filter((f) => f.signs.length > 0);
  if (flagged.length === 0) {
    return {
      kind: 'answer',
      text: `**None of ${ownerName}'s ${rows.length} open deals shows a warning sign in the warehouse**\n\nEvery one had activity recently, has MEDDPICC at 50% or more and a close date ahead. Want a full review of any of them?`,
    };
  }
  return {
    kind: 'answer',
    text: [
      `**${flagged.length} of ${ownerName}'s ${rows.length} open deals show risk signs; the largest is ${flagged[0]!.row.opportunity_name} (${money(flagged[0]!.row.arr)} ARR)**`,
      '',
      table(
        ['Deal', 'Stage', 'ARR', 'Closes', 'Warning signs'],
        flagged
          .slice(0, 10)
          .map((f) => [
            String(f.row.opportunity_name),
            `${f.row.stage} (${f.row.probability}%)`,
            money(f.row.arr),
            longDate(f.row.close_date),
            f.signs.join('; '),
          ]),
      ),
      '',
      `_Signs: activity older than 14 days (21 in Negotiate), MEDDPICC under 50%, close date passed; as of ${longDate(context.today)}. Want a full MEDDPICC review of one of them?_`,
    ].join('\n'),
  };
}

/** Among matching deals, an open one whose name contains the searched text, largest first. */
function pickDeal(rows: Row[], name: string): Row {
  const open = rows.filter((r) => !String(r.stage).startsWith('Closed'));
  const pool = open.length > 0 ? open : rows;
  const lower = name.toLowerCase();
  return (
    pool.find((r) => String(r.opportunity_name).toLowerCase().includes(lower)) ??
    pool[0] ??
    (rows[0] as Row)
  );
}

function closedDeal(deal: Row): OfflineStep {
  const won = String(deal.stage) === 'Closed Won';
  return {
    kind: 'answer',
    text: [
      `**${deal.account_name} — ${deal.opportunity_name}: closed ${won ? 'won' : 'lost'} on ${longDate(deal.close_date)}**`,
      `${deal.stage} · ${money(deal.arr)} ARR · ${deal.fiscal_quarter} · owner ${deal.owner_name}`,
      won ? '' : `Primary competitor: ${deal.primary_competitor ?? 'none recorded'}.`,
    ]
      .filter(Boolean)
      .join('\n'),
  };
}

function listDeals(
  context: OfflineContext,
  patternId: 'stalled-deals' | 'deals-missing-meddpicc',
): OfflineStep {
  const step = patternId;
  if (!context.ran(step)) {
    return {
      kind: 'call',
      rationale:
        patternId === 'stalled-deals'
          ? 'I will list open deals without recent activity.'
          : 'I will list open deals whose MEDDPICC qualification is incomplete.',
      calls: [context.patternCall(step, patternId, {}, 25)],
    };
  }
  const rows = context.rowsOf(step);
  if (rows.length === 0) {
    return {
      kind: 'answer',
      text: 'No open deal matches: every deal in scope has recent activity and complete MEDDPICC fields.',
    };
  }
  const total = rows.reduce((sum, r) => sum + Number(r.arr), 0);
  const shown = rows.slice(0, 10);
  const stalled = patternId === 'stalled-deals';
  const headline = stalled
    ? `**${rows.length} open deals have gone quiet: ${money(total)} ARR without activity for 21+ days**`
    : `**${rows.length} open deals at 40%+ have MEDDPICC gaps: ${money(total)} ARR**`;
  // One deal table; the last two columns say why each deal is listed.
  const body = table(
    ['Deal', 'Stage', 'ARR', ...(stalled ? ['Closes', 'Days quiet'] : ['Owner', 'Missing'])],
    shown.map((r) => [
      String(r.opportunity_name),
      `${r.stage} (${r.probability}%)`,
      money(r.arr),
      ...(stalled
        ? [longDate(r.close_date), String(r.days_since_activity)]
        : [String(r.owner_name), String(r.missing_elements).replace(/;\s*$/, '')]),
    ]),
  );
  const more =
    rows.length > shown.length ? `\n\n${rows.length - shown.length} more not shown.` : '';
  return {
    kind: 'answer',
    text: `${headline}\n\n${body}${more}\n\nWant a full review of any of them?`,
  };
}
