/**
 * How the orchestrator runs an action group: with exactly the event a Bedrock agent sends
 * (`buildFunctionEvent`), either through `lambda:Invoke` of the same tool Lambdas (AWS) or by
 * calling the tools' handlers in this process (local stack, tests). Tools cannot tell the
 * runtimes apart; the answer is validated as Bedrock would read it.
 */

import { InvokeCommand, type InvokeCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda';
import type { FunctionActionGroupEvent } from '../action-group/action-group-event';
import {
  type ActionGroupResponse,
  actionGroupResponseSchema,
} from '../action-group/action-group-response';
import { ToolInvocationError } from '../errors';

export interface ToolInvoker {
  /** Names of the action groups it can run. */
  readonly actionGroups: readonly string[];
  /** Runs one call; throws a ToolInvocationError when the tool could not answer at all. */
  invoke(event: FunctionActionGroupEvent, signal?: AbortSignal): Promise<ActionGroupResponse>;
}

function parseResponse(actionGroup: string, payload: unknown): ActionGroupResponse {
  const parsed = actionGroupResponseSchema.safeParse(payload);
  if (!parsed.success) {
    throw new ToolInvocationError(
      `The ${actionGroup} tool answered with something that is not an action-group response`,
    );
  }
  return parsed.data;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface LambdaToolInvokerOptions {
  client: LambdaClient;
  /** Action group (tool) name → function name or ARN, as the agents stack passes them. */
  functions: Readonly<Record<string, string>>;
}

/**
 * `lambda:Invoke` (RequestResponse) of each tool's Lambda with the action-group event as the
 * payload. The SDK retries throttling and 5xx; a function error (`FunctionError`) or a payload
 * that is not an action-group response becomes a ToolInvocationError.
 */
export class LambdaToolInvoker implements ToolInvoker {
  readonly actionGroups: readonly string[];

  constructor(private readonly options: LambdaToolInvokerOptions) {
    this.actionGroups = Object.keys(options.functions);
  }

  async invoke(
    event: FunctionActionGroupEvent,
    signal?: AbortSignal,
  ): Promise<ActionGroupResponse> {
    const functionName = this.options.functions[event.actionGroup];
    if (!functionName) {
      throw new ToolInvocationError(`No Lambda is configured for the ${event.actionGroup} tool`);
    }
    let output: InvokeCommandOutput;
    try {
      output = await this.options.client.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'RequestResponse',
          Payload: encoder.encode(JSON.stringify(event)),
        }),
        { abortSignal: signal },
      );
    } catch (error) {
      const name = (error as { name?: string }).name ?? 'Error';
      throw new ToolInvocationError(
        `The ${event.actionGroup} tool could not be invoked (${name})`,
        {
          cause: error,
        },
      );
    }
    const text = output.Payload ? decoder.decode(output.Payload) : '';
    if (output.FunctionError) {
      // The payload then holds {errorType, errorMessage, trace}: name the type, not the details.
      let errorType = output.FunctionError;
      try {
        errorType = (JSON.parse(text) as { errorType?: string }).errorType ?? errorType;
      } catch {
        // Not JSON: keep the FunctionError kind.
      }
      throw new ToolInvocationError(`The ${event.actionGroup} tool failed (${errorType})`);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      throw new ToolInvocationError(`The ${event.actionGroup} tool answered with invalid JSON`);
    }
    return parseResponse(event.actionGroup, payload);
  }
}

/** A tool as the local stack holds it (`ActionGroupTool`), or a Lambda `handler(event)`. */
export type InProcessTool =
  | { handle(event: unknown): Promise<unknown> }
  | ((event: unknown) => Promise<unknown>);

/**
 * Calls the tools' handlers in this process. The event goes through a JSON round trip, as it would
 * over `lambda:Invoke`, so a handler sees exactly the bytes a Lambda would and cannot change ours.
 */
export class InProcessToolInvoker implements ToolInvoker {
  readonly actionGroups: readonly string[];

  constructor(private readonly tools: Readonly<Record<string, InProcessTool | undefined>>) {
    this.actionGroups = Object.keys(tools).filter((name) => tools[name] !== undefined);
  }

  async invoke(event: FunctionActionGroupEvent): Promise<ActionGroupResponse> {
    const tool = this.tools[event.actionGroup];
    if (!tool) {
      throw new ToolInvocationError(`The ${event.actionGroup} tool is not available here`);
    }
    const copy: unknown = JSON.parse(JSON.stringify(event));
    let result: unknown;
    try {
      result = typeof tool === 'function' ? await tool(copy) : await tool.handle(copy);
    } catch (error) {
      const name = (error as { name?: string }).name ?? 'Error';
      throw new ToolInvocationError(`The ${event.actionGroup} tool failed (${name})`, {
        cause: error,
      });
    }
    return parseResponse(event.actionGroup, JSON.parse(JSON.stringify(result ?? null)));
  }
}
