/**
 * The catalogue of RevBot's tools: each one is a Lambda exposed to agents as an action group with
 * a Bedrock function schema. Defined once here; agent configurations reference tools by name,
 * the CDK app builds one Lambda per tool, and the portable runtime offers the same functions.
 */

/** Parameter types Bedrock function schemas accept. Values always reach the Lambda as strings. */
export type ToolParameterType = 'string' | 'number' | 'integer' | 'boolean' | 'array';

export interface ToolParameter {
  type: ToolParameterType;
  description: string;
  required: boolean;
}

export interface ToolFunction {
  name: string;
  description: string;
  parameters: Record<string, ToolParameter>;
}

export interface ToolDefinition {
  /** Action group name (Bedrock pattern `([0-9a-zA-Z][_-]?){1,100}`). */
  name: ToolName;
  description: string;
  /** Folder under `lambdas/tools/` holding the tool's `handler.ts`. */
  lambdaDir: string;
  functions: ToolFunction[];
}

export const TOOL_NAMES = [
  'firebolt_query',
  'firebolt_writer',
  'gong_retrieval',
  'web_search',
  'webhook_executor',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

const p = (type: ToolParameterType, description: string, required = false): ToolParameter => ({
  type,
  description,
  required,
});

export const TOOLS: Record<ToolName, ToolDefinition> = {
  firebolt_query: {
    name: 'firebolt_query',
    lambdaDir: 'firebolt-query',
    description:
      'Runs one read-only SQL SELECT against the revenue warehouse (Salesforce and Gong data) and returns columns and rows.',
    functions: [
      {
        name: 'execute_query',
        description:
          'Execute a single read-only SQL SELECT (or WITH ... SELECT) statement against the revenue warehouse. Use the documented schema; always filter and aggregate, never select whole tables.',
        parameters: {
          query: p('string', 'One SQL SELECT statement, without a trailing semicolon.', true),
          max_rows: p('integer', 'Maximum rows to return (1-500, default 100).'),
        },
      },
    ],
  },
  firebolt_writer: {
    name: 'firebolt_writer',
    lambdaDir: 'firebolt-writer',
    description:
      'Writes to the allowlisted warehouse tables only: lead scores, deal notes and the agent action log.',
    functions: [
      {
        name: 'write_record',
        description:
          'Insert one row into an allowlisted table (lead_scores, deal_notes, agent_action_log). Values is a JSON object of column to value.',
        parameters: {
          table: p('string', 'Target table: lead_scores, deal_notes or agent_action_log.', true),
          values: p('string', 'JSON object mapping allowlisted column names to values.', true),
        },
      },
      {
        name: 'update_record',
        description:
          'Update one row of an allowlisted table, identified by its primary key. Values is a JSON object of the columns to change.',
        parameters: {
          table: p('string', 'Target table: lead_scores, deal_notes or agent_action_log.', true),
          id: p('string', 'Primary key of the row to update.', true),
          values: p('string', 'JSON object mapping allowlisted column names to new values.', true),
        },
      },
    ],
  },
  gong_retrieval: {
    name: 'gong_retrieval',
    lambdaDir: 'gong-retrieval',
    description: 'Reads Gong call recordings: lists calls, searches them, and fetches transcripts.',
    functions: [
      {
        name: 'list_calls',
        description: 'List Gong calls in a date range (ISO 8601 dates), newest first.',
        parameters: {
          from_date: p('string', 'Start of the range, ISO 8601 (e.g. 2026-10-01).'),
          to_date: p('string', 'End of the range, ISO 8601.'),
          limit: p('integer', 'Maximum calls to return (1-100, default 20).'),
        },
      },
      {
        name: 'get_call_transcript',
        description: 'Fetch one call transcript, condensed to speaker turns.',
        parameters: {
          call_id: p('string', 'The Gong call id.', true),
        },
      },
      {
        name: 'search_calls',
        description:
          'Find calls by account name and/or date range, optionally only those whose title or transcript mentions a keyword (e.g. a competitor).',
        parameters: {
          account_name: p('string', 'Account (company) name, e.g. Acme Corp.'),
          from_date: p('string', 'Start of the range, ISO 8601.'),
          to_date: p('string', 'End of the range, ISO 8601.'),
          keyword: p('string', 'Word or phrase the call must mention.'),
        },
      },
    ],
  },
  web_search: {
    name: 'web_search',
    lambdaDir: 'web-search',
    description: 'Searches the public web for company, market and news information with sources.',
    functions: [
      {
        name: 'search_web',
        description: 'General web search. Returns results with title, URL, snippet and date.',
        parameters: {
          query: p('string', 'The search query.', true),
          max_results: p('integer', 'Maximum results (1-10, default 5).'),
        },
      },
      {
        name: 'research_company',
        description:
          'Research one company: overview, recent news, funding, tech stack and competitors, with sources.',
        parameters: {
          company_name: p('string', 'The company to research.', true),
          focus: p('string', 'Optional focus: news, funding, tech_stack, competitors or overview.'),
        },
      },
    ],
  },
  webhook_executor: {
    name: 'webhook_executor',
    lambdaDir: 'webhook-executor',
    description:
      'Sends notifications and triggers allowlisted outbound webhooks, signed per Standard Webhooks.',
    functions: [
      {
        name: 'send_notification',
        description:
          'Send a notification message to the configured notification webhook (e.g. a team channel).',
        parameters: {
          message: p('string', 'The notification text (Markdown).', true),
          severity: p('string', 'info, warning or critical (default info).'),
          recipient: p('string', 'Optional person or team the notification is for.'),
        },
      },
      {
        name: 'trigger_webhook',
        description: 'POST a JSON payload to an allowlisted webhook URL.',
        parameters: {
          url: p('string', 'Destination URL; must match the allowlist.', true),
          payload: p('string', 'JSON object to send as the request body.', true),
          event_type: p(
            'string',
            'Event type label included in the payload (default revbot.event).',
          ),
        },
      },
    ],
  },
};
