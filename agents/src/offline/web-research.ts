/**
 * The offline Web Search agent: `research_company` for the company the question names, with the
 * focus it asks for (news, funding, tech stack, competitors or an overview), answered as dated
 * facts about that company, each with its source.
 */
import { jsonOf, type OfflineContext, type OfflineStep } from './conversation';
import { longDate, normalized, quote, subjectName } from './text';

interface Research {
  company?: string;
  summary?: string;
  sections?: {
    focus?: string;
    results?: { title: string; url: string; snippet: string; date: string | null }[];
  }[];
}

export function webResearch(context: OfflineContext): OfflineStep {
  const company = subjectName(context.task);
  if (!company) {
    return {
      kind: 'answer',
      text: 'Which company should I research? Give its name (and domain or location when ambiguous).',
    };
  }
  const tool = context.toolNamed('web_search__research_company');
  if (!tool) return { kind: 'answer', text: 'Web research is not available to this agent.' };
  const text = normalized(context.task);
  const focus = /news|latest|recent/.test(text)
    ? 'news'
    : /fund|raise|invest|valuation/.test(text)
      ? 'funding'
      : /tech|stack|tools|uses/.test(text)
        ? 'tech_stack'
        : /competitor|compete|alternative/.test(text)
          ? 'competitors'
          : 'overview';
  if (!context.ran('research')) {
    return {
      kind: 'call',
      rationale: `I will research ${company} on the web (${focus.replace('_', ' ')}).`,
      calls: [{ step: 'research', name: tool, input: { company_name: company, focus } }],
    };
  }
  const outcome = context.resultOf('research');
  if (!outcome?.ok)
    return { kind: 'answer', text: `The web search failed: ${quote(outcome?.content, 300)}` };
  const research = jsonOf<Research>(outcome) ?? {};
  const about = company.toLowerCase();
  const seen = new Set<string>();
  const facts: string[] = [];
  for (const section of research.sections ?? []) {
    for (const result of section.results ?? []) {
      if (
        seen.has(result.url) ||
        !`${result.title} ${result.snippet}`.toLowerCase().includes(about)
      )
        continue;
      seen.add(result.url);
      const date = result.date ? `, ${longDate(new Date(result.date).toISOString())}` : '';
      facts.push(`- ${quote(result.snippet, 220)} ([${result.title}](${result.url})${date})`);
    }
  }
  if (facts.length === 0) {
    return {
      kind: 'answer',
      text: `**Nothing about ${company} turned up in the web search** (${focus.replace('_', ' ')}).`,
    };
  }
  return {
    kind: 'answer',
    text: [
      `**${company}: what the web says (${focus.replace('_', ' ')})**`,
      '',
      ...facts.slice(0, 6),
    ].join('\n'),
  };
}
