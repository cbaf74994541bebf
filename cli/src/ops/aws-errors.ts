/**
 * The translation of AWS SDK failures (no credentials, no region, expired or rejected
 * credentials, access denied, unreachable endpoint) into the one line the dispatcher prints.
 */

import { OpsError, StackNotFoundError } from '../errors';

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

const REJECTED_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
  'AuthFailure',
]);
const EXPIRED_CREDENTIALS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'TokenRefreshRequired',
]);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

const firstLine = (text: string): string => text.split('\n')[0]?.trim() ?? '';

/** The AWS error's code (`name` for SDK v3 service exceptions), if it has one. */
export function awsErrorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as SdkLikeError;
  return e.name && e.name !== 'Error' ? e.name : e.code;
}

/**
 * Recognises the failures every command shares and returns the line to print, or undefined for
 * errors a command should report in its own words.
 */
export function describeCommonAwsError(error: unknown): string | undefined {
  if (error instanceof OpsError) return error.message;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as SdkLikeError;
  const name = awsErrorName(error) ?? '';
  const message = firstLine(e.message ?? '');
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return 'no AWS credentials found: set AWS_PROFILE (and run aws sso login) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';
  }
  if (/Region is missing/i.test(message)) {
    return 'no AWS region: pass --region or set AWS_REGION';
  }
  if (EXPIRED_CREDENTIALS.has(name) || /security token .* expired/i.test(message)) {
    return 'the AWS credentials have expired: sign in again (aws sso login) or refresh the keys';
  }
  if (REJECTED_CREDENTIALS.has(name)) {
    return `AWS rejected the credentials (${name}): check AWS_PROFILE or the access keys`;
  }
  const code = (error as { code?: string }).code;
  if (code && NETWORK_CODES.has(code)) {
    return `cannot reach AWS (${code}): check the network, --region and any AWS_ENDPOINT_URL`;
  }
  return undefined;
}

/** Access denied, in one line naming what was refused. */
export function isAccessDenied(error: unknown): boolean {
  const name = awsErrorName(error);
  return (
    name === 'AccessDenied' ||
    name === 'AccessDeniedException' ||
    name === 'AuthorizationError' ||
    (error as SdkLikeError | undefined)?.$metadata?.httpStatusCode === 403
  );
}

/** One line for any error: the shared translations first, then `Name: first line of message`. */
export function describeError(error: unknown): string {
  const common = describeCommonAwsError(error);
  if (common) return common;
  if (error instanceof Error) {
    const name = awsErrorName(error);
    const message = firstLine(error.message) || name || 'unknown error';
    if (isAccessDenied(error)) return `access denied: ${message}`;
    return name && name !== 'Error' && !message.startsWith(name) ? `${name}: ${message}` : message;
  }
  return String(error);
}

/**
 * Errors that stop a whole command rather than one check: without credentials or a region
 * nothing else can succeed.
 */
export function isFatalAwsError(error: unknown): boolean {
  if (error instanceof StackNotFoundError) return false;
  const line = describeCommonAwsError(error);
  return line !== undefined && !(error instanceof OpsError);
}
