import { describe, expect, it } from 'vitest';
import {
  computeSlackSignature,
  SlackSignatureError,
  signSlackRequest,
  verifySlackSignature,
} from '../../slack-handler/slack-signature';

// Slack's own example from "Verifying requests from Slack" (a slash-command body).
const SLACK_EXAMPLE = {
  signingSecret: '8f742231b10e8888abcd99yyyzzz85a5',
  timestamp: '1531420618',
  body: 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
  signature: 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
};
const NOW = Number(SLACK_EXAMPLE.timestamp) + 30;

function problemOf(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(SlackSignatureError);
    expect((error as SlackSignatureError).statusCode).toBe(401);
    return (error as SlackSignatureError).problem;
  }
}

const verifyExample = (overrides: Partial<Parameters<typeof verifySlackSignature>[0]> = {}) =>
  verifySlackSignature({
    signingSecret: SLACK_EXAMPLE.signingSecret,
    timestamp: SLACK_EXAMPLE.timestamp,
    signature: SLACK_EXAMPLE.signature,
    rawBody: SLACK_EXAMPLE.body,
    nowSeconds: NOW,
    ...overrides,
  });

describe('Slack request signatures', () => {
  it("computes Slack's published example signature", () => {
    expect(
      computeSlackSignature(
        SLACK_EXAMPLE.signingSecret,
        SLACK_EXAMPLE.timestamp,
        SLACK_EXAMPLE.body,
      ),
    ).toBe(SLACK_EXAMPLE.signature);
  });

  it("accepts Slack's published example request, as text and as bytes", () => {
    expect(problemOf(() => verifyExample())).toBeUndefined();
    expect(
      problemOf(() => verifyExample({ rawBody: Buffer.from(SLACK_EXAMPLE.body, 'utf8') })),
    ).toBeUndefined();
  });

  it('rejects a tampered body', () => {
    const tampered = SLACK_EXAMPLE.body.replace('text=', 'text=deploy');
    expect(problemOf(() => verifyExample({ rawBody: tampered }))).toBe('INVALID_SIGNATURE');
    // Even a single trailing byte (a re-serialized body) fails.
    expect(problemOf(() => verifyExample({ rawBody: `${SLACK_EXAMPLE.body}\n` }))).toBe(
      'INVALID_SIGNATURE',
    );
  });

  it('rejects a signature made with another signing secret', () => {
    const forged = computeSlackSignature(
      '00000000000000000000000000000000',
      SLACK_EXAMPLE.timestamp,
      SLACK_EXAMPLE.body,
    );
    expect(problemOf(() => verifyExample({ signature: forged }))).toBe('INVALID_SIGNATURE');
    expect(problemOf(() => verifyExample({ signingSecret: 'another-secret' }))).toBe(
      'INVALID_SIGNATURE',
    );
  });

  it('rejects a timestamp swapped for another one, since it is part of what is signed', () => {
    const timestamp = String(Number(SLACK_EXAMPLE.timestamp) + 1);
    expect(problemOf(() => verifyExample({ timestamp }))).toBe('INVALID_SIGNATURE');
  });

  it('rejects signatures of the wrong shape without comparing them', () => {
    for (const signature of [
      '',
      'v0=',
      'v1=a2114d57',
      SLACK_EXAMPLE.signature.toUpperCase(),
      `${SLACK_EXAMPLE.signature}00`,
    ]) {
      expect(problemOf(() => verifyExample({ signature }))).toMatch(/SIGNATURE/);
    }
  });

  it('rejects a request without the signature or the timestamp header', () => {
    expect(problemOf(() => verifyExample({ signature: undefined }))).toBe('MISSING_SIGNATURE');
    expect(problemOf(() => verifyExample({ timestamp: undefined }))).toBe('MISSING_SIGNATURE');
  });

  it('rejects a timestamp that is not a number of seconds', () => {
    expect(problemOf(() => verifyExample({ timestamp: '2018-07-12T18:36:58Z' }))).toBe(
      'INVALID_TIMESTAMP',
    );
  });

  it('rejects a signature older than five minutes', () => {
    const stale = Number(SLACK_EXAMPLE.timestamp) + 5 * 60 + 1;
    expect(problemOf(() => verifyExample({ nowSeconds: stale }))).toBe('STALE_TIMESTAMP');
    // Exactly five minutes is still accepted.
    expect(
      problemOf(() => verifyExample({ nowSeconds: Number(SLACK_EXAMPLE.timestamp) + 300 })),
    ).toBeUndefined();
  });

  it('rejects a timestamp more than five minutes in the future', () => {
    const early = Number(SLACK_EXAMPLE.timestamp) - 5 * 60 - 1;
    expect(problemOf(() => verifyExample({ nowSeconds: early }))).toBe('STALE_TIMESTAMP');
  });

  it('signs requests the way it verifies them', () => {
    const body = JSON.stringify({ type: 'url_verification', challenge: 'abc' });
    const headers = signSlackRequest('local-secret', body, 1_700_000_000);
    expect(headers['x-slack-request-timestamp']).toBe('1700000000');
    expect(
      problemOf(() =>
        verifySlackSignature({
          signingSecret: 'local-secret',
          timestamp: headers['x-slack-request-timestamp'],
          signature: headers['x-slack-signature'],
          rawBody: body,
          nowSeconds: 1_700_000_010,
        }),
      ),
    ).toBeUndefined();
  });
});
