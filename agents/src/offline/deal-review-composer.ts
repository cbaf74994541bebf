/**
 * The written deal review of the offline Deal Analysis agent, built section by section from the
 * rows its queries returned: what the evidence shows (`readReview`), MEDDPICC per element, the
 * risks by the rubric's rules, the verdict and probability, the next steps, and the lines that
 * put them together in the documented format.
 *
 * MEDDPICC is scored with the rubric's 0-5 scale from what the warehouse shows — whether each
 * element is recorded, and how recently the customer engaged on it (calls, the economic buyer's
 * and the champion's last engagement) — never from what was said, which the offline model does
 * not interpret. So it never gives 5 ("confirmed in writing"), and says so in the answer.
 */
import type { OfflineContext, Row } from './conversation';
import { addDays, daysBetween, longDate, money, quarterOf, quote } from './text';

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

export interface ReviewEvidence {
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

interface Risk {
  text: string;
  short: string;
  atRisk: boolean;
  lowers: boolean;
}

/** What the review's sections share: the deal, its evidence and what follows from them. */
interface ReviewFacts {
  today: string;
  deal: Row;
  evidence: ReviewEvidence;
  stage: string;
  owner: string;
  /** Gong calls, newest first. */
  calls: Row[];
  favourable: boolean;
  lastCallDays?: number;
  callNote: string;
  economicBuyer?: Row;
  champion?: Row;
  paperCall?: Row;
  competitorCalls: Row[];
  recentCompetitorCall?: Row;
  daysSince(value: unknown): number | undefined;
  recorded(field: string): boolean;
  claim(field: string): string;
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

function readReview(context: OfflineContext, deal: Row, evidence: ReviewEvidence): ReviewFacts {
  const today = context.today;
  const calls = [...evidence.calls].sort((a, b) =>
    String(b.started_at).localeCompare(String(a.started_at)),
  );
  const latestCall = calls[0];
  const daysSince = (value: unknown) => (value ? daysBetween(value, today) : undefined);
  const contact = (role: string) => evidence.contacts.find((c) => c.buying_role === role);
  const competitorCalls = calls.filter((c) => c.competitors_mentioned);
  const recorded = (field: string) =>
    deal[field] !== null && deal[field] !== undefined && String(deal[field]).trim() !== '';
  return {
    today,
    deal,
    evidence,
    stage: String(deal.stage),
    owner: String(deal.owner_name),
    calls,
    favourable: latestCall ? String(latestCall.sentiment) !== 'Negative' : false,
    lastCallDays: daysSince(latestCall?.started_at),
    callNote: latestCall
      ? `last customer call ${longDate(latestCall.started_at)} (${String(latestCall.sentiment).toLowerCase()})`
      : 'no Gong call on record',
    economicBuyer: contact('Economic Buyer'),
    champion: contact('Champion'),
    paperCall: calls.find((c) =>
      /legal|procurement|contract|security/i.test(String(c.topics ?? '')),
    ),
    competitorCalls,
    recentCompetitorCall: competitorCalls.find((c) => (daysSince(c.started_at) ?? 999) <= 60),
    daysSince,
    recorded,
    claim: (field) => (recorded(field) ? `"${quote(deal[field], 70)}"` : 'not recorded'),
  };
}

function scoreElements(f: ReviewFacts): ElementScore[] {
  const { deal, favourable, lastCallDays, economicBuyer, champion, paperCall } = f;
  return [
    {
      label: 'Metrics',
      score: ladder(f.recorded('meddpicc_metrics'), lastCallDays, favourable),
      evidence: `${f.claim('meddpicc_metrics')}; ${f.callNote}`,
    },
    {
      label: 'Economic buyer',
      score: f.recorded('meddpicc_economic_buyer')
        ? ladder(true, f.daysSince(economicBuyer?.last_engaged_date), favourable)
        : 0,
      evidence: economicBuyer
        ? `${economicBuyer.full_name} (${economicBuyer.title}), last engaged ${longDate(economicBuyer.last_engaged_date)}`
        : `${f.claim('meddpicc_economic_buyer')}; no contact with the Economic Buyer role`,
    },
    {
      label: 'Decision criteria',
      score: ladder(f.recorded('meddpicc_decision_criteria'), lastCallDays, favourable),
      evidence: f.claim('meddpicc_decision_criteria'),
    },
    {
      label: 'Decision process',
      score: ladder(f.recorded('meddpicc_decision_process'), lastCallDays, favourable),
      evidence: f.claim('meddpicc_decision_process'),
    },
    {
      label: 'Paper process',
      score: ladder(
        f.recorded('meddpicc_paper_process'),
        f.daysSince(paperCall?.started_at),
        favourable,
      ),
      evidence: f.recorded('meddpicc_paper_process')
        ? `${f.claim('meddpicc_paper_process')}${paperCall ? `; legal/procurement discussed ${longDate(paperCall.started_at)}` : ''}`
        : 'not recorded: security review, legal and procurement steps unknown',
    },
    {
      label: 'Identify pain',
      score: ladder(f.recorded('meddpicc_identify_pain'), lastCallDays, favourable),
      evidence: f.claim('meddpicc_identify_pain'),
    },
    {
      label: 'Champion',
      score: f.recorded('meddpicc_champion')
        ? ladder(true, f.daysSince(champion?.last_engaged_date), favourable, {
            confirmed: 30,
            recent: 14,
          })
        : 0,
      evidence: champion
        ? `${champion.full_name} (${champion.title}), last engaged ${longDate(champion.last_engaged_date)}`
        : f.claim('meddpicc_champion'),
    },
    {
      label: 'Competition',
      score:
        !f.recorded('meddpicc_competition') && !deal.primary_competitor
          ? 0
          : f.recentCompetitorCall
            ? 3
            : 2,
      evidence: `${deal.primary_competitor ? `primary competitor ${deal.primary_competitor}` : 'no primary competitor'}${
        f.recentCompetitorCall
          ? `; ${f.recentCompetitorCall.competitors_mentioned} raised on the ${longDate(f.recentCompetitorCall.started_at)} call`
          : ''
      }`,
    },
  ];
}

/** The stage's probability and MEDDPICC minimum, from the knowledge base when it answered. */
interface StageTerms {
  defaultProbability?: number;
  minimum?: number;
  closeIn: number;
}

function stageTerms(f: ReviewFacts): StageTerms {
  const rule = stageRule(f.evidence.rules, f.stage);
  return {
    defaultProbability: rule?.probability ?? STAGE_PROBABILITY[f.stage],
    minimum: rule?.minimum,
    closeIn: daysBetween(f.today, String(f.deal.close_date)) ?? 0,
  };
}

/** Risks, most serious first, each from the rubric's rules. */
function findRisks(f: ReviewFacts, scores: ElementScore[], terms: StageTerms): Risk[] {
  const { deal, stage, economicBuyer, champion } = f;
  const { minimum, closeIn } = terms;
  const total = scores.reduce((sum, s) => sum + s.score, 0);
  const score = (label: string) => scores.find((s) => s.label === label)?.score ?? 0;
  const lastActivityDays = f.daysSince(deal.last_activity_date);
  const quietLimit = stage === 'Negotiate' ? 21 : 14;
  const engaged = f.evidence.contacts.filter(
    (c) => (f.daysSince(c.last_engaged_date) ?? 999) <= 30,
  );
  const risks: Risk[] = [];
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
  const ebDays = f.daysSince(economicBuyer?.last_engaged_date);
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
  } else if (champion && (f.daysSince(champion.last_engaged_date) ?? 999) >= 21) {
    risks.push({
      text: `Champion ${champion.full_name} silent for ${f.daysSince(champion.last_engaged_date)} days`,
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
  const negativeCompetitor = f.competitorCalls.find(
    (c) => String(c.sentiment) === 'Negative' && (f.daysSince(c.started_at) ?? 999) <= 60,
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
  return risks;
}

/** The headline: who, which deal, the verdict and its main reason. */
function headlineOf(f: ReviewFacts, total: number, risks: Risk[], terms: StageTerms): string {
  const { deal } = f;
  const atRisk = risks.some((r) => r.atRisk);
  const closesThisQuarter = String(deal.fiscal_quarter) === quarterOf(f.today);
  const verdict =
    terms.closeIn < 0 || (atRisk && closesThisQuarter && Number(deal.arr) >= 500_000)
      ? 'critical'
      : atRisk
        ? 'at risk'
        : 'on track';
  const headlineReason =
    risks[0]?.short ??
    `MEDDPICC ${total}/40, activity ${f.daysSince(deal.last_activity_date) ?? '?'} days ago`;
  return `**${deal.account_name} — ${deal.opportunity_name}: ${verdict}, ${headlineReason}**`;
}

/** The recorded probability against the stage default, lowered 10 points per risk (at most 25). */
function probabilityOf(f: ReviewFacts, risks: Risk[], terms: StageTerms): string {
  const { stage } = f;
  const { defaultProbability } = terms;
  const lowering = risks.filter((r) => r.lowers).length;
  const recordedProbability = Number(f.deal.probability);
  const base = defaultProbability ?? recordedProbability;
  const assessed = Math.max(5, Math.min(90, base - Math.min(25, lowering * 10)));
  return lowering === 0
    ? `${recordedProbability}% recorded${defaultProbability !== undefined ? `, the ${stage} default (${defaultProbability}%)` : ''}; the warehouse shows nothing that argues for another figure.`
    : `${recordedProbability}% recorded${defaultProbability !== undefined ? ` (${stage} default ${defaultProbability}%)` : ''}; the risks below argue for about ${assessed}% (10 points per risk, at most 25).`;
}

/** Next steps: the two weakest elements and the top risks, each with the owner and a date. */
function nextSteps(
  f: ReviewFacts,
  scores: ElementScore[],
  risks: Risk[],
  terms: StageTerms,
): string[] {
  const { owner, deal, economicBuyer, champion } = f;
  const { closeIn } = terms;
  const by = (days: number) =>
    longDate(addDays(f.today, Math.max(1, Math.min(days, closeIn > 3 ? closeIn - 2 : days))));
  const procurement = f.evidence.contacts.find((c) => c.buying_role === 'Procurement');
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
  return steps;
}

/** The line under the headline and the last activity with the next step on record. */
function overviewLines(f: ReviewFacts): string[] {
  const { deal, stage, owner } = f;
  const latestActivity = f.evidence.activity[0];
  const nextStep = deal.next_step ? `"${quote(deal.next_step, 120)}"` : 'none';
  return [
    `${stage} (${Number(deal.probability)}%) · ${money(deal.arr)} ARR · closes ${longDate(deal.close_date)} (${deal.fiscal_quarter}) · owner ${owner} · ${deal.forecast_category}`,
    '',
    latestActivity
      ? `Last activity: ${latestActivity.activity_type} "${latestActivity.subject}" on ${longDate(latestActivity.activity_date)}${latestActivity.outcome ? ` (${latestActivity.outcome})` : ''}. Next step on record: ${nextStep}.`
      : `No logged activity on the deal. Next step on record: ${nextStep}.`,
  ];
}

export function composeReview(
  context: OfflineContext,
  deal: Row,
  evidence: ReviewEvidence,
): string {
  const f = readReview(context, deal, evidence);
  const scores = scoreElements(f);
  const total = scores.reduce((sum, s) => sum + s.score, 0);
  const terms = stageTerms(f);
  const risks = findRisks(f, scores, terms);
  const lines = [
    headlineOf(f, total, risks, terms),
    ...overviewLines(f),
    '',
    `**MEDDPICC ${total}/40**${terms.minimum !== undefined ? ` (${f.stage} minimum ${terms.minimum})` : ''}`,
    ...scores.map((s) => `- ${s.label} ${s.score}/5 — ${s.evidence}`),
    '',
    `**Probability:** ${probabilityOf(f, risks, terms)}`,
    '',
    '**Risks**',
    ...(risks.length > 0
      ? risks.slice(0, 5).map((r) => `- ${r.text}`)
      : ['- None found in the warehouse data']),
    '',
    '**Next steps**',
    ...nextSteps(f, scores, risks, terms).map((s) => `- ${s}`),
  ];
  if (evidence.others.length > 0) {
    lines.push(
      '',
      `Also open for this name: ${evidence.others.map((o) => `${o.opportunity_name} (${o.stage}, ${money(o.arr)})`).join('; ')}.`,
    );
  }
  lines.push(
    '',
    `_Scored from CRM fields, contact engagement and call dates as of ${longDate(f.today)}; call content is not read offline, so nothing scores 5._`,
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
