import { describe, expect, it } from 'vitest';
import { agentIdFromAliasArn, isoOrNull, requestIdOf, toMillis } from '../src/trace-fields';

describe('toMillis', () => {
  it.each([
    '2025-05-21T09:49:01.981822147Z',
    '2025-05-21T09:49:01.9Z',
    '2025-05-21T09:49:01.98Z',
    '2025-05-21T09:49:01Z',
    '2025-05-21T09:49:01.981+02:00',
    '2024-02-29T23:59:59.999Z',
  ])('reads %s as Date.parse does (to the millisecond)', (text) => {
    expect(toMillis(text)).toBe(Date.parse(text));
  });

  it('reads Dates and epoch ms, and gives null for anything else', () => {
    expect(toMillis(new Date(5))).toBe(5);
    expect(toMillis(7)).toBe(7);
    for (const bad of [
      '2025-13-01T00:00:00Z',
      '2025-05-21T25:00:00Z',
      'soon',
      '',
      null,
      undefined,
      Number.NaN,
      new Date('x'),
      {},
    ]) {
      expect(toMillis(bad)).toBeNull();
    }
  });
});

describe('requestIdOf', () => {
  it.each([
    ['203bd987-ced4-4ddd-a370-633c8b668e7f-0', '203bd987-ced4-4ddd-a370-633c8b668e7f'],
    [
      '4674c7dc-2f61-4fb2-b364-df3a2287a6ff-guardrail-pre-0',
      '4674c7dc-2f61-4fb2-b364-df3a2287a6ff',
    ],
    ['7fc9fdb8-204f-4ef9-bc55-59257d478f30-KB-null-0', '7fc9fdb8-204f-4ef9-bc55-59257d478f30'],
    ['417b23e4-cd87-4831-8f16-6b5a4ffcdc63-routing-0', '417b23e4-cd87-4831-8f16-6b5a4ffcdc63'],
    ['run-7-post-0', 'run-7'],
    ['local-step', 'local-step'],
  ])('takes the request id of %s', (traceId, requestId) => {
    expect(requestIdOf(traceId)).toBe(requestId);
  });
});

describe('agentIdFromAliasArn', () => {
  it('reads the agent id of an alias ARN', () => {
    expect(
      agentIdFromAliasArn(
        'arn:aws:bedrock:us-east-1:503561449716:agent-alias/ZRPPXH8SBU/H7QBZITASD',
      ),
    ).toBe('ZRPPXH8SBU');
    expect(agentIdFromAliasArn('arn:aws:bedrock:us-east-1:1:agent/ZRPPXH8SBU')).toBeNull();
    expect(agentIdFromAliasArn(42)).toBeNull();
  });
});

describe('isoOrNull', () => {
  it('formats like Date.toISOString across days, before 1970 and at millisecond edges', () => {
    for (const ms of [
      0, 1, 999, 86_399_999, 86_400_000, 1_747_820_941_981, 1_747_820_941_000, -1, -86_400_001,
      253_402_300_799_999, 1.5,
    ]) {
      expect(isoOrNull(ms)).toBe(new Date(Math.floor(ms)).toISOString());
    }
  });

  it('gives null for unknown or impossible times', () => {
    expect(isoOrNull(null)).toBeNull();
    expect(isoOrNull(Number.NaN)).toBeNull();
    expect(isoOrNull(9e15)).toBeNull();
  });
});
