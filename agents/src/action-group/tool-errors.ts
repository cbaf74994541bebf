/**
 * The errors a tool raises and the response state each becomes. REPROMPT lets the model correct
 * its call or answer without the data; FAILURE ends the session, so it is kept for faults only an
 * administrator can fix (configuration, credentials) and for bugs, whose message is not revealed.
 */

import { AuthenticationError, ConfigError, RevbotError, ValidationError } from '@revbot/core';
import type { ResponseState } from './action-group-response';

/** Raised by a tool when the model asked for something it can fix (sent back as REPROMPT). */
export class ToolInputError extends ValidationError {
  constructor(message: string, details?: unknown) {
    super(message, details, 'TOOL_INPUT_INVALID', 400);
  }
}

/** What the dispatcher answers for an error thrown by a tool function. */
export interface MappedError {
  body: string;
  state: ResponseState;
  outcome: string;
}

export function mapToolError(error: unknown, functionName: string): MappedError {
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
