/**
 * Action-group responses, the two forms Bedrock accepts, and how to read one back.
 *
 * Response states matter: REPROMPT hands the text back to the model so it can correct itself;
 * FAILURE makes Bedrock end the session with a DependencyFailedException, so it is kept for
 * faults no retry by the model can fix (missing configuration, rejected credentials, bugs).
 */

import { z } from 'zod';
import { unmarkUntrusted } from '../runtime/untrusted-data';
import {
  ACTION_GROUP_MESSAGE_VERSION,
  type ActionGroupEvent,
  type ApiActionGroupEvent,
  actionGroupAttributesSchema,
  type FunctionActionGroupEvent,
  isApiEvent,
} from './action-group-event';

/** Bedrock's Lambda response payload limit is 25 KB; keep the body well inside it. */
export const DEFAULT_MAX_BODY_CHARS = 20_000;

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
  sessionAttributes: actionGroupAttributesSchema.optional(),
  promptSessionAttributes: actionGroupAttributesSchema.optional(),
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
  sessionAttributes: actionGroupAttributesSchema.optional(),
  promptSessionAttributes: actionGroupAttributesSchema.optional(),
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

/**
 * The body text and state of a response, whichever form it has; a body the tool marked as
 * untrusted data comes back without its marker (the data as neutralized), for the reader to mark
 * again where a model will see it.
 */
export function readActionGroupResponse(response: ActionGroupResponse): {
  body: string;
  responseState?: ResponseState;
} {
  if ('functionResponse' in response.response) {
    const { functionResponse: fr } = response.response;
    return { body: unmarkUntrusted(fr.responseBody.TEXT.body), responseState: fr.responseState };
  }
  const { httpStatusCode, responseBody } = response.response;
  const body = unmarkUntrusted(Object.values(responseBody)[0]?.body ?? '');
  const responseState =
    httpStatusCode >= 500 ? 'FAILURE' : httpStatusCode >= 400 ? 'REPROMPT' : undefined;
  return { body, responseState };
}

/** `body` cut to `max` characters, ending with a note that tells the model to narrow its request. */
export function capResponseBody(body: string, max: number): string {
  if (body.length <= max) return body;
  const note = `\n[truncated: the result was ${body.length} characters; narrow the request to see the rest]`;
  return body.slice(0, Math.max(0, max - note.length)) + note;
}
