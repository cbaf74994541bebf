/**
 * The web_search action group: `search_web` (general search with title, URL, snippet and date)
 * and `research_company` (overview, news, funding, tech stack or competitors of one company,
 * with the sources it drew on).
 *
 * The schema the model sees is `agents/src/tools/web-search.ts`; its Lambda entry
 * point is `handler.ts` beside this file and its tests are in `lambdas/tests/tools/web-search/`.
 */

import {
  type ActionGroupTool,
  createActionGroupTool,
  defineToolFunction,
  toolParam,
} from '@revbot/agents/action-group';
import type { Logger } from '@revbot/core';
import { z } from 'zod';
import type { WebSearchProvider, WebSearchResult } from './search-provider';

export const RESEARCH_FOCUSES = [
  'overview',
  'news',
  'funding',
  'tech_stack',
  'competitors',
] as const;
export type ResearchFocus = (typeof RESEARCH_FOCUSES)[number];

export const searchWebParameters = z.object({
  query: toolParam.text({ maxLength: 400 }),
  max_results: toolParam.integer(1, 10).default(5),
});

export const researchCompanyParameters = z.object({
  company_name: toolParam.text({ maxLength: 200 }),
  focus: toolParam.oneOf(RESEARCH_FOCUSES).optional(),
});

export interface WebSearchToolDeps {
  provider: WebSearchProvider;
  logger?: Logger;
}

const RESULTS_PER_SECTION = 5;

/** What each research focus searches for; `news` is restricted to the last 90 days. */
export function researchQuery(
  company: string,
  focus: ResearchFocus,
): { query: string; topic: 'general' | 'news'; days?: number } {
  switch (focus) {
    case 'overview':
      return {
        query: `${company} company overview products customers headquarters employees`,
        topic: 'general',
      };
    case 'news':
      return { query: `${company} news`, topic: 'news', days: 90 };
    case 'funding':
      return { query: `${company} funding round investors valuation revenue`, topic: 'general' };
    case 'tech_stack':
      return {
        query: `${company} technology stack data platform engineering cloud`,
        topic: 'general',
      };
    case 'competitors':
      return { query: `${company} competitors alternatives market position`, topic: 'general' };
  }
}

export function createWebSearchTool(deps: WebSearchToolDeps): ActionGroupTool {
  const { provider } = deps;
  return createActionGroupTool({
    markUntrusted: true,
    name: 'web_search',
    logger: deps.logger,
    functions: [
      defineToolFunction({
        name: 'search_web',
        parameters: searchWebParameters,
        async run({ query, max_results }) {
          const found = await provider.search(query, {
            maxResults: max_results,
            includeAnswer: true,
          });
          return {
            query,
            provider: provider.name,
            answer: found.answer,
            results: found.results.map(present),
            ...(found.results.length === 0
              ? { note: 'No results; try other words or a broader query.' }
              : {}),
          };
        },
      }),
      defineToolFunction({
        name: 'research_company',
        parameters: researchCompanyParameters,
        async run({ company_name, focus }) {
          const focuses: ResearchFocus[] = focus ? [focus] : ['overview', 'news'];
          const sections = await Promise.all(
            focuses.map(async (f) => {
              const { query, topic, days } = researchQuery(company_name, f);
              const found = await provider.search(query, {
                maxResults: RESULTS_PER_SECTION,
                topic,
                days,
                includeAnswer: f === focuses[0],
              });
              return { focus: f, query, answer: found.answer, results: found.results.map(present) };
            }),
          );
          const sources = [...new Set(sections.flatMap((s) => s.results.map((r) => r.url)))];
          return {
            company: company_name,
            provider: provider.name,
            summary: sections[0]?.answer ?? null,
            sections: sections.map(({ focus: f, query, results }) => ({
              focus: f,
              query,
              results,
            })),
            sources,
            ...(sources.length === 0
              ? {
                  note: `Nothing found about ${company_name}; check the spelling or try search_web.`,
                }
              : {}),
          };
        },
      }),
    ],
  });
}

function present(result: WebSearchResult) {
  return { title: result.title, url: result.url, snippet: result.snippet, date: result.date };
}
