/** API Gateway proxy responses: JSON bodies, and the one error shape every endpoint uses. */

import { RevbotError } from '@revbot/core';
import type { APIGatewayProxyResult } from 'aws-lambda';

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * `{success:false, error:{code, message, details}}`. Unknown errors become a 500 whose message
 * says nothing about internals; the caller logs the cause with its correlation id.
 */
export function errorResponse(error: unknown, referenceId?: string): APIGatewayProxyResult {
  if (error instanceof RevbotError && !error.retryable && error.statusCode < 500) {
    return jsonResponse(error.statusCode, {
      success: false,
      error: { code: error.code, message: error.message, details: error.details },
    });
  }
  const status = error instanceof RevbotError ? error.statusCode : 500;
  return jsonResponse(status, {
    success: false,
    error: {
      code: error instanceof RevbotError ? error.code : 'INTERNAL_ERROR',
      message: 'The request could not be processed. Try again later.',
      details: referenceId ? { reference_id: referenceId } : undefined,
    },
  });
}
