/**
 * The model-facing schema of the web_search tool: the action group and function schema Bedrock
 * shows the agents, and the portable runtime offers as tool definitions. Its Lambda (handler,
 * core with the parameter validation, tests) is `lambdas/tools/web-search/`.
 */
import { parameter, type ToolDefinition } from './tool-definition';

export const webSearch: ToolDefinition = {
  name: 'web_search',
  lambdaDir: 'web-search',
  description: 'Searches the public web for company, market and news information with sources.',
  functions: [
    {
      name: 'search_web',
      description: 'General web search. Returns results with title, URL, snippet and date.',
      parameters: {
        query: parameter('string', 'The search query.', true),
        max_results: parameter('integer', 'Maximum results (1-10, default 5).'),
      },
    },
    {
      name: 'research_company',
      description:
        'Research one company: overview, recent news, funding, tech stack and competitors, with sources.',
      parameters: {
        company_name: parameter('string', 'The company to research.', true),
        focus: parameter(
          'string',
          'Optional focus: news, funding, tech_stack, competitors or overview.',
        ),
      },
    },
  ],
};
