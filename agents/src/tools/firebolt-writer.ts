/**
 * The model-facing schema of the firebolt_writer tool: the action group and function schema Bedrock
 * shows the agents, and the portable runtime offers as tool definitions. Its Lambda (handler,
 * core with the parameter validation, tests) is `lambdas/tools/firebolt-writer/`.
 */
import { parameter, type ToolDefinition } from './tool-definition';

export const fireboltWriter: ToolDefinition = {
  name: 'firebolt_writer',
  lambdaDir: 'firebolt-writer',
  description:
    'Writes to the allowlisted warehouse tables only: lead scores, deal notes and the agent action log.',
  functions: [
    {
      name: 'write_record',
      action: true,
      description:
        'Insert one row into an allowlisted table (lead_scores, deal_notes, agent_action_log). Values is a JSON object of column to value.',
      parameters: {
        table: parameter(
          'string',
          'Target table: lead_scores, deal_notes or agent_action_log.',
          true,
        ),
        values: parameter(
          'string',
          'JSON object mapping allowlisted column names to values.',
          true,
        ),
      },
    },
    {
      name: 'update_record',
      action: true,
      description:
        'Update one row of lead_scores or deal_notes, identified by its primary key. Values is a JSON object of the columns to change. agent_action_log is insert-only.',
      parameters: {
        table: parameter('string', 'Target table: lead_scores or deal_notes.', true),
        id: parameter('string', 'Primary key of the row to update.', true),
        values: parameter(
          'string',
          'JSON object mapping allowlisted column names to new values.',
          true,
        ),
      },
    },
  ],
};
