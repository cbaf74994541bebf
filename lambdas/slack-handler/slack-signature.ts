/**
 * Slack request signatures, as "Verifying requests from Slack" specifies: HMAC-SHA256 with the
 * app's signing secret over `v0:{X-Slack-Request-Timestamp}:{raw body}`, hex-encoded after `v0=`,
 * compared in constant time, and refused when the timestamp is more than five minutes from now
 * (a captured request cannot be replayed later). The body must be the bytes Slack sent, before
 * any JSON or form parsing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AuthenticationError, RevbotError } from '@revbot/core';

export const SLACK_SIGNATURE_VERSION = 'v0';
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

export interface SlackSignatureInput {
  signingSecret: string;
  /** `X-Slack-Request-Timestamp`: Unix seconds. */
  timestamp: string | undefined;
  /** `X-Slack-Signature`: `v0=<64 hex digits>`. */
  signature: string | undefined;
  rawBody: string | Uint8Array;
  /** Unix seconds now (tests pin it). */
  nowSeconds?: number;
}

/** Why a request was refused: answered as 401 with this code. */
export type SlackSignatureProblem =
  | 'MISSING_SIGNATURE'
  | 'INVALID_TIMESTAMP'
  | 'STALE_TIMESTAMP'
  | 'INVALID_SIGNATURE';

export class SlackSignatureError extends AuthenticationError {
  constructor(
    readonly problem: SlackSignatureProblem,
    message: string,
  ) {
    super(message, problem);
  }
}

/**
 * The signing secret cannot be trusted to verify anything: still the deployed placeholder, empty,
 * or not a secret Slack would issue. Answered 503 (nothing is accepted until an operator fills it
 * in); the message names the secret, never its value.
 */
export class SlackSigningSecretUnusableError extends RevbotError {
  constructor(
    readonly secretName: string,
    readonly problem: 'placeholder' | 'malformed',
  ) {
    super(
      `The Slack signing secret (${secretName}) is ${problem === 'placeholder' ? 'still a placeholder' : 'malformed'}: put the app's signing secret in it`,
      { code: 'SIGNING_SECRET_NOT_CONFIGURED', statusCode: 503 },
    );
  }
}

const PLACEHOLDER = /replace[_ -]?me|change[_ -]?me|placeholder|todo|fill[_ -]?me|your[_ -]/i;
/** Slack issues 32 hex digits; anything this short or with spaces or controls is not one. */
const MIN_SECRET_CHARS = 20;
const PRINTABLE_NO_SPACE = /^[\x21-\x7e]+$/;

/** Throws SlackSigningSecretUnusableError unless `secret` could be a real signing secret. */
export function assertUsableSigningSecret(secret: string, secretName: string): void {
  if (secret.trim() === '' || PLACEHOLDER.test(secret)) {
    throw new SlackSigningSecretUnusableError(secretName, 'placeholder');
  }
  if (secret.length < MIN_SECRET_CHARS || !PRINTABLE_NO_SPACE.test(secret)) {
    throw new SlackSigningSecretUnusableError(secretName, 'malformed');
  }
}

/** `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}`. */
export function computeSlackSignature(
  signingSecret: string,
  timestamp: string,
  rawBody: string | Uint8Array,
): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`${SLACK_SIGNATURE_VERSION}:${timestamp}:`);
  hmac.update(rawBody);
  return `${SLACK_SIGNATURE_VERSION}=${hmac.digest('hex')}`;
}

/** Throws a SlackSignatureError unless the request is Slack's and recent. */
export function verifySlackSignature(input: SlackSignatureInput): void {
  const { timestamp, signature } = input;
  if (!timestamp || !signature) {
    throw new SlackSignatureError(
      'MISSING_SIGNATURE',
      'Missing X-Slack-Signature or X-Slack-Request-Timestamp header',
    );
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new SlackSignatureError('INVALID_TIMESTAMP', 'X-Slack-Request-Timestamp is not a time');
  }
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS) {
    throw new SlackSignatureError(
      'STALE_TIMESTAMP',
      'X-Slack-Request-Timestamp is more than five minutes from now',
    );
  }
  const expected = Buffer.from(
    computeSlackSignature(input.signingSecret, timestamp, input.rawBody),
    'utf8',
  );
  const given = Buffer.from(signature, 'utf8');
  // Lengths are public (always 67 for a well-formed header); the content is compared in constant time.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new SlackSignatureError('INVALID_SIGNATURE', 'X-Slack-Signature does not match');
  }
}

/**
 * The two headers Slack would send with `body` at `nowSeconds`: for tests, benchmarks and the
 * local stack's `revbot slack`, which sign requests the way Slack does.
 */
export function signSlackRequest(
  signingSecret: string,
  body: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): { 'x-slack-request-timestamp': string; 'x-slack-signature': string } {
  const timestamp = String(nowSeconds);
  return {
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': computeSlackSignature(signingSecret, timestamp, body),
  };
}
