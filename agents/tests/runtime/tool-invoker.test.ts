import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { silentLogger } from '@revbot/core';
import { ACTION_GROUP_EVENTS_DIR } from '@revbot/testing/fixtures';
import { localClientConfig } from '@revbot/testing/local-client-config';
import {
  type LocalLambdaServer,
  startLocalLambdaServer,
} from '@revbot/testing/local-lambda-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  buildFunctionEvent,
  createActionGroupTool,
  defineToolFunction,
  readActionGroupResponse,
  toolParam,
} from '../../src/action-group';
import { ToolInvocationError } from '../../src/errors';
import { InProcessToolInvoker, LambdaToolInvoker } from '../../src/runtime/tool-invoker';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:revops-test-web-search';

/** The web_search tool's shape with a canned search backend: the dispatcher is the real one. */
const webSearch = createActionGroupTool({
  name: 'web_search',
  logger: silentLogger,
  functions: [
    defineToolFunction({
      name: 'search_web',
      parameters: z.object({ query: toolParam.text(), max_results: toolParam.integer(1, 10) }),
      async run({ query, max_results }) {
        return { query, results: Array.from({ length: max_results }, (_, i) => `result ${i + 1}`) };
      },
    }),
  ],
});

const event = buildFunctionEvent({
  tool: 'web_search',
  function: 'search_web',
  parameters: { query: 'Latest developments in quantum computing', max_results: 3 },
  agent: {
    name: 'revops-test-web-search-agent',
    id: 'Y3JFGHUJ6H',
    alias: 'TSTALIASID',
    version: '1',
  },
  sessionId: '510646607739287',
  inputText: 'Search for latest developments in quantum computing',
});

let lambda: LocalLambdaServer;
let client: LambdaClient;

beforeAll(async () => {
  lambda = await startLocalLambdaServer();
  client = new LambdaClient(localClientConfig(lambda.endpoint, { maxAttempts: 2 }));
});
afterAll(async () => {
  client.destroy();
  await lambda.close();
});

describe('the Lambda tool invoker', () => {
  const invoker = () => new LambdaToolInvoker({ client, functions: { web_search: FUNCTION_ARN } });

  it('invokes the tool’s Lambda synchronously with exactly the action-group event', async () => {
    lambda.behave(FUNCTION_ARN, { result: (payload) => webSearch.handle(payload) });
    const response = await invoker().invoke(event);
    const [call] = lambda.invocations.slice(-1);
    expect(call?.functionName).toBe(FUNCTION_ARN);
    expect(call?.invocationType).toBe('RequestResponse');
    expect(call?.payload).toEqual(event);
    // Same keys and string-typed parameter values as a real console event.
    const recorded = JSON.parse(
      readFileSync(
        path.join(ACTION_GROUP_EVENTS_DIR, '01-function-schema-web-search.json'),
        'utf8',
      ),
    );
    expect(Object.keys(call!.payload as object).sort()).toEqual(Object.keys(recorded).sort());
    expect((call!.payload as typeof event).parameters[1]).toEqual({
      name: 'max_results',
      type: 'integer',
      value: '3',
    });
    const { body, responseState } = readActionGroupResponse(response);
    expect(responseState).toBeUndefined();
    expect(JSON.parse(body).results).toEqual(['result 1', 'result 2', 'result 3']);
  });

  it('retries a throttled invocation', async () => {
    lambda.behave(
      FUNCTION_ARN,
      { throttle: true },
      { result: (payload) => webSearch.handle(payload) },
    );
    const before = lambda.invocations.length;
    const response = await invoker().invoke(event);
    expect(lambda.invocations.length - before).toBe(2);
    expect(readActionGroupResponse(response).responseState).toBeUndefined();
  });

  it('turns a function error into a ToolInvocationError naming the error type only', async () => {
    lambda.behave(FUNCTION_ARN, {
      functionError: { errorType: 'Runtime.ImportModuleError', errorMessage: 'secret detail' },
    });
    const error = await invoker()
      .invoke(event)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolInvocationError);
    expect((error as Error).message).toBe('The web_search tool failed (Runtime.ImportModuleError)');
  });

  it('refuses an answer that is not an action-group response', async () => {
    lambda.behave(FUNCTION_ARN, { result: () => ({ statusCode: 200, body: 'hello' }) });
    await expect(invoker().invoke(event)).rejects.toThrow(
      'The web_search tool answered with something that is not an action-group response',
    );
  });

  it('names a tool that has no Lambda configured without calling anything', async () => {
    const before = lambda.invocations.length;
    const other = { ...event, actionGroup: 'gong_retrieval' };
    await expect(invoker().invoke(other)).rejects.toThrow(
      'No Lambda is configured for the gong_retrieval tool',
    );
    expect(lambda.invocations.length).toBe(before);
  });
});

describe('the in-process tool invoker', () => {
  it('calls the tool with a copy of the event, as a Lambda would receive it', async () => {
    const seen: unknown[] = [];
    const invoker = new InProcessToolInvoker({
      web_search: async (raw: unknown) => {
        seen.push(structuredClone(raw));
        (raw as { sessionAttributes: Record<string, string> }).sessionAttributes.changed = 'yes';
        return webSearch.handle(raw);
      },
    });
    const response = await invoker.invoke(event);
    expect(seen[0]).toEqual(event);
    // The handler changed its copy, not the orchestrator's event.
    expect(event.sessionAttributes).toEqual({});
    expect(JSON.parse(readActionGroupResponse(response).body).query).toBe(
      'Latest developments in quantum computing',
    );
    expect(invoker.actionGroups).toEqual(['web_search']);
  });

  it('accepts the local stack’s tools (objects with handle) and reports a crash as a ToolInvocationError', async () => {
    const invoker = new InProcessToolInvoker({
      web_search: webSearch,
      gong_retrieval: {
        async handle() {
          throw new TypeError('boom');
        },
      },
    });
    expect(readActionGroupResponse(await invoker.invoke(event)).responseState).toBeUndefined();
    await expect(invoker.invoke({ ...event, actionGroup: 'gong_retrieval' })).rejects.toThrow(
      'The gong_retrieval tool failed (TypeError)',
    );
    await expect(invoker.invoke({ ...event, actionGroup: 'firebolt_query' })).rejects.toThrow(
      'The firebolt_query tool is not available here',
    );
  });
});
