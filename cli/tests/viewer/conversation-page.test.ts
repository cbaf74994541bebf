import { describe, expect, it } from 'vitest';
import { httpStatusOf } from '../../src/viewer/conversation-page';

describe('httpStatusOf', () => {
  it("finds a webhook delivery's receiver status, also inside a response envelope", () => {
    expect(httpStatusOf(JSON.stringify({ delivered: true, receiver_status: 204 }))).toBe(204);
    expect(
      httpStatusOf(JSON.stringify({ ok: true, data: { delivered: false, receiver_status: 503 } })),
    ).toBe(503);
    expect(httpStatusOf('upstream answered HTTP 502 after 3 attempts')).toBe(502);
  });

  it('says nothing when no status is there, or the number is not an HTTP status', () => {
    expect(httpStatusOf(JSON.stringify({ columns: ['a'], rows: [[200]] }))).toBeUndefined();
    expect(httpStatusOf(JSON.stringify({ receiver_status: null, status: 'ok' }))).toBeUndefined();
    expect(httpStatusOf(JSON.stringify({ status: 42 }))).toBeUndefined();
    expect(httpStatusOf(null)).toBeUndefined();
  });
});
