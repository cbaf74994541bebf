/**
 * The offline Lead Analysis agent: finds the lead with the `lead-lookup` SQL pattern, checks the
 * relationship (`account-overview`) and outreach so far (`lead-activity`), researches the company
 * with the web search tool, and scores the ICP fit with the rubric of
 * `knowledge_base/business_logic/icp_definition.md` (kept as data in `icp-rubric.ts`). Every
 * point comes from a warehouse row or a dated web result with its source; unknown or undated
 * facts score zero and are listed as gaps (`lead-assessment-composer.ts`). Without a name it
 * lists the most engaged open leads.
 */
import type { OfflineContext, OfflineStep, PlannedCall, Row } from './conversation';
import { composeAssessment } from './lead-assessment-composer';
import { documentedWording } from './revenue-vocabulary';
import { count, personAndCompany, quote, table } from './text';

export { ICP_RUBRIC, type RubricLine } from './icp-rubric';

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
  if (!context.ran('lead')) {
    return {
      kind: 'call',
      rationale: `I will look up ${[person, company].filter(Boolean).join(' at ')} among the leads.`,
      calls: [
        context.patternCall(
          'lead',
          'lead-lookup',
          { lead_name: person ?? '', company: company ?? '' },
          10,
        ),
      ],
    };
  }
  const outcome = context.resultOf('lead');
  const leads = context.rowsOf('lead');
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
  if (!context.ran('account')) {
    calls.push(
      context.patternCall('account', 'account-overview', { account_name: String(lead.company) }, 5),
    );
  }
  if (!context.ran('outreach')) {
    calls.push(
      context.patternCall('outreach', 'lead-activity', { lead_name: String(lead.full_name) }, 15),
    );
  }
  const research = context.toolNamed('web_search__research_company');
  if (research && !context.ran('research')) {
    calls.push({ step: 'research', name: research, input: { company_name: String(lead.company) } });
  }
  const kb = context.knowledgeBaseTool();
  if (kb && !context.ran('rubric')) {
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
  if (!context.ran('top-leads')) {
    return {
      kind: 'call',
      rationale: 'I will list the open leads with the most engagement in the last 30 days.',
      calls: [context.patternCall('top-leads', 'top-engaged-leads', {}, 20)],
    };
  }
  const rows = context.rowsOf('top-leads');
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
