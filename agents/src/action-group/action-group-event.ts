/**
 * Bedrock Agents action-group events (`messageVersion` 1.0): their schemas, parsing, and the
 * event the portable runtime builds so a tool cannot tell who called.
 *
 * Bedrock sends either the function-details form (`function` + `parameters`) or the OpenAPI form
 * (`apiPath` + `httpMethod` + `requestBody`); both are accepted. Every parameter value arrives as
 * a string whatever its declared type, so tools declare zod schemas that coerce.
 */

import { ValidationError } from '@revbot/core';
import { z } from 'zod';
import { TOOLS, type ToolName } from '../tools';

export const ACTION_GROUP_MESSAGE_VERSION = '1.0';

export const actionGroupParameterSchema = z.object({
  name: z.string().min(1),
  type: z.string(),
  /** Always a string on the wire, whatever `type` says (`"number"` → `"3"`). */
  value: z.string(),
});
export type ActionGroupParameter = z.infer<typeof actionGroupParameterSchema>;

export const actionGroupAgentSchema = z.object({
  name: z.string(),
  id: z.string(),
  alias: z.string(),
  version: z.string(),
});
export type ActionGroupAgent = z.infer<typeof actionGroupAgentSchema>;

/** Session and prompt session attributes, echoed from the event into the response. */
export const actionGroupAttributesSchema = z.record(z.string(), z.string());

const eventBaseShape = {
  messageVersion: z.literal(ACTION_GROUP_MESSAGE_VERSION),
  agent: actionGroupAgentSchema,
  inputText: z.string().default(''),
  sessionId: z.string().min(1),
  actionGroup: z.string().min(1),
  sessionAttributes: actionGroupAttributesSchema.default({}),
  promptSessionAttributes: actionGroupAttributesSchema.default({}),
};

/** Function-details form: what agents with a function schema (RevBot's) send. */
export const functionActionGroupEventSchema = z.object({
  ...eventBaseShape,
  function: z.string().min(1),
  parameters: z.array(actionGroupParameterSchema).default([]),
});
export type FunctionActionGroupEvent = z.infer<typeof functionActionGroupEventSchema>;

/** OpenAPI form, accepted for robustness (an action group defined by an API schema). */
export const apiActionGroupEventSchema = z.object({
  ...eventBaseShape,
  apiPath: z.string().min(1),
  httpMethod: z.string().min(1),
  parameters: z.array(actionGroupParameterSchema).default([]),
  requestBody: z
    .object({
      content: z.record(
        z.string(),
        z.object({ properties: z.array(actionGroupParameterSchema).default([]) }),
      ),
    })
    .optional(),
});
export type ApiActionGroupEvent = z.infer<typeof apiActionGroupEventSchema>;

export type ActionGroupEvent = FunctionActionGroupEvent | ApiActionGroupEvent;

export const isApiEvent = (event: ActionGroupEvent): event is ApiActionGroupEvent =>
  'apiPath' in event;

/** Parses an event of either form; anything else is a ValidationError naming what is missing. */
export function parseActionGroupEvent(raw: unknown): ActionGroupEvent {
  const isObject = typeof raw === 'object' && raw !== null;
  const schema =
    isObject && 'apiPath' in raw && !('function' in raw)
      ? apiActionGroupEventSchema
      : functionActionGroupEventSchema;
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)');
  throw new ValidationError(
    `Not a Bedrock action-group event (messageVersion 1.0): invalid ${[...new Set(fields)].join(', ')}`,
    parsed.error.issues.map((issue) => ({ path: issue.path, message: issue.message })),
  );
}

/** `/execute_query` or `/tools/execute-query` → the function name it stands for. */
export function functionNameFromApiPath(apiPath: string): string {
  const last = apiPath.split('/').filter(Boolean).pop() ?? apiPath;
  return last.replace(/-/g, '_');
}

/** Parameters and OpenAPI request-body properties as one map; blank values count as absent. */
export function collectParameters(event: ActionGroupEvent): Record<string, string> {
  const all = [...event.parameters];
  if (isApiEvent(event) && event.requestBody) {
    for (const media of Object.values(event.requestBody.content)) all.push(...media.properties);
  }
  const out: Record<string, string> = {};
  for (const parameter of all) {
    if (parameter.value.trim() === '') continue;
    out[parameter.name] = parameter.value;
  }
  return out;
}

export interface BuildFunctionEventInput {
  /** Catalogue name of the tool; it is also the action group name. */
  tool: ToolName;
  function: string;
  /** Parameter values; numbers and booleans are sent as strings, as Bedrock does. */
  parameters?: Record<string, string | number | boolean | undefined>;
  agent: ActionGroupAgent;
  sessionId: string;
  inputText?: string;
  sessionAttributes?: Record<string, string>;
  promptSessionAttributes?: Record<string, string>;
}

/**
 * The function-details event a Bedrock agent would send for this call, with each parameter's
 * declared type taken from the tool catalogue. Parameters left undefined are omitted.
 */
export function buildFunctionEvent(input: BuildFunctionEventInput): FunctionActionGroupEvent {
  const declared = TOOLS[input.tool].functions.find((fn) => fn.name === input.function);
  const parameters: ActionGroupParameter[] = [];
  for (const [name, value] of Object.entries(input.parameters ?? {})) {
    if (value === undefined) continue;
    parameters.push({
      name,
      type: declared?.parameters[name]?.type ?? 'string',
      value: String(value),
    });
  }
  return {
    messageVersion: ACTION_GROUP_MESSAGE_VERSION,
    function: input.function,
    parameters,
    sessionId: input.sessionId,
    agent: input.agent,
    actionGroup: input.tool,
    sessionAttributes: input.sessionAttributes ?? {},
    promptSessionAttributes: input.promptSessionAttributes ?? {},
    inputText: input.inputText ?? '',
  };
}
