/**
 * `POST /webhook` body → a validated WebhookRequest, or a client error naming what is wrong:
 * 415 for a body that is not JSON by its content type, 413 past the size limit, 400 for invalid
 * JSON and for each invalid, missing or unknown field (`details: [{field, message}]`), including a
 * callback_url outside the allowlist.
 */

import { ValidationError } from '@revbot/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { z } from 'zod';
import {
  type DestinationAllowlist,
  DestinationNotAllowedError,
  matchAllowedUrl,
} from '../shared/outbound';
import { type WebhookRequest, webhookRequestSchema } from '../shared/webhook-requests';

/** Largest accepted body: a 4,000-character question plus generous metadata. */
export const MAX_REQUEST_BYTES = 64 * 1024;

export interface FieldProblem {
  field: string;
  message: string;
}

export function headerValue(
  headers: APIGatewayProxyEvent['headers'] | null | undefined,
  name: string,
): string | undefined {
  if (!headers) return undefined;
  const wanted = name.toLowerCase();
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === wanted) return headers[key] ?? undefined;
  }
  return undefined;
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export function parseWebhookRequest(
  event: Pick<APIGatewayProxyEvent, 'headers' | 'body' | 'isBase64Encoded'>,
  allowlist: DestinationAllowlist,
): WebhookRequest {
  const contentType = headerValue(event.headers, 'content-type');
  if (!contentType || !JSON_TYPE.test(contentType.trim())) {
    throw new ValidationError(
      'The request body must be JSON, sent with Content-Type: application/json',
      { content_type: contentType ?? null },
      'UNSUPPORTED_MEDIA_TYPE',
      415,
    );
  }
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_REQUEST_BYTES) {
    throw new ValidationError(
      `The request body is ${bytes} bytes; the limit is ${MAX_REQUEST_BYTES}`,
      { max_bytes: MAX_REQUEST_BYTES, received_bytes: bytes },
      'PAYLOAD_TOO_LARGE',
      413,
    );
  }
  if (text.trim() === '') {
    throw invalid([{ field: '(body)', message: 'is required: send a JSON object' }]);
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    throw new ValidationError('The request body is not valid JSON', undefined, 'INVALID_JSON');
  }

  const parsed = webhookRequestSchema.safeParse(input);
  const problems = parsed.success ? [] : fieldProblems(parsed.error.issues);
  const callback = (input as { callback_url?: unknown } | null)?.callback_url;
  if (typeof callback === 'string' && !problems.some((p) => p.field === 'callback_url')) {
    const refusal = callbackRefusal(callback, allowlist);
    if (refusal) problems.push({ field: 'callback_url', message: refusal });
  }
  if (problems.length > 0 || !parsed.success) throw invalid(problems);
  return parsed.data;
}

function invalid(problems: FieldProblem[]): ValidationError {
  const fields = [...new Set(problems.map((p) => p.field))];
  return new ValidationError(
    `Invalid request: ${problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
    problems,
    fields.length === 1 && fields[0] === '(body)' ? 'INVALID_BODY' : 'VALIDATION_ERROR',
  );
}

function fieldProblems(issues: z.core.$ZodIssue[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push({ field: key, message: 'is not a known field' });
      continue;
    }
    const field = issue.path.map(String).join('.');
    if (field === '') {
      problems.push({ field: '(body)', message: 'must be a JSON object' });
      continue;
    }
    problems.push({ field, message: issue.message });
  }
  return problems;
}

/** Why a syntactically valid callback_url may not be used, in the caller's terms. */
function callbackRefusal(url: string, allowlist: DestinationAllowlist): string | undefined {
  try {
    matchAllowedUrl(url, allowlist);
    return undefined;
  } catch (error) {
    if (!(error instanceof DestinationNotAllowedError)) throw error;
    switch (error.reason) {
      case 'scheme':
        return 'must use https';
      case 'credentials_in_url':
        return 'must not contain credentials';
      case 'invalid_url':
        return 'must be an http(s) URL';
      case 'encoded_path':
        return 'must not percent-encode /, \\ or . in its path';
      default:
        return "is not in RevBot's webhook allowlist";
    }
  }
}
