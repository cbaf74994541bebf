/**
 * The shape of a tool in RevBot's catalogue: a Lambda exposed to agents as an action group with a
 * Bedrock function schema, and the tool names agent configurations may reference.
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
  /**
   * Changes something outside RevBot (sends, posts, writes): it runs only after a person approves
   * it, unless the deployment's approval policy exempts it (`approval-policy.ts`).
   */
  action?: true;
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

/** One parameter of a function schema. */
export const parameter = (
  type: ToolParameterType,
  description: string,
  required = false,
): ToolParameter => ({
  type,
  description,
  required,
});
