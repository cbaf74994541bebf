/**
 * The dispatcher every tool Lambda is built on: a registry of tool functions for one action group
 * and the handler that parses an event, validates parameters, runs the function and answers.
 */

import { type Logger, logger as sharedLogger } from '@revbot/core';
import type { z } from 'zod';
import { markUntrusted, UNTRUSTED_MARKER_CHARS } from '../runtime/untrusted-data';
import type { ToolName } from '../tools';
import {
  type ActionGroupAgent,
  collectParameters,
  functionNameFromApiPath,
  isApiEvent,
  parseActionGroupEvent,
} from './action-group-event';
import {
  type ActionGroupResponse,
  actionGroupResponse,
  capResponseBody,
  DEFAULT_MAX_BODY_CHARS,
  type ResponseState,
} from './action-group-response';
import { agentDeniedMessage, isAgentDenied } from './agent-access';
import { mapToolError } from './tool-errors';
import { describeParameterIssues } from './tool-parameters';

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

export interface ActionGroupTool {
  readonly name: ToolName;
  readonly functions: ReadonlyMap<string, AnyToolFunction>;
  /** Answers one action-group event; never throws for an event Bedrock could have sent. */
  handle(event: unknown): Promise<ActionGroupResponse>;
}

export interface ActionGroupToolOptions {
  name: ToolName;
  functions: AnyToolFunction[];
  logger?: Logger;
  maxBodyChars?: number;
  /**
   * Wrap every answer as untrusted data (`<untrusted_data source="group.function">`), so the text
   * reaches the model marked on Bedrock Agents too, where nothing stands between the tool and the
   * model. Readers get the text back with `readActionGroupResponse`.
   * @default false
   */
  markUntrusted?: boolean;
}

/**
 * Builds the handler of one action group: parses the event, finds the function, validates its
 * parameters (REPROMPT naming each problem), runs it and maps typed errors to response states.
 */
export function createActionGroupTool(options: ActionGroupToolOptions): ActionGroupTool {
  const functions = new Map(options.functions.map((fn) => [fn.name, fn]));
  // Unknown parameters are reported, not ignored: a misspelt name should reach the model.
  const strictSchemas = new Map(options.functions.map((fn) => [fn.name, fn.parameters.strict()]));
  const log: Logger = options.logger ?? sharedLogger;
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
      if (!options.markUntrusted) {
        return actionGroupResponse(event, capResponseBody(body, maxBody), state);
      }
      const source = `${event.actionGroup}.${functionName}`;
      const capped = capResponseBody(body, maxBody - UNTRUSTED_MARKER_CHARS - source.length);
      return actionGroupResponse(event, markUntrusted(capped, source), state);
    };

    // The channel's access policy: an agent denied to the person asking acts through no tool.
    if (isAgentDenied(event.sessionAttributes, event.agent.name)) {
      return respond(agentDeniedMessage(event.agent.name), 'REPROMPT', 'agent_denied');
    }

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
