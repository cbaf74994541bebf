/**
 * Bedrock Agents action-group events and responses (`messageVersion` 1.0), and the small
 * dispatcher every tool Lambda is built on.
 *
 * Bedrock sends either the function-details form (`function` + `parameters`) or the OpenAPI form
 * (`apiPath` + `httpMethod` + `requestBody`); both are accepted. Every parameter value arrives as
 * a string whatever its declared type, so tools declare zod schemas that coerce. The portable
 * runtime builds the very same events with `buildFunctionEvent`, so a tool cannot tell who called.
 *
 * Response states matter: REPROMPT hands the text back to the model so it can correct itself;
 * FAILURE makes Bedrock end the session with a DependencyFailedException, so it is kept for
 * faults no retry by the model can fix (missing configuration, rejected credentials, bugs).
 */

import {
  AuthenticationError,
  ConfigError,
  RevbotError,
  logger as sharedLogger,
  ValidationError,
} from '@revbot/core';
import { z } from 'zod';
import { TOOLS, type ToolName } from '../tools';

export const ACTION_GROUP_MESSAGE_VERSION = '1.0';

/** Bedrock's Lambda response payload limit is 25 KB; keep the body well inside it. */
export const DEFAULT_MAX_BODY_CHARS = 20_000;

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

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

const attributesSchema = z.record(z.string(), z.string());

const eventBaseShape = {
  messageVersion: z.literal(ACTION_GROUP_MESSAGE_VERSION),
  agent: actionGroupAgentSchema,
  inputText: z.string().default(''),
  sessionId: z.string().min(1),
  actionGroup: z.string().min(1),
  sessionAttributes: attributesSchema.default({}),
  promptSessionAttributes: attributesSchema.default({}),
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

// ---------------------------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------------------------

export const RESPONSE_STATES = ['FAILURE', 'REPROMPT'] as const;
export type ResponseState = (typeof RESPONSE_STATES)[number];

export const functionActionGroupResponseSchema = z.object({
  messageVersion: z.literal(ACTION_GROUP_MESSAGE_VERSION),
  response: z.object({
    actionGroup: z.string(),
    function: z.string(),
    functionResponse: z.object({
      responseState: z.enum(RESPONSE_STATES).optional(),
      responseBody: z.object({ TEXT: z.object({ body: z.string() }) }),
    }),
  }),
  sessionAttributes: attributesSchema.optional(),
  promptSessionAttributes: attributesSchema.optional(),
});
export type FunctionActionGroupResponse = z.infer<typeof functionActionGroupResponseSchema>;

export const apiActionGroupResponseSchema = z.object({
  messageVersion: z.literal(ACTION_GROUP_MESSAGE_VERSION),
  response: z.object({
    actionGroup: z.string(),
    apiPath: z.string(),
    httpMethod: z.string(),
    httpStatusCode: z.number().int(),
    responseBody: z.record(z.string(), z.object({ body: z.string() })),
  }),
  sessionAttributes: attributesSchema.optional(),
  promptSessionAttributes: attributesSchema.optional(),
});
export type ApiActionGroupResponse = z.infer<typeof apiActionGroupResponseSchema>;

export type ActionGroupResponse = FunctionActionGroupResponse | ApiActionGroupResponse;
export const actionGroupResponseSchema = z.union([
  functionActionGroupResponseSchema,
  apiActionGroupResponseSchema,
]);

/** The response to a function-details event; it echoes the action group, function and attributes. */
export function functionResponse(
  event: FunctionActionGroupEvent,
  body: string,
  responseState?: ResponseState,
): FunctionActionGroupResponse {
  return {
    messageVersion: ACTION_GROUP_MESSAGE_VERSION,
    response: {
      actionGroup: event.actionGroup,
      function: event.function,
      functionResponse: {
        ...(responseState ? { responseState } : {}),
        responseBody: { TEXT: { body } },
      },
    },
    sessionAttributes: event.sessionAttributes,
    promptSessionAttributes: event.promptSessionAttributes,
  };
}

/** The response to an OpenAPI event: the same echo, with an HTTP status and a JSON body. */
export function apiResponse(
  event: ApiActionGroupEvent,
  body: string,
  httpStatusCode = 200,
): ApiActionGroupResponse {
  return {
    messageVersion: ACTION_GROUP_MESSAGE_VERSION,
    response: {
      actionGroup: event.actionGroup,
      apiPath: event.apiPath,
      httpMethod: event.httpMethod,
      httpStatusCode,
      responseBody: { 'application/json': { body } },
    },
    sessionAttributes: event.sessionAttributes,
    promptSessionAttributes: event.promptSessionAttributes,
  };
}

/** Either form; REPROMPT maps to HTTP 400 and FAILURE to 500 for OpenAPI events. */
export function actionGroupResponse(
  event: ActionGroupEvent,
  body: string,
  responseState?: ResponseState,
): ActionGroupResponse {
  if (isApiEvent(event)) {
    const status = responseState === 'FAILURE' ? 500 : responseState === 'REPROMPT' ? 400 : 200;
    return apiResponse(event, body, status);
  }
  return functionResponse(event, body, responseState);
}

/** The body text and state of a response, whichever form it has. */
export function readActionGroupResponse(response: ActionGroupResponse): {
  body: string;
  responseState?: ResponseState;
} {
  if ('functionResponse' in response.response) {
    const { functionResponse: fr } = response.response;
    return { body: fr.responseBody.TEXT.body, responseState: fr.responseState };
  }
  const { httpStatusCode, responseBody } = response.response;
  const body = Object.values(responseBody)[0]?.body ?? '';
  const responseState =
    httpStatusCode >= 500 ? 'FAILURE' : httpStatusCode >= 400 ? 'REPROMPT' : undefined;
  return { body, responseState };
}

// ---------------------------------------------------------------------------------------------
// Building events (the portable runtime and tests)
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Parameter schemas
// ---------------------------------------------------------------------------------------------

const requiredMessage = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? 'is required' : `must be ${what}`;

/**
 * zod schemas for action-group parameters. Values arrive as strings: numbers are coerced, and
 * each message says what a valid value looks like so a REPROMPT is enough for the model to fix it.
 */
export const toolParam = {
  text(options: { maxLength?: number } = {}) {
    const max = options.maxLength ?? 4_000;
    return z
      .string({ error: requiredMessage('text') })
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(max, { error: `must be at most ${max} characters` });
  },
  integer(min: number, max: number) {
    const range = `an integer from ${min} to ${max}`;
    return z.coerce
      .number({ error: requiredMessage(range) })
      .int({ error: `must be ${range}` })
      .min(min, { error: `must be ${range}` })
      .max(max, { error: `must be ${range}` });
  },
  oneOf<const T extends readonly [string, ...string[]]>(values: T) {
    return z.enum(values, { error: requiredMessage(`one of ${values.join(', ')}`) });
  },
  /** A calendar date or a date-time in ISO 8601 (`2026-10-01`, `2026-10-01T09:00:00Z`). */
  isoDate() {
    return z
      .string({ error: requiredMessage('an ISO 8601 date such as 2026-10-01') })
      .trim()
      .superRefine((value, ctx) => {
        const problem = isoDateProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      });
  },
  /** A JSON object given as a string (Bedrock parameters have no object type). */
  jsonObject() {
    return z
      .string({ error: requiredMessage('a JSON object') })
      .transform((value, ctx): Record<string, unknown> => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(value);
        } catch {
          ctx.addIssue({ code: 'custom', message: 'must be a valid JSON object, e.g. {"a": 1}' });
          return z.NEVER;
        }
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          ctx.addIssue({ code: 'custom', message: 'must be a JSON object, e.g. {"a": 1}' });
          return z.NEVER;
        }
        return parsed as Record<string, unknown>;
      });
  },
};

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Why `value` is not an ISO 8601 date, or undefined when it is one (2024-02-30 is not). */
export function isoDateProblem(value: string): string | undefined {
  const match = ISO_DATE.exec(value);
  if (!match) return 'must be an ISO 8601 date such as 2026-10-01';
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const real =
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  if (!real || Number.isNaN(Date.parse(value))) return 'must be a real calendar date';
  return undefined;
}

/** One line per problem: `max_rows must be an integer from 1 to 500 (got "abc")`. */
export function describeParameterIssues(
  issues: readonly z.core.$ZodIssue[],
  raw: Record<string, string>,
): string {
  return issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return `unknown parameter${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
      }
      const name = issue.path.map(String).join('.') || 'parameters';
      const given = raw[name];
      const got = given === undefined ? '' : ` (got ${JSON.stringify(truncate(given, 80))})`;
      return `${name} ${issue.message}${got}`;
    })
    .join('; ');
}

// ---------------------------------------------------------------------------------------------
// Tool definitions and the dispatcher
// ---------------------------------------------------------------------------------------------

/** What a tool function learns about the call besides its parameters. */
export interface ToolInvocation {
  actionGroup: string;
  function: string;
  sessionId: string;
  agent: ActionGroupAgent;
  inputText: string;
  sessionAttributes: Record<string, string>;
  promptSessionAttributes: Record<string, string>;
}

/** A tool's answer: text as is, anything else serialized as JSON. */
export type ToolResult = string | Record<string, unknown> | unknown[];

/** Raised by a tool when the model asked for something it can fix (sent back as REPROMPT). */
export class ToolInputError extends ValidationError {
  constructor(message: string, details?: unknown) {
    super(message, details, 'TOOL_INPUT_INVALID', 400);
  }
}

export interface ToolFunctionDefinition<S extends z.ZodObject = z.ZodObject> {
  name: string;
  parameters: S;
  run(params: z.output<S>, invocation: ToolInvocation): Promise<ToolResult>;
}

/** Declares one function of an action group; the parameter schema is strict (no unknown keys). */
export function defineToolFunction<S extends z.ZodObject>(
  definition: ToolFunctionDefinition<S>,
): ToolFunctionDefinition<S> {
  return definition;
}

/** A tool function with its parameter type erased, as the dispatcher holds them. */
// biome-ignore lint/suspicious/noExplicitAny: the dispatcher only ever passes a parsed value back to the same definition.
export type AnyToolFunction = ToolFunctionDefinition<z.ZodObject<any>>;

export interface ToolLogger {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

export interface ActionGroupTool {
  readonly name: ToolName;
  readonly functions: ReadonlyMap<string, AnyToolFunction>;
  /** Answers one action-group event; never throws for an event Bedrock could have sent. */
  handle(event: unknown): Promise<ActionGroupResponse>;
}

export interface ActionGroupToolOptions {
  name: ToolName;
  functions: AnyToolFunction[];
  logger?: ToolLogger;
  maxBodyChars?: number;
}

/**
 * Builds the handler of one action group: parses the event, finds the function, validates its
 * parameters (REPROMPT naming each problem), runs it and maps typed errors to response states.
 */
export function createActionGroupTool(options: ActionGroupToolOptions): ActionGroupTool {
  const functions = new Map(options.functions.map((fn) => [fn.name, fn]));
  // Unknown parameters are reported, not ignored: a misspelt name should reach the model.
  const strictSchemas = new Map(options.functions.map((fn) => [fn.name, fn.parameters.strict()]));
  const log: ToolLogger = options.logger ?? sharedLogger;
  const maxBody = options.maxBodyChars ?? DEFAULT_MAX_BODY_CHARS;

  async function handle(raw: unknown): Promise<ActionGroupResponse> {
    const event = parseActionGroupEvent(raw);
    const functionName = isApiEvent(event)
      ? functionNameFromApiPath(event.apiPath)
      : event.function;
    const started = Date.now();
    const respond = (body: string, state?: ResponseState, outcome = 'ok') => {
      log.info('tool call', {
        tool: options.name,
        function: functionName,
        sessionId: event.sessionId,
        agent: event.agent.name,
        outcome,
        durationMs: Date.now() - started,
      });
      return actionGroupResponse(event, capBody(body, maxBody), state);
    };

    const definition = functions.get(functionName);
    if (!definition) {
      const known = [...functions.keys()].join(', ');
      return respond(
        `The ${options.name} action group has no function "${functionName}". Available functions: ${known}.`,
        'REPROMPT',
        'unknown_function',
      );
    }

    const rawParams = collectParameters(event);
    const parsed = (strictSchemas.get(functionName) ?? definition.parameters).safeParse(rawParams);
    if (!parsed.success) {
      const problems = describeParameterIssues(parsed.error.issues, rawParams);
      return respond(
        `Invalid parameters for ${functionName}: ${problems}. Correct them and call ${functionName} again.`,
        'REPROMPT',
        'invalid_parameters',
      );
    }

    const invocation: ToolInvocation = {
      actionGroup: event.actionGroup,
      function: functionName,
      sessionId: event.sessionId,
      agent: event.agent,
      inputText: event.inputText,
      sessionAttributes: event.sessionAttributes,
      promptSessionAttributes: event.promptSessionAttributes,
    };
    try {
      const result = await definition.run(parsed.data, invocation);
      return respond(typeof result === 'string' ? result : JSON.stringify(result));
    } catch (error) {
      const mapped = mapToolError(error, functionName);
      if (mapped.state === 'FAILURE') {
        log.error('tool call failed', {
          tool: options.name,
          function: functionName,
          sessionId: event.sessionId,
          error: error instanceof Error ? { name: error.name, message: error.message } : error,
        });
      }
      return respond(mapped.body, mapped.state, mapped.outcome);
    }
  }

  return { name: options.name, functions, handle };
}

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

interface MappedError {
  body: string;
  state: ResponseState;
  outcome: string;
}

function mapToolError(error: unknown, functionName: string): MappedError {
  if (error instanceof ConfigError) {
    return {
      body: `${functionName} is not available: RevBot is misconfigured (${error.message}). Tell the user an administrator must fix the configuration.`,
      state: 'FAILURE',
      outcome: 'config_error',
    };
  }
  if (error instanceof AuthenticationError) {
    return {
      body: `${functionName} is not available: ${error.message}. Tell the user an administrator must update the credentials.`,
      state: 'FAILURE',
      outcome: 'auth_error',
    };
  }
  if (error instanceof RevbotError && error.retryable) {
    return {
      body: `${functionName} could not complete: ${error.message}. The service is temporarily unavailable; try again once, otherwise answer without this data and say so.`,
      state: 'REPROMPT',
      outcome: 'retryable_error',
    };
  }
  if (error instanceof RevbotError && error.statusCode < 500) {
    return { body: error.message, state: 'REPROMPT', outcome: error.code.toLowerCase() };
  }
  return {
    body: `${functionName} failed with an internal error. Tell the user the request could not be completed.`,
    state: 'FAILURE',
    outcome: 'internal_error',
  };
}

function capBody(body: string, max: number): string {
  if (body.length <= max) return body;
  const note = `\n[truncated: the result was ${body.length} characters; narrow the request to see the rest]`;
  return body.slice(0, Math.max(0, max - note.length)) + note;
}

function truncate(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}
