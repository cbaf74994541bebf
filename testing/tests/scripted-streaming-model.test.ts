import { connect } from 'node:http2';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ScriptedStreamingModel,
  startScriptedStreamingModel,
  tokensOf,
} from '../src/scripted-streaming-model';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
let model: ScriptedStreamingModel;

beforeAll(async () => {
  model = await startScriptedStreamingModel({ firstTokenDelayMs: 60, tokenIntervalMs: 25 });
});
afterAll(async () => {
  await model.close();
});

/** POSTs a ConverseStream request; each event with the time it arrived, and a way to hang up. */
function converse() {
  const session = connect(model.endpoint);
  const stream = session.request({ ':method': 'POST', ':path': '/model/m/converse-stream' });
  stream.end(JSON.stringify({ messages: [] }));
  const sentAt = performance.now();
  const events: { type: string; body: Record<string, unknown>; at: number }[] = [];
  let buffer = Buffer.alloc(0);
  stream.on('data', (data: Buffer) => {
    buffer = Buffer.concat([buffer, data]);
    while (buffer.length >= 4 && buffer.length >= buffer.readUInt32BE(0)) {
      const length = buffer.readUInt32BE(0);
      const message = codec.decode(buffer.subarray(0, length));
      buffer = buffer.subarray(length);
      events.push({
        type: String(message.headers[':event-type']?.value),
        body: JSON.parse(toUtf8(message.body)) as Record<string, unknown>,
        at: performance.now() - sentAt,
      });
    }
  });
  const ended = new Promise<void>((resolve) => stream.on('close', () => resolve()));
  return {
    events,
    ended,
    hangUp() {
      stream.close();
      session.close();
    },
    close: () => session.close(),
  };
}

describe('the scripted streaming model', () => {
  it('sends the first token after its delay, then one token per interval, and a complete ConverseStream', async () => {
    model.reply({ text: 'Open pipeline is $18.4M ARR.' });
    const call = converse();
    await call.ended;
    call.close();
    const deltas = call.events.filter((e) => e.type === 'contentBlockDelta');
    expect(deltas.map((e) => (e.body.delta as { text: string }).text)).toEqual(
      tokensOf('Open pipeline is $18.4M ARR.'),
    );
    expect(deltas[0]!.at).toBeGreaterThanOrEqual(55);
    const gaps = deltas.slice(1).map((e, i) => e.at - deltas[i]!.at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(20);
    expect(call.events.map((e) => e.type).slice(-3)).toEqual([
      'contentBlockStop',
      'messageStop',
      'metadata',
    ]);
    const [request] = model.requests.slice(-1);
    expect(request!.lastTokenAt! - request!.firstTokenAt!).toBeGreaterThanOrEqual(20 * 4);
    expect(request!.cancelled).toBe(false);
  });

  it('holds the stream open until released, and records a client that hangs up as cancelled', async () => {
    let release!: () => void;
    model.reply({ text: 'Held.', holdUntil: new Promise<void>((r) => (release = r)) });
    const held = converse();
    await expect.poll(() => held.events.some((e) => e.type === 'contentBlockDelta')).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(held.events.some((e) => e.type === 'messageStop')).toBe(false);
    release();
    await held.ended;
    held.close();
    expect(held.events.some((e) => e.type === 'messageStop')).toBe(true);

    model.reply({ text: 'Never finished.', holdUntil: new Promise(() => undefined) });
    const dropped = converse();
    await expect.poll(() => dropped.events.length).toBeGreaterThan(1);
    dropped.hangUp();
    await expect.poll(() => model.requests.at(-1)?.cancelled).toBe(true);
  });
});
