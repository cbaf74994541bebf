/**
 * The model-facing schema of the gong_retrieval tool: the action group and function schema Bedrock
 * shows the agents, and the portable runtime offers as tool definitions. Its Lambda (handler,
 * core with the parameter validation, tests) is `lambdas/tools/gong-retrieval/`.
 */
import { parameter, type ToolDefinition } from './tool-definition';

export const gongRetrieval: ToolDefinition = {
  name: 'gong_retrieval',
  lambdaDir: 'gong-retrieval',
  description: 'Reads Gong call recordings: lists calls, searches them, and fetches transcripts.',
  functions: [
    {
      name: 'list_calls',
      description: 'List Gong calls in a date range (ISO 8601 dates), newest first.',
      parameters: {
        from_date: parameter('string', 'Start of the range, ISO 8601 (e.g. 2026-10-01).'),
        to_date: parameter('string', 'End of the range, ISO 8601.'),
        limit: parameter('integer', 'Maximum calls to return (1-100, default 20).'),
      },
    },
    {
      name: 'get_call_transcript',
      description: 'Fetch one call transcript, condensed to speaker turns.',
      parameters: {
        call_id: parameter('string', 'The Gong call id.', true),
      },
    },
    {
      name: 'search_calls',
      description:
        'Find calls by account name and/or date range, optionally only those whose title or transcript mentions a keyword (e.g. a competitor).',
      parameters: {
        account_name: parameter('string', 'Account (company) name, e.g. Acme Corp.'),
        from_date: parameter('string', 'Start of the range, ISO 8601.'),
        to_date: parameter('string', 'End of the range, ISO 8601.'),
        keyword: parameter('string', 'Word or phrase the call must mention.'),
      },
    },
  ],
};
