/**
 * A real firebolt_query action-group tool (the shared dispatcher) whose execute_query answers one
 * scripted result, marked as untrusted data as the real tool marks it, for runtime tests that
 * need the Data agent's query without a warehouse.
 */
import { silentLogger } from '@revbot/core';
import { z } from 'zod';
import {
  createActionGroupTool,
  defineToolFunction,
  type ToolResult,
  toolParam,
} from '../../src/action-group';

export function scriptedQueryTool(
  result: ToolResult,
  parameters: z.ZodObject = z.object({ query: toolParam.text() }),
) {
  return createActionGroupTool({
    name: 'firebolt_query',
    logger: silentLogger,
    markUntrusted: true,
    functions: [
      defineToolFunction({
        name: 'execute_query',
        parameters,
        async run() {
          return result;
        },
      }),
    ],
  });
}
