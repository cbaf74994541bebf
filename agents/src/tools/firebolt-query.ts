/**
 * The model-facing schema of the firebolt_query tool: the action group and function schema Bedrock
 * shows the agents, and the portable runtime offers as tool definitions. Its Lambda (handler,
 * core with the parameter validation, tests) is `lambdas/tools/firebolt-query/`.
 */
import { parameter, type ToolDefinition } from './tool-definition';

export const fireboltQuery: ToolDefinition = {
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
        query: parameter('string', 'One SQL SELECT statement, without a trailing semicolon.', true),
        max_rows: parameter('integer', 'Maximum rows to return (1-500, default 100).'),
      },
    },
  ],
};
