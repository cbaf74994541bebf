/**
 * The written lead assessment of the offline Lead Analysis agent, built section by section: the
 * ICP points of each rubric section (firmographics, technology, growth and timing, engagement)
 * with the gaps they leave, the relationship and disqualifiers, the recommended status and the
 * engagement strategy. Every point comes from the lead's row or a dated web result, cited.
 */

import { COMPETITORS } from '../knowledge-base/warehouse-schema';
import { jsonOf, type OfflineContext, type Row } from './conversation';
import { ICP_RUBRIC, type RubricLine } from './icp-rubric';
import { addDays, count, daysBetween, longDate, money, quote } from './text';

const FIT_INDUSTRIES = /software|financial|e-?commerce|retail|media|telecom|gaming|adtech/i;
const PARTIAL_INDUSTRIES = /healthcare|manufactur|logistic|energy/i;
const LEGACY = /teradata|exadata|netezza|vertica/i;
const CLOUD = /\baws\b|amazon web services|google cloud|\bgcp\b|azure/i;
const TOOLING = /\bdbt\b|airflow|fivetran|kafka|spark/i;
const COMPETITOR_STACK = /snowflake|databricks|bigquery|redshift|clickhouse/i;

interface WebResult {
  title: string;
  url: string;
  snippet: string;
  date: string | null;
}

interface Points {
  label: string;
  points: number;
  why: string;
}

/** What the sections share: the lead, today, the web results about the company, the gaps. */
interface Assessment {
  lead: Row;
  today: string;
  company: string;
  web: WebResult[];
  /** Facts the rubric needed and the evidence did not give, in the order they were found. */
  gaps: string[];
  ageDays(r: WebResult): number | undefined;
  cite(r: WebResult): string;
}

/** Research results about the company itself (search results also bring other companies). */
function webResults(context: OfflineContext, company: string): WebResult[] {
  const body = jsonOf<{ sections?: { results?: WebResult[] }[] }>(context.resultOf('research'));
  const byUrl = new Map<string, WebResult>();
  const about = company.toLowerCase();
  for (const section of body?.sections ?? []) {
    for (const result of section.results ?? []) {
      if (!`${result.title} ${result.snippet}`.toLowerCase().includes(about)) continue;
      const known = byUrl.get(result.url);
      if (!known || (!known.date && result.date)) byUrl.set(result.url, result);
    }
  }
  return [...byUrl.values()];
}

function firmographics({ lead, gaps }: Assessment): Points[] {
  const rubric = ICP_RUBRIC.firmographics;
  const firm: Points[] = [];
  const employees = Number(lead.employee_count);
  if (Number.isFinite(employees) && lead.employee_count !== null) {
    const band = rubric.employees.find((b) => employees >= b.min)!;
    firm.push({
      label: 'employees',
      points: band.line.points,
      why: `${count(employees)} employees`,
    });
  } else gaps.push('employee count');
  const industry = String(lead.industry ?? '');
  if (industry) {
    const line = FIT_INDUSTRIES.test(industry)
      ? rubric.industryFit
      : PARTIAL_INDUSTRIES.test(industry)
        ? rubric.industryPartial
        : rubric.industryOther;
    firm.push({ label: 'industry', points: line.points, why: industry });
  } else gaps.push('industry');
  const region = String(lead.region ?? '');
  if (/north america|emea/i.test(region))
    firm.push({ label: 'region', points: rubric.regionCore.points, why: region });
  else if (/apac|latam/i.test(region))
    firm.push({ label: 'region', points: rubric.regionOther.points, why: region });
  else gaps.push('region');
  if (Number(lead.annual_revenue) >= 100_000_000) {
    firm.push({
      label: 'revenue',
      points: rubric.revenue.points,
      why: `${money(lead.annual_revenue)} revenue`,
    });
  } else if (lead.annual_revenue === null) gaps.push('annual revenue');
  return firm;
}

interface Technology {
  points: Points[];
  stack: string;
  /** The competing warehouse they run, by its name in COMPETITORS. */
  competitor?: string;
  useCase?: WebResult;
}

function technology(a: Assessment): Technology {
  const rubric = ICP_RUBRIC.technology;
  const stack = String(a.lead.tech_stack ?? '');
  const tech: Points[] = [];
  if (!stack) a.gaps.push('tech stack');
  const competitor = COMPETITORS.find((c) => new RegExp(c.split(' ').at(-1)!, 'i').test(stack));
  if (COMPETITOR_STACK.test(stack))
    tech.push({
      label: 'competitor',
      points: rubric.competitor.points,
      why: competitor ?? 'competing warehouse',
    });
  if (LEGACY.test(stack))
    tech.push({
      label: 'legacy',
      points: rubric.legacy.points,
      why: LEGACY.exec(stack)?.[0] ?? 'legacy warehouse',
    });
  if (CLOUD.test(stack))
    tech.push({
      label: 'cloud',
      points: rubric.cloud.points,
      why: CLOUD.exec(stack)?.[0] ?? 'cloud',
    });
  if (TOOLING.test(stack)) {
    const tools = stack.split(/,\s*/).filter((t) => TOOLING.test(t));
    tech.push({
      label: 'tooling',
      points: rubric.tooling.points,
      why: tools.join(', '),
    });
  }
  const useCase = a.web.find((r) =>
    /real-time|customer-facing|embedded (dashboards|analytics)|streaming|sub-second/i.test(
      r.snippet,
    ),
  );
  if (useCase)
    tech.push({
      label: 'use case',
      points: rubric.useCase.points,
      why: `real-time or customer-facing use case (${a.cite(useCase)})`,
    });
  else a.gaps.push('stated real-time or customer-facing use case');
  return { points: tech, stack, competitor, useCase };
}

interface Growth {
  points: Points[];
  funding?: WebResult;
  leadership?: WebResult;
  initiative?: WebResult;
}

/** Growth and timing: dated web facts within the rubric's windows only. */
function growth(a: Assessment, researchFailed: boolean): Growth {
  const rubric = ICP_RUBRIC.growth;
  const points: Points[] = [];
  const signal = (pattern: RegExp, line: RubricLine, label: string, windowDays = 365) => {
    const hits = a.web.filter((r) => pattern.test(`${r.title} ${r.snippet}`));
    const dated = hits.find((r) => {
      const age = a.ageDays(r);
      return age !== undefined && age >= 0 && age <= windowDays;
    });
    if (dated) points.push({ label, points: line.points, why: `${label} (${a.cite(dated)})` });
    else if (hits[0])
      a.gaps.push(`${label}: reported without a date (${hits[0].url}), not counted`);
    return dated;
  };
  const funding = signal(/\braised\b|series [a-h]\b|funding round/i, rubric.funding, 'funding');
  signal(
    /\bhiring\b.*\b(data|analytics) (engineer|platform)/i,
    rubric.hiring,
    'hiring for data roles',
  );
  const leadership = signal(
    /(hires|appoint|names|joins).*(chief data|\bcdo\b|vp of data|vp data|head of data)/i,
    rubric.leadership,
    'new data leadership',
  );
  const initiative = signal(
    /migrat|moderni[sz]|cost(s)? (review|reduction|cut)|reviewing .* costs|initiative/i,
    rubric.initiative,
    'data initiative',
  );
  signal(/\bexpand|new market|acquir|international/i, rubric.expansion, 'expansion');
  const negative = a.web.find(
    (r) => /layoff|hiring freeze/i.test(r.snippet) && (a.ageDays(r) ?? 999) <= 183,
  );
  if (negative)
    points.push({
      label: 'negative signal',
      points: rubric.negative.points,
      why: `layoffs or freeze (${a.cite(negative)})`,
    });
  if (researchFailed) a.gaps.push('web research (the search failed)');
  return { points, funding, leadership, initiative };
}

function engagementPoints({ lead, today }: Assessment): Points[] {
  const engagement: Points[] = [];
  const e = ICP_RUBRIC.engagement;
  const visits = Number(lead.website_visits_30d ?? 0);
  if (visits > 0)
    engagement.push({
      label: 'visits',
      points: visits >= 10 ? e.visits.points : visits >= 5 ? e.visits.mid : e.visits.low,
      why: `${visits} site visits`,
    });
  const downloads = Number(lead.content_downloads_30d ?? 0);
  if (downloads > 0)
    engagement.push({
      label: 'downloads',
      points: downloads >= 2 ? e.downloads.points : e.downloads.low,
      why: `${downloads} downloads`,
    });
  const opens = Number(lead.email_opens_30d ?? 0);
  if (opens > 0)
    engagement.push({
      label: 'opens',
      points: opens >= 5 ? e.opens.points : e.opens.low,
      why: `${opens} e-mail opens`,
    });
  const source = String(lead.lead_source ?? '');
  const sourcePoints = /webinar|event|website/i.test(source)
    ? e.source.points
    : /partner/i.test(source)
      ? e.source.partner
      : /content/i.test(source)
        ? e.source.content
        : /outbound/i.test(source)
          ? e.source.outbound
          : 0;
  if (sourcePoints > 0)
    engagement.push({ label: 'source', points: sourcePoints, why: `${source} lead` });
  const lastActive = daysBetween(lead.last_activity_date, today);
  if (lastActive !== undefined && lastActive <= 30) {
    engagement.push({
      label: 'recency',
      points: lastActive <= 14 ? e.recency.points : e.recency.month,
      why: `active ${lastActive} days ago`,
    });
  }
  const title = String(lead.title ?? '');
  const seniority = /\b(vp|vice president|head|director|chief)\b/i.test(title)
    ? e.seniority.points
    : /\b(manager|lead)\b/i.test(title)
      ? e.seniority.manager
      : e.seniority.individual;
  engagement.push({ label: 'seniority', points: seniority, why: title || 'title unknown' });
  return engagement;
}

const sectionTotal = (items: Points[], cap: number) =>
  Math.max(
    0,
    Math.min(
      cap,
      items.reduce((sum, p) => sum + p.points, 0),
    ),
  );

const explain = (items: Points[]) =>
  items.length > 0
    ? items.map((p) => `${p.why} (${p.points > 0 ? '+' : ''}${p.points})`).join(', ')
    : 'no facts found';

/** The account behind the lead, if any, and what rules outreach out or asks for coordination. */
function relationshipOf(
  context: OfflineContext,
  { lead, company }: Assessment,
): { relationship: string; disqualifier?: string } {
  const accounts = context.rowsOf('account');
  const account =
    accounts.find((a) => String(a.account_name).toLowerCase() === company.toLowerCase()) ??
    accounts[0];
  let relationship = `New logo: no account named ${company} in the warehouse. Lead owner ${lead.owner_name}.`;
  let disqualifier: string | undefined;
  if (account) {
    relationship = `${account.account_name} is a ${String(account.account_type).toLowerCase()} account owned by ${account.owner_name}${
      Number(account.current_arr) > 0 ? `, ${money(account.current_arr)} ARR` : ''
    }${Number(account.open_deals) > 0 ? `, ${account.open_deals} open deals (${money(account.open_pipeline_arr)})` : ''}.`;
    if (account.account_type === 'Customer')
      disqualifier = `a contact at a current customer: route to ${account.owner_name} as an expansion conversation`;
    else if (Number(account.open_deals) > 0 && account.owner_name !== lead.owner_name)
      disqualifier = `an open opportunity owned by ${account.owner_name}: coordinate before outreach`;
  }
  if (COMPETITORS.some((c) => c.toLowerCase() === company.toLowerCase()))
    disqualifier = 'a competitor’s employee';
  return { relationship, disqualifier };
}

/** The engagement strategy's four bullets. */
function strategyLines(a: Assessment, tech: Technology, signals: Growth, grade: string): string[] {
  const { lead, company } = a;
  const source = String(lead.lead_source ?? '');
  const competitorName = tech.competitor ?? 'their current warehouse';
  const focus = tech.useCase ? 'real-time customer analytics' : 'analytics at scale';
  const trigger = signals.initiative ?? signals.leadership ?? signals.funding;
  const channel = /webinar/i.test(source)
    ? `E-mail within 48 hours with the webinar recording and one insight on ${focus}, then a call`
    : /content/i.test(source)
      ? 'E-mail on the topic they downloaded, then a call'
      : /outbound/i.test(source)
        ? 'Phone and LinkedIn'
        : grade === 'A'
          ? 'Personal outreach by phone and e-mail within 24 hours'
          : 'Tailored e-mail sequence within 48 hours';
  const stackTools = tech.stack.split(/,\s*/).filter((t) => CLOUD.test(t) || TOOLING.test(t));
  return [
    `- Context question: "${trigger ? `With ${signalPhrase(trigger.title, company)}, how` : 'How'} are you handling ${focus} on ${competitorName} today?"`,
    `- Value proposition: Sub-second queries at high concurrency for ${focus}${stackTools.length > 0 ? `, fitting ${listOf(stackTools)}` : ''}. ${tech.competitor ? `A cost and performance comparison against ${tech.competitor} on their own workload is the proof point to offer.` : 'Offer a proof of concept on their own workload.'}`,
    `- Channel: ${channel}.`,
    `- Follow-up: two more touches on ${longDate(addDays(a.today, 3))} and ${longDate(addDays(a.today, 7))}; multi-thread a Head of Analytics and a Director of Data Platform.`,
  ];
}

export function composeAssessment(context: OfflineContext, lead: Row): string {
  const { today } = context;
  const company = String(lead.company);
  const a: Assessment = {
    lead,
    today,
    company,
    web: webResults(context, company),
    gaps: [],
    ageDays: (r) => (r.date ? daysBetween(new Date(r.date).toISOString(), today) : undefined),
    cite: (r) =>
      `[${r.title}](${r.url})${r.date ? `, ${longDate(new Date(r.date).toISOString())}` : ''}`,
  };
  const researchFailed = context.ran('research') && !context.resultOf('research')?.ok;
  const firm = firmographics(a);
  const tech = technology(a);
  const signals = growth(a, researchFailed);
  const engagement = engagementPoints(a);

  const firmTotal = sectionTotal(firm, ICP_RUBRIC.firmographics.cap);
  const techTotal = sectionTotal(tech.points, ICP_RUBRIC.technology.cap);
  const growthTotal = sectionTotal(signals.points, ICP_RUBRIC.growth.cap);
  const engagementTotal = sectionTotal(engagement, ICP_RUBRIC.engagement.cap);
  const total = firmTotal + techTotal + growthTotal + engagementTotal;
  const grade = total >= 80 ? 'A' : total >= 60 ? 'B' : total >= 40 ? 'C' : 'D';
  const verdict = { A: 'strong fit, engaged', B: 'good fit', C: 'partial fit', D: 'poor fit' }[
    grade
  ];

  const { relationship, disqualifier } = relationshipOf(context, a);
  const lastTouch = context.rowsOf('outreach')[0];
  const status =
    disqualifier && /customer|competitor/.test(disqualifier)
      ? 'Unqualified'
      : grade === 'A' || grade === 'B'
        ? 'Working'
        : grade === 'C'
          ? 'Nurturing'
          : 'Unqualified';
  const title = String(lead.title ?? '');
  return [
    `**${lead.full_name}, ${title} at ${company}: ICP ${total}/100 (grade ${grade}) — ${verdict}**`,
    '',
    '**Fit**',
    `- Firmographics ${firmTotal}/30 — ${explain(firm)}`,
    `- Technology ${techTotal}/25 — ${tech.stack ? `${tech.stack}: ` : ''}${explain(tech.points)}`,
    `- Growth and timing ${growthTotal}/20 — ${explain(signals.points)}`,
    `- Engagement ${engagementTotal}/25 — ${explain(engagement)}`,
    `- Gaps: ${a.gaps.length > 0 ? a.gaps.join('; ') : 'none'}`,
    '',
    `**Relationship:** ${relationship}${disqualifier ? ` Disqualifier: ${disqualifier}.` : ''}${
      lead.latest_icp_score !== null && lead.latest_icp_score !== undefined
        ? ` Last recorded ICP score: ${lead.latest_icp_score} (${lead.latest_icp_grade}) on ${longDate(lead.latest_scored_at)}.`
        : ''
    }`,
    lastTouch
      ? `Latest outreach: ${lastTouch.activity_type} "${lastTouch.subject}" on ${longDate(lastTouch.activity_date)} — ${lastTouch.status}${lastTouch.outcome ? `, "${quote(lastTouch.outcome, 90)}"` : ''}.`
      : 'No outreach logged yet.',
    '',
    '**Engagement strategy**',
    ...strategyLines(a, tech, signals, grade),
    '',
    `**Recommended status:** ${status} — grade ${grade}${disqualifier ? `; ${disqualifier}` : ''}.`,
    '',
    `To save it: lead ${lead.lead_id}, score ${total}, grade ${grade}.`,
  ].join('\n');
}

/** "DataCorp launches real-time analytics initiative" → "the real-time analytics initiative". */
function signalPhrase(title: string, company: string): string {
  const rest = title
    .replace(new RegExp(`^${company.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+`, 'i'), '')
    .replace(
      /^(launches|announces|starts|begins|unveils|opens|hires|appoints|names|raises|closes)\s+/i,
      '',
    );
  return /^(hires|appoints|names)/i.test(title.replace(new RegExp(`^${company}\\s+`, 'i'), ''))
    ? 'the new data leadership'
    : `the ${rest.charAt(0).toLowerCase()}${rest.slice(1)}`;
}

const listOf = (items: string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
