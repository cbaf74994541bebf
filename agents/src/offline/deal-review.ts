/**
 * The offline Deal Analysis agent: finds the deal with the `deal-status-by-name` SQL pattern,
 * gathers its contacts, activity and Gong calls with their patterns and the stage rules from the
 * knowledge base, then writes the documented deal review (MEDDPICC per element, probability,
 * risks, next steps) from those rows only.
 *
 * MEDDPICC is scored with the rubric's 0-5 scale from what the warehouse shows — whether each
 * element is recorded, and how recently the customer engaged on it (calls, the economic buyer's
 * and the champion's last engagement) — never from what was said, which the offline model does
 * not interpret. So it never gives 5 ("confirmed in writing"), and says so in the answer.
 */
import {
  knowledgeBaseTool,
  type OfflineContext,
  type OfflineStep,
  type PlannedCall,
  patternCall,
  type Row,
  ran,
  resultOf,
  rowsOf,
} from './conversation';
import { documentedWording } from './revenue-vocabulary';
import {
  addDays,
  daysBetween,
  longDate,
  money,
  normalized,
  properNames,
  quarterOf,
  quote,
  subjectName,
  table,
} from './text';

/** The stage defaults of `business_logic/stages_and_probabilities.md`, used when a lookup misses. */
const STAGE_PROBABILITY: Record<string, number> = {
  Prospecting: 10,
  Discovery: 20,
  'Solution Validation': 40,
  Proposal: 60,
  Negotiate: 75,
};
const LATE_STAGES = ['Proposal', 'Negotiate'];
const VALIDATION_OR_LATER = ['Solution Validation', 'Proposal', 'Negotiate'];

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
    if (!ran(context, step)) {
      return {
        kind: 'call',
        rationale: `I will look up the deal matching "${name}" in the warehouse.`,
        calls: [patternCall(context, step, 'deal-status-by-name', { deal_name: name }, 5)],
      };
    }
    matches = rowsOf(resultOf(context, step));
    if (matches.length > 0) {
      const ambiguous = ambiguity(matches, name);
      if (ambiguous) return { kind: 'answer', text: ambiguous };
      deal = pickDeal(matches, name);
      break;
    }
    const outcome = resultOf(context, step);
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

  const evidence: PlannedCall[] = [];
  if (!ran(context, 'contacts')) {
    evidence.push(
      patternCall(
        context,
        'contacts',
        'deal-contacts',
        { account_name: String(deal.account_name) },
        20,
      ),
    );
  }
  if (!ran(context, 'activity')) {
    evidence.push(
      patternCall(
        context,
        'activity',
        'deal-recent-activity',
        { deal_name: String(deal.opportunity_name) },
        15,
      ),
    );
  }
  if (!ran(context, 'calls')) {
    evidence.push(
      patternCall(
        context,
        'calls',
        'calls-for-account',
        { account_name: String(deal.account_name) },
        10,
      ),
    );
  }
  const kb = knowledgeBaseTool(context);
  if (kb && !ran(context, 'rules')) {
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
      contacts: rowsOf(resultOf(context, 'contacts')),
      activity: rowsOf(resultOf(context, 'activity')),
      calls: rowsOf(resultOf(context, 'calls')),
      rules: resultOf(context, 'rules')?.content ?? '',
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
  if (!ran(context, 'owner-deals')) {
    return {
      kind: 'call',
      rationale: `I will list ${owner}'s open deals with their activity and MEDDPICC completeness.`,
      calls: [patternCall(context, 'owner-deals', 'open-deals', { owner_name: owner }, 40)],
    };
  }
  const rows = rowsOf(resultOf(context, 'owner-deals'));
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
  if (!ran(context, step)) {
    return {
      kind: 'call',
      rationale:
        patternId === 'stalled-deals'
          ? 'I will list open deals without recent activity.'
          : 'I will list open deals whose MEDDPICC qualification is incomplete.',
      calls: [patternCall(context, step, patternId, {}, 25)],
    };
  }
  const rows = rowsOf(resultOf(context, step));
  if (rows.length === 0) {
    return {
      kind: 'answer',
      text: 'No open deal matches: every deal in scope has recent activity and complete MEDDPICC fields.',
    };
  }
  const total = rows.reduce((sum, r) => sum + Number(r.arr), 0);
  const shown = rows.slice(0, 10);
  const headline =
    patternId === 'stalled-deals'
      ? `**${rows.length} open deals have gone quiet: ${money(total)} ARR without activity for 21+ days**`
      : `**${rows.length} open deals at 40%+ have MEDDPICC gaps: ${money(total)} ARR**`;
  const body =
    patternId === 'stalled-deals'
      ? table(
          ['Deal', 'Stage', 'ARR', 'Closes', 'Days quiet'],
          shown.map((r) => [
            String(r.opportunity_name),
            `${r.stage} (${r.probability}%)`,
            money(r.arr),
            longDate(r.close_date),
            String(r.days_since_activity),
          ]),
        )
      : table(
          ['Deal', 'Stage', 'ARR', 'Owner', 'Missing'],
          shown.map((r) => [
            String(r.opportunity_name),
            `${r.stage} (${r.probability}%)`,
            money(r.arr),
            String(r.owner_name),
            String(r.missing_elements).replace(/;\s*$/, ''),
          ]),
        );
  const more =
    rows.length > shown.length ? `\n\n${rows.length - shown.length} more not shown.` : '';
  return {
    kind: 'answer',
    text: `${headline}\n\n${body}${more}\n\nWant a full review of any of them?`,
  };
}

interface Evidence {
  contacts: Row[];
  activity: Row[];
  calls: Row[];
  rules: string;
  others: Row[];
}

interface ElementScore {
  label: string;
  score: number;
  evidence: string;
}

/** 0 unknown, 1 recorded only, 2 engaged 61-90 days ago, 3 within 60, 4 within 30 and favourable. */
function ladder(
  recorded: boolean,
  engagedDaysAgo: number | undefined,
  favourable: boolean,
  within = { confirmed: 60, recent: 30 },
): number {
  if (!recorded) return 0;
  if (engagedDaysAgo === undefined || engagedDaysAgo > 90) return 1;
  if (engagedDaysAgo > within.confirmed) return 2;
  if (engagedDaysAgo <= within.recent && favourable) return 4;
  return 3;
}

function composeReview(context: OfflineContext, deal: Row, evidence: Evidence): string {
  const today = context.today;
  const stage = String(deal.stage);
  const owner = String(deal.owner_name);
  const calls = [...evidence.calls].sort((a, b) =>
    String(b.started_at).localeCompare(String(a.started_at)),
  );
  const latestCall = calls[0];
  const favourable = latestCall ? String(latestCall.sentiment) !== 'Negative' : false;
  const daysSince = (value: unknown) => (value ? daysBetween(value, today) : undefined);
  const lastCallDays = daysSince(latestCall?.started_at);
  const callNote = latestCall
    ? `last customer call ${longDate(latestCall.started_at)} (${String(latestCall.sentiment).toLowerCase()})`
    : 'no Gong call on record';
  const contact = (role: string) => evidence.contacts.find((c) => c.buying_role === role);
  const economicBuyer = contact('Economic Buyer');
  const champion = contact('Champion');
  const paperCall = calls.find((c) =>
    /legal|procurement|contract|security/i.test(String(c.topics ?? '')),
  );
  const competitorCalls = calls.filter((c) => c.competitors_mentioned);
  const recentCompetitorCall = competitorCalls.find((c) => (daysSince(c.started_at) ?? 999) <= 60);
  const recorded = (field: string) =>
    deal[field] !== null && deal[field] !== undefined && String(deal[field]).trim() !== '';
  const claim = (field: string) =>
    recorded(field) ? `"${quote(deal[field], 70)}"` : 'not recorded';

  const scores: ElementScore[] = [
    {
      label: 'Metrics',
      score: ladder(recorded('meddpicc_metrics'), lastCallDays, favourable),
      evidence: `${claim('meddpicc_metrics')}; ${callNote}`,
    },
    {
      label: 'Economic buyer',
      score: recorded('meddpicc_economic_buyer')
        ? ladder(true, daysSince(economicBuyer?.last_engaged_date), favourable)
        : 0,
      evidence: economicBuyer
        ? `${economicBuyer.full_name} (${economicBuyer.title}), last engaged ${longDate(economicBuyer.last_engaged_date)}`
        : `${claim('meddpicc_economic_buyer')}; no contact with the Economic Buyer role`,
    },
    {
      label: 'Decision criteria',
      score: ladder(recorded('meddpicc_decision_criteria'), lastCallDays, favourable),
      evidence: claim('meddpicc_decision_criteria'),
    },
    {
      label: 'Decision process',
      score: ladder(recorded('meddpicc_decision_process'), lastCallDays, favourable),
      evidence: claim('meddpicc_decision_process'),
    },
    {
      label: 'Paper process',
      score: ladder(
        recorded('meddpicc_paper_process'),
        daysSince(paperCall?.started_at),
        favourable,
      ),
      evidence: recorded('meddpicc_paper_process')
        ? `${claim('meddpicc_paper_process')}${paperCall ? `; legal/procurement discussed ${longDate(paperCall.started_at)}` : ''}`
        : 'not recorded: security review, legal and procurement steps unknown',
    },
    {
      label: 'Identify pain',
      score: ladder(recorded('meddpicc_identify_pain'), lastCallDays, favourable),
      evidence: claim('meddpicc_identify_pain'),
    },
    {
      label: 'Champion',
      score: recorded('meddpicc_champion')
        ? ladder(true, daysSince(champion?.last_engaged_date), favourable, {
            confirmed: 30,
            recent: 14,
          })
        : 0,
      evidence: champion
        ? `${champion.full_name} (${champion.title}), last engaged ${longDate(champion.last_engaged_date)}`
        : claim('meddpicc_champion'),
    },
    {
      label: 'Competition',
      score:
        !recorded('meddpicc_competition') && !deal.primary_competitor
          ? 0
          : recentCompetitorCall
            ? 3
            : 2,
      evidence: `${deal.primary_competitor ? `primary competitor ${deal.primary_competitor}` : 'no primary competitor'}${
        recentCompetitorCall
          ? `; ${recentCompetitorCall.competitors_mentioned} raised on the ${longDate(recentCompetitorCall.started_at)} call`
          : ''
      }`,
    },
  ];
  const total = scores.reduce((sum, s) => sum + s.score, 0);

  const rule = stageRule(evidence.rules, stage);
  const defaultProbability = rule?.probability ?? STAGE_PROBABILITY[stage];
  const minimum = rule?.minimum;
  const closeIn = daysBetween(today, String(deal.close_date)) ?? 0;
  const lastActivityDays = daysSince(deal.last_activity_date);
  const quietLimit = stage === 'Negotiate' ? 21 : 14;
  const score = (label: string) => scores.find((s) => s.label === label)?.score ?? 0;
  const engaged = evidence.contacts.filter((c) => (daysSince(c.last_engaged_date) ?? 999) <= 30);

  // Risks, most serious first, each from the rubric's rules.
  const risks: { text: string; short: string; atRisk: boolean; lowers: boolean }[] = [];
  if (closeIn < 0) {
    risks.push({
      text: `Close date passed ${-closeIn} days ago (${longDate(deal.close_date)}) while the deal is still open`,
      short: 'close date passed',
      atRisk: true,
      lowers: true,
    });
  }
  if (minimum !== undefined && total < minimum) {
    risks.push({
      text: `Under-qualified: MEDDPICC ${total}/40 against the ${stage} minimum of ${minimum}`,
      short: `MEDDPICC ${total}/40 below the ${stage} minimum of ${minimum}`,
      atRisk: true,
      lowers: false,
    });
  }
  if (score('Paper process') < 3 && closeIn >= 0 && closeIn < 45) {
    risks.push({
      text: `Paper process ${score('Paper process') === 0 ? 'unknown' : 'not confirmed'} ${closeIn} days before the close date (${longDate(deal.close_date)})`,
      short: `paper process ${score('Paper process') === 0 ? 'unknown' : 'unconfirmed'} ${closeIn} days before close`,
      atRisk: closeIn <= 30,
      lowers: closeIn < 30,
    });
  }
  const ebDays = daysSince(economicBuyer?.last_engaged_date);
  if (LATE_STAGES.includes(stage) && (ebDays === undefined || ebDays >= 30)) {
    risks.push({
      text: economicBuyer
        ? `Economic buyer ${economicBuyer.full_name} silent for ${ebDays} days (last engaged ${longDate(economicBuyer.last_engaged_date)})`
        : 'No economic buyer engaged',
      short: economicBuyer
        ? `economic buyer silent for ${ebDays} days`
        : 'no economic buyer engaged',
      atRisk: score('Economic buyer') <= 1,
      lowers: true,
    });
  }
  if (VALIDATION_OR_LATER.includes(stage) && !champion) {
    risks.push({
      text: 'No champion identified among the contacts',
      short: 'no champion',
      atRisk: LATE_STAGES.includes(stage),
      lowers: true,
    });
  } else if (champion && (daysSince(champion.last_engaged_date) ?? 999) >= 21) {
    risks.push({
      text: `Champion ${champion.full_name} silent for ${daysSince(champion.last_engaged_date)} days`,
      short: 'champion silent',
      atRisk: false,
      lowers: false,
    });
  }
  if (engaged.length === 1) {
    risks.push({
      text: `Single-threaded: only ${engaged[0]?.full_name} engaged in the last 30 days`,
      short: 'single-threaded',
      atRisk: false,
      lowers: true,
    });
  }
  if (lastActivityDays !== undefined && lastActivityDays >= quietLimit) {
    risks.push({
      text: `No activity for ${lastActivityDays} days (last ${longDate(deal.last_activity_date)})`,
      short: `no activity for ${lastActivityDays} days`,
      atRisk: true,
      lowers: true,
    });
  }
  const negativeCompetitor = competitorCalls.find(
    (c) => String(c.sentiment) === 'Negative' && (daysSince(c.started_at) ?? 999) <= 60,
  );
  if (negativeCompetitor) {
    risks.push({
      text: `${negativeCompetitor.competitors_mentioned} came up on a negative call (${longDate(negativeCompetitor.started_at)})`,
      short: `${negativeCompetitor.competitors_mentioned} pressure`,
      atRisk: false,
      lowers: true,
    });
  }
  if (String(deal.forecast_category) === 'Commit') {
    const missing: string[] = [];
    if (stage !== 'Negotiate') missing.push(`stage ${stage}`);
    if (total < 30) missing.push(`MEDDPICC ${total} < 30`);
    if (ebDays === undefined || ebDays > 14)
      missing.push('economic buyer not engaged in the last 14 days');
    if (score('Paper process') < 3) missing.push('paper process not mapped');
    if (missing.length > 0) {
      risks.push({
        text: `Forecast risk: Commit without the expected evidence (${missing.join('; ')})`,
        short: 'Commit without evidence',
        atRisk: false,
        lowers: false,
      });
    }
  }

  const atRisk = risks.some((r) => r.atRisk);
  const closesThisQuarter = String(deal.fiscal_quarter) === quarterOf(today);
  const verdict =
    closeIn < 0 || (atRisk && closesThisQuarter && Number(deal.arr) >= 500_000)
      ? 'critical'
      : atRisk
        ? 'at risk'
        : 'on track';
  const headlineReason =
    risks[0]?.short ?? `MEDDPICC ${total}/40, activity ${lastActivityDays ?? '?'} days ago`;

  const lowering = risks.filter((r) => r.lowers).length;
  const recordedProbability = Number(deal.probability);
  const base = defaultProbability ?? recordedProbability;
  const assessed = Math.max(5, Math.min(90, base - Math.min(25, lowering * 10)));
  const probability =
    lowering === 0
      ? `${recordedProbability}% recorded${defaultProbability !== undefined ? `, the ${stage} default (${defaultProbability}%)` : ''}; the warehouse shows nothing that argues for another figure.`
      : `${recordedProbability}% recorded${defaultProbability !== undefined ? ` (${stage} default ${defaultProbability}%)` : ''}; the risks below argue for about ${assessed}% (10 points per risk, at most 25).`;

  // Next steps: the top risks and the two weakest elements, each with the owner and a date.
  const by = (days: number) =>
    longDate(addDays(today, Math.max(1, Math.min(days, closeIn > 3 ? closeIn - 2 : days))));
  const procurement = evidence.contacts.find((c) => c.buying_role === 'Procurement');
  const steps: string[] = [];
  const add = (step: string) => {
    if (!steps.includes(step) && steps.length < 4) steps.push(step);
  };
  for (const element of [...scores].sort((a, b) => a.score - b.score).slice(0, 2)) {
    switch (element.label) {
      case 'Paper process':
        add(
          `${owner}: map security review, legal and procurement with dates${procurement ? ` with ${procurement.full_name} (${procurement.title})` : ''} by ${by(7)}`,
        );
        break;
      case 'Economic buyer':
        add(
          `${owner}: meet ${economicBuyer ? `${economicBuyer.full_name} (economic buyer)` : 'the economic buyer'} to confirm budget, priority and signature date by ${by(7)}`,
        );
        break;
      case 'Champion':
        add(
          `${owner}: ${champion ? `test ${champion.full_name} as champion: ask for the internal decision plan` : 'identify a champion with influence'} by ${by(10)}`,
        );
        break;
      case 'Competition':
        add(
          `${owner}: share a benchmark against ${deal.primary_competitor ?? 'the competition'} with ${champion?.full_name ?? 'the evaluation team'} by ${by(10)}`,
        );
        break;
      default:
        add(
          `${owner}: confirm ${element.label.toLowerCase()} with the customer on the next call (by ${by(14)})`,
        );
    }
  }
  for (const risk of risks) {
    if (risk.short.startsWith('economic buyer')) {
      add(
        `${owner}: meet ${economicBuyer ? `${economicBuyer.full_name} (economic buyer)` : 'the economic buyer'} to confirm budget, priority and signature date by ${by(7)}`,
      );
    }
    if (risk.short === 'single-threaded')
      add(`${owner}: bring a second stakeholder into the next meeting by ${by(10)}`);
    if (risk.short.startsWith('no activity'))
      add(`${owner}: re-engage the account this week (by ${by(5)})`);
  }

  const latestActivity = evidence.activity[0];
  const lines = [
    `**${deal.account_name} — ${deal.opportunity_name}: ${verdict}, ${headlineReason}**`,
    `${stage} (${recordedProbability}%) · ${money(deal.arr)} ARR · closes ${longDate(deal.close_date)} (${deal.fiscal_quarter}) · owner ${owner} · ${deal.forecast_category}`,
    '',
    latestActivity
      ? `Last activity: ${latestActivity.activity_type} "${latestActivity.subject}" on ${longDate(latestActivity.activity_date)}${latestActivity.outcome ? ` (${latestActivity.outcome})` : ''}. Next step on record: ${deal.next_step ? `"${quote(deal.next_step, 120)}"` : 'none'}.`
      : `No logged activity on the deal. Next step on record: ${deal.next_step ? `"${quote(deal.next_step, 120)}"` : 'none'}.`,
    '',
    `**MEDDPICC ${total}/40**${minimum !== undefined ? ` (${stage} minimum ${minimum})` : ''}`,
    ...scores.map((s) => `- ${s.label} ${s.score}/5 — ${s.evidence}`),
    '',
    `**Probability:** ${probability}`,
    '',
    '**Risks**',
    ...(risks.length > 0
      ? risks.slice(0, 5).map((r) => `- ${r.text}`)
      : ['- None found in the warehouse data']),
    '',
    '**Next steps**',
    ...steps.map((s) => `- ${s}`),
  ];
  if (evidence.others.length > 0) {
    lines.push(
      '',
      `Also open for this name: ${evidence.others.map((o) => `${o.opportunity_name} (${o.stage}, ${money(o.arr)})`).join('; ')}.`,
    );
  }
  lines.push(
    '',
    `_Scored from CRM fields, contact engagement and call dates as of ${longDate(today)}; call content is not read offline, so nothing scores 5._`,
  );
  return lines.join('\n');
}

/** The stage's row of the stages table, when the knowledge base lookup returned it. */
function stageRule(
  passages: string,
  stage: string,
): { probability?: number; minimum?: number } | undefined {
  for (const line of passages.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells[1] !== stage) continue;
    const probability = Number(/^(\d+)%$/.exec(cells[2] ?? '')?.[1]);
    const minimum = Number(cells.at(-2));
    return {
      probability: Number.isFinite(probability) ? probability : undefined,
      minimum: Number.isFinite(minimum) && cells.at(-2) !== '' ? minimum : undefined,
    };
  }
  return undefined;
}
