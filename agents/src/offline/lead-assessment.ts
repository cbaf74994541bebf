/**
 * The offline Lead Analysis agent: finds the lead with the `lead-lookup` SQL pattern, checks the
 * relationship (`account-overview`) and outreach so far (`lead-activity`), researches the company
 * with the web search tool, and scores the ICP fit with the rubric of
 * `knowledge_base/business_logic/icp_definition.md` (kept here as data; a test checks every line
 * against the rubric's tables). Every point comes from a warehouse row or a dated web result with
 * its source; unknown or undated facts score zero and are listed as gaps.
 */
import {
  jsonOf,
  knowledgeBaseTool,
  type OfflineContext,
  type OfflineStep,
  type PlannedCall,
  patternCall,
  type Row,
  ran,
  resultOf,
  rowsOf,
  toolNamed,
} from './conversation';
import { documentedWording } from './revenue-vocabulary';
import {
  addDays,
  COMPETITORS,
  count,
  daysBetween,
  longDate,
  money,
  personAndCompany,
  quote,
  table,
} from './text';

/** One line of the rubric: the fact as the knowledge base words it, and its points. */
export interface RubricLine {
  fact: string;
  points: number;
}

/** The ICP rubric's tables, worded as in `icp_definition.md`. */
export const ICP_RUBRIC = {
  firmographics: {
    cap: 30,
    employees: [
      { min: 5_000, line: { fact: 'Employees 5,000+ (Enterprise)', points: 12 } },
      { min: 1_000, line: { fact: 'Employees 1,000-4,999', points: 10 } },
      { min: 500, line: { fact: 'Employees 500-999', points: 8 } },
      { min: 200, line: { fact: 'Employees 200-499', points: 5 } },
      { min: 0, line: { fact: 'Employees under 200', points: 2 } },
    ],
    industryFit: {
      fact: 'Industry Software, Financial Services, E-commerce/Retail, Media, Telecommunications, Gaming, AdTech',
      points: 10,
    },
    industryPartial: { fact: 'Industry Healthcare, Manufacturing, Logistics, Energy', points: 6 },
    industryOther: { fact: 'Other industries', points: 2 },
    regionCore: { fact: 'Region North America or EMEA', points: 5 },
    regionOther: { fact: 'Region APAC or LATAM', points: 3 },
    revenue: { fact: 'Annual revenue $100M+', points: 3 },
  },
  technology: {
    cap: 25,
    competitor: {
      fact: 'Runs a cloud data warehouse or lakehouse we compete with or displace (Snowflake, Databricks, Google BigQuery, Amazon Redshift, ClickHouse)',
      points: 10,
    },
    legacy: {
      fact: 'Legacy on-premises warehouse (Teradata, Oracle Exadata, Netezza, Vertica)',
      points: 8,
    },
    cloud: { fact: 'On a major cloud (AWS, Google Cloud, Azure)', points: 5 },
    tooling: { fact: 'Modern data tooling (dbt, Airflow, Fivetran, Kafka, Spark)', points: 5 },
    useCase: {
      fact: 'Customer-facing analytics or real-time use case stated (embedded dashboards, streaming, sub-second SLAs)',
      points: 5,
    },
  },
  growth: {
    cap: 20,
    funding: { fact: 'Raised funding in the last 12 months', points: 6 },
    hiring: {
      fact: 'Hiring data engineers, analytics engineers or data platform roles now',
      points: 5,
    },
    leadership: {
      fact: 'New data leadership (CDO, VP Data, Head of Data Platform) in the last 12 months',
      points: 4,
    },
    initiative: {
      fact: 'Public migration, modernisation or cost-reduction initiative for data',
      points: 5,
    },
    expansion: {
      fact: 'Expansion: new markets, products, acquisitions in the last 12 months',
      points: 3,
    },
    negative: {
      fact: 'Negative signal: layoffs or hiring freeze in data/engineering in the last 6 months',
      points: -5,
    },
  },
  engagement: {
    cap: 25,
    visits: { fact: '`website_visits_30d` 10+', points: 6, mid: 4, low: 2 },
    downloads: { fact: '`content_downloads_30d` 2+', points: 5, low: 3 },
    opens: { fact: '`email_opens_30d` 5+', points: 3, low: 1 },
    source: {
      fact: '`lead_source` Webinar, Event or Website (inbound)',
      points: 4,
      partner: 3,
      content: 3,
      outbound: 1,
    },
    recency: { fact: '`last_activity_date` in the last 14 days', points: 3, month: 1 },
    seniority: {
      fact: 'Seniority: title VP, Head, Director, Chief (decision power)',
      points: 4,
      manager: 2,
      individual: 1,
    },
  },
} as const;

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

export function leadAssessment(context: OfflineContext): OfflineStep {
  const { person, company } = personAndCompany(context.task);
  const wording = documentedWording(context.task);
  if (
    (!person && !company && /\bleads\b/.test(wording)) ||
    /\btop engaged\b|\bwhich leads\b|\bwho are our\b.*\bleads\b/.test(wording)
  ) {
    return topLeads(context);
  }
  if (!person && !company) {
    return {
      kind: 'answer',
      text: 'Which lead should I assess? Give the person and the company, e.g. "Assess John Smith at DataCorp".',
    };
  }
  if (!ran(context, 'lead')) {
    return {
      kind: 'call',
      rationale: `I will look up ${[person, company].filter(Boolean).join(' at ')} among the leads.`,
      calls: [
        patternCall(
          context,
          'lead',
          'lead-lookup',
          { lead_name: person ?? '', company: company ?? '' },
          10,
        ),
      ],
    };
  }
  const outcome = resultOf(context, 'lead');
  const leads = rowsOf(outcome);
  if (!outcome?.ok)
    return {
      kind: 'answer',
      text: `I could not look the lead up: ${quote(outcome?.content, 300)}`,
    };
  if (leads.length === 0) {
    return {
      kind: 'answer',
      text: `No lead matches ${[person, company]
        .filter(Boolean)
        .map((n) => `"${n}"`)
        .join(
          ' at ',
        )} in the warehouse. If they are a contact at an existing customer, this is an expansion conversation for the account owner.`,
    };
  }
  if (leads.length > 1 && !(person && company)) {
    const list = leads
      .slice(0, 5)
      .map(
        (l) => `- ${l.full_name}, ${l.title} at ${l.company} (${l.status}, owner ${l.owner_name})`,
      );
    return { kind: 'answer', text: `Several leads match; which one?\n${list.join('\n')}` };
  }
  const lead = leads[0] as Row;

  const calls: PlannedCall[] = [];
  if (!ran(context, 'account')) {
    calls.push(
      patternCall(
        context,
        'account',
        'account-overview',
        { account_name: String(lead.company) },
        5,
      ),
    );
  }
  if (!ran(context, 'outreach')) {
    calls.push(
      patternCall(context, 'outreach', 'lead-activity', { lead_name: String(lead.full_name) }, 15),
    );
  }
  const research = toolNamed(context, 'web_search__research_company');
  if (research && !ran(context, 'research')) {
    calls.push({ step: 'research', name: research, input: { company_name: String(lead.company) } });
  }
  const kb = knowledgeBaseTool(context);
  if (kb && !ran(context, 'rubric')) {
    calls.push({
      step: 'rubric',
      name: kb,
      input: { searchQuery: 'ICP scoring rubric grade bands' },
    });
  }
  if (calls.length > 0) {
    return {
      kind: 'call',
      rationale: `Found ${lead.full_name} (${lead.title}, ${lead.company}). I will check the relationship, the outreach so far and research the company before scoring.`,
      calls,
    };
  }
  return { kind: 'answer', text: composeAssessment(context, lead) };
}

/** The open leads to call first: the most engaged in the last 30 days, by the documented weights. */
function topLeads(context: OfflineContext): OfflineStep {
  if (!ran(context, 'top-leads')) {
    return {
      kind: 'call',
      rationale: 'I will list the open leads with the most engagement in the last 30 days.',
      calls: [patternCall(context, 'top-leads', 'top-engaged-leads', {}, 20)],
    };
  }
  const rows = rowsOf(resultOf(context, 'top-leads'));
  if (rows.length === 0)
    return { kind: 'answer', text: '**No open lead shows engagement in the last 30 days.**' };
  const shown = rows.slice(0, 8);
  const top = rows[0]!;
  return {
    kind: 'answer',
    text: [
      `**Call ${top.full_name} (${top.title}, ${top.company}) first: the most engaged of ${rows.length} open leads**`,
      '',
      table(
        ['Lead', 'Company', 'Engagement', 'Status', 'Owner'],
        shown.map((r) => [
          `${r.full_name}, ${r.title}`,
          `${r.company} (${count(r.employee_count)} employees)`,
          `${r.website_visits_30d} site visits, ${r.email_opens_30d} e-mail opens, ${r.content_downloads_30d} downloads`,
          String(r.status),
          String(r.owner_name),
        ]),
      ),
      '',
      '_Open leads (New, Working, Nurturing) at companies of 200+ employees; engagement in the last 30 days weighs visits 1, opens 2, downloads 5. Want an ICP assessment of one of them?_',
    ].join('\n'),
  };
}

/** Research results about the company itself (search results also bring other companies). */
function webResults(context: OfflineContext, company: string): WebResult[] {
  const body = jsonOf<{ sections?: { results?: WebResult[] }[] }>(resultOf(context, 'research'));
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

function composeAssessment(context: OfflineContext, lead: Row): string {
  const { today } = context;
  const rubric = ICP_RUBRIC;
  const company = String(lead.company);
  const web = webResults(context, company);
  const researchFailed = ran(context, 'research') && !resultOf(context, 'research')?.ok;
  const gaps: string[] = [];
  const ageDays = (r: WebResult) =>
    r.date ? daysBetween(new Date(r.date).toISOString(), today) : undefined;
  const cite = (r: WebResult) =>
    `[${r.title}](${r.url})${r.date ? `, ${longDate(new Date(r.date).toISOString())}` : ''}`;

  // Firmographics
  const firm: Points[] = [];
  const employees = Number(lead.employee_count);
  if (Number.isFinite(employees) && lead.employee_count !== null) {
    const band = rubric.firmographics.employees.find((b) => employees >= b.min)!;
    firm.push({
      label: 'employees',
      points: band.line.points,
      why: `${count(employees)} employees`,
    });
  } else gaps.push('employee count');
  const industry = String(lead.industry ?? '');
  if (industry) {
    const line = FIT_INDUSTRIES.test(industry)
      ? rubric.firmographics.industryFit
      : PARTIAL_INDUSTRIES.test(industry)
        ? rubric.firmographics.industryPartial
        : rubric.firmographics.industryOther;
    firm.push({ label: 'industry', points: line.points, why: industry });
  } else gaps.push('industry');
  const region = String(lead.region ?? '');
  if (/north america|emea/i.test(region))
    firm.push({ label: 'region', points: rubric.firmographics.regionCore.points, why: region });
  else if (/apac|latam/i.test(region))
    firm.push({ label: 'region', points: rubric.firmographics.regionOther.points, why: region });
  else gaps.push('region');
  if (Number(lead.annual_revenue) >= 100_000_000) {
    firm.push({
      label: 'revenue',
      points: rubric.firmographics.revenue.points,
      why: `${money(lead.annual_revenue)} revenue`,
    });
  } else if (lead.annual_revenue === null) gaps.push('annual revenue');

  // Technology
  const stack = String(lead.tech_stack ?? '');
  const tech: Points[] = [];
  if (!stack) gaps.push('tech stack');
  const competitor = COMPETITORS.find((c) => new RegExp(c.split(' ').at(-1)!, 'i').test(stack));
  if (COMPETITOR_STACK.test(stack))
    tech.push({
      label: 'competitor',
      points: rubric.technology.competitor.points,
      why: competitor ?? 'competing warehouse',
    });
  if (LEGACY.test(stack))
    tech.push({
      label: 'legacy',
      points: rubric.technology.legacy.points,
      why: LEGACY.exec(stack)?.[0] ?? 'legacy warehouse',
    });
  if (CLOUD.test(stack))
    tech.push({
      label: 'cloud',
      points: rubric.technology.cloud.points,
      why: CLOUD.exec(stack)?.[0] ?? 'cloud',
    });
  if (TOOLING.test(stack)) {
    const tools = stack.split(/,\s*/).filter((t) => TOOLING.test(t));
    tech.push({
      label: 'tooling',
      points: rubric.technology.tooling.points,
      why: tools.join(', '),
    });
  }
  const useCase = web.find((r) =>
    /real-time|customer-facing|embedded (dashboards|analytics)|streaming|sub-second/i.test(
      r.snippet,
    ),
  );
  if (useCase)
    tech.push({
      label: 'use case',
      points: rubric.technology.useCase.points,
      why: `real-time or customer-facing use case (${cite(useCase)})`,
    });
  else gaps.push('stated real-time or customer-facing use case');

  // Growth and timing: dated web facts within the rubric's windows only.
  const growth: Points[] = [];
  const signal = (pattern: RegExp, line: RubricLine, label: string, windowDays = 365) => {
    const hits = web.filter((r) => pattern.test(`${r.title} ${r.snippet}`));
    const dated = hits.find((r) => {
      const age = ageDays(r);
      return age !== undefined && age >= 0 && age <= windowDays;
    });
    if (dated) growth.push({ label, points: line.points, why: `${label} (${cite(dated)})` });
    else if (hits[0]) gaps.push(`${label}: reported without a date (${hits[0].url}), not counted`);
    return dated;
  };
  const funding = signal(
    /\braised\b|series [a-h]\b|funding round/i,
    rubric.growth.funding,
    'funding',
  );
  signal(
    /\bhiring\b.*\b(data|analytics) (engineer|platform)/i,
    rubric.growth.hiring,
    'hiring for data roles',
  );
  const leadership = signal(
    /(hires|appoint|names|joins).*(chief data|\bcdo\b|vp of data|vp data|head of data)/i,
    rubric.growth.leadership,
    'new data leadership',
  );
  const initiative = signal(
    /migrat|moderni[sz]|cost(s)? (review|reduction|cut)|reviewing .* costs|initiative/i,
    rubric.growth.initiative,
    'data initiative',
  );
  signal(/\bexpand|new market|acquir|international/i, rubric.growth.expansion, 'expansion');
  const negative = web.find(
    (r) => /layoff|hiring freeze/i.test(r.snippet) && (ageDays(r) ?? 999) <= 183,
  );
  if (negative)
    growth.push({
      label: 'negative signal',
      points: rubric.growth.negative.points,
      why: `layoffs or freeze (${cite(negative)})`,
    });
  if (researchFailed) gaps.push('web research (the search failed)');

  // Engagement
  const engagement: Points[] = [];
  const e = rubric.engagement;
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

  const section = (items: Points[], cap: number) =>
    Math.max(
      0,
      Math.min(
        cap,
        items.reduce((sum, p) => sum + p.points, 0),
      ),
    );
  const firmTotal = section(firm, rubric.firmographics.cap);
  const techTotal = section(tech, rubric.technology.cap);
  const growthTotal = section(growth, rubric.growth.cap);
  const engagementTotal = section(engagement, rubric.engagement.cap);
  const total = firmTotal + techTotal + growthTotal + engagementTotal;
  const grade = total >= 80 ? 'A' : total >= 60 ? 'B' : total >= 40 ? 'C' : 'D';
  const verdict = { A: 'strong fit, engaged', B: 'good fit', C: 'partial fit', D: 'poor fit' }[
    grade
  ];
  const explain = (items: Points[]) =>
    items.length > 0
      ? items.map((p) => `${p.why} (${p.points > 0 ? '+' : ''}${p.points})`).join(', ')
      : 'no facts found';

  // Relationship and disqualifiers
  const accounts = rowsOf(resultOf(context, 'account'));
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

  const outreach = rowsOf(resultOf(context, 'outreach'));
  const lastTouch = outreach[0];
  const status =
    disqualifier && /customer|competitor/.test(disqualifier)
      ? 'Unqualified'
      : grade === 'A' || grade === 'B'
        ? 'Working'
        : grade === 'C'
          ? 'Nurturing'
          : 'Unqualified';
  const competitorName = competitor ?? 'their current warehouse';
  const focus = useCase ? 'real-time customer analytics' : 'analytics at scale';
  const trigger = initiative ?? leadership ?? funding;
  const channel = /webinar/i.test(source)
    ? `E-mail within 48 hours with the webinar recording and one insight on ${focus}, then a call`
    : /content/i.test(source)
      ? 'E-mail on the topic they downloaded, then a call'
      : /outbound/i.test(source)
        ? 'Phone and LinkedIn'
        : grade === 'A'
          ? 'Personal outreach by phone and e-mail within 24 hours'
          : 'Tailored e-mail sequence within 48 hours';

  const stackTools = stack.split(/,\s*/).filter((t) => CLOUD.test(t) || TOOLING.test(t));
  const lines = [
    `**${lead.full_name}, ${title} at ${company}: ICP ${total}/100 (grade ${grade}) — ${verdict}**`,
    '',
    '**Fit**',
    `- Firmographics ${firmTotal}/30 — ${explain(firm)}`,
    `- Technology ${techTotal}/25 — ${stack ? `${stack}: ` : ''}${explain(tech)}`,
    `- Growth and timing ${growthTotal}/20 — ${explain(growth)}`,
    `- Engagement ${engagementTotal}/25 — ${explain(engagement)}`,
    `- Gaps: ${gaps.length > 0 ? gaps.join('; ') : 'none'}`,
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
    `- Context question: "${trigger ? `With ${signalPhrase(trigger.title, company)}, how` : 'How'} are you handling ${focus} on ${competitorName} today?"`,
    `- Value proposition: Sub-second queries at high concurrency for ${focus}${stackTools.length > 0 ? `, fitting ${listOf(stackTools)}` : ''}. ${competitor ? `A cost and performance comparison against ${competitor} on their own workload is the proof point to offer.` : 'Offer a proof of concept on their own workload.'}`,
    `- Channel: ${channel}.`,
    `- Follow-up: two more touches on ${longDate(addDays(context.today, 3))} and ${longDate(addDays(context.today, 7))}; multi-thread a Head of Analytics and a Director of Data Platform.`,
    '',
    `**Recommended status:** ${status} — grade ${grade}${disqualifier ? `; ${disqualifier}` : ''}.`,
    '',
    `To save it: lead ${lead.lead_id}, score ${total}, grade ${grade}.`,
  ];
  return lines.join('\n');
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
