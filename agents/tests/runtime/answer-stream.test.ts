import { describe, expect, it } from 'vitest';
import type { AgentStreamEvent } from '../../src';
import { AnswerStream, rationaleOf, withoutThinking } from '../../src/runtime/answer-stream';

const decode = (e: AgentStreamEvent) => new TextDecoder().decode(e.chunk!.bytes);
const tick = () => new Promise((resolve) => setTimeout(resolve, 2));

/** One model turn: `deltas` arrive a few milliseconds apart; what the caller was sent. */
async function turn(
  stream: AnswerStream,
  deltas: string[],
  options: { toolUseAfter?: number; burst?: boolean } = {},
): Promise<string[]> {
  stream.beginTurn();
  const call = (async () => {
    for (const [i, delta] of deltas.entries()) {
      if (i === options.toolUseAfter) stream.toolUse();
      stream.text(delta);
      if (!options.burst) await tick();
    }
    return deltas.join('');
  })();
  const sent: string[] = [];
  const relay = stream.during(call, new AbortController().signal, () => new Error('cancelled'));
  for (let next = await relay.next(); !next.done; next = await relay.next()) {
    sent.push(decode(next.value));
  }
  return sent;
}

describe('the answer stream', () => {
  it('never sends reasoning inside <thinking> tags, even with the tags cut between deltas', async () => {
    const deltas = [
      '<thin',
      'king>Sum the',
      ' pipeline.</thi',
      'nking>**$18',
      '.4M** open',
      ' pipeline.',
    ];
    const stream = new AnswerStream();
    const sent = await turn(stream, deltas);
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.join('')).toBe('**$18.4M** open pipeline.');
    expect(withoutThinking(deltas.join(''))).toBe('**$18.4M** open pipeline.');
    expect(stream.rest(stream.compose(withoutThinking(deltas.join(''))))).toBe('');
    expect(rationaleOf(deltas.join(''))).toBe('Sum the pipeline. **$18.4M** open pipeline.');
  });

  it('holds leading and trailing whitespace, so what was sent starts the trimmed answer', async () => {
    const stream = new AnswerStream();
    const sent = await turn(stream, ['\n\n', 'Open ', 'pipeline ', '\n']);
    expect(sent.join('')).toBe('Open pipeline');
    expect(stream.rest('Open pipeline')).toBe('');
  });

  it('stops sending a turn once it calls a tool, and keeps what was sent as the answer’s start', async () => {
    const stream = new AnswerStream();
    const first = await turn(stream, ['Checking ', 'the deal.', ' Also this'], { toolUseAfter: 2 });
    expect(first.join('')).toBe('Checking the deal.');
    const second = await turn(stream, ['IXIS is ', 'in Negotiate.']);
    const answer = stream.compose('IXIS is in Negotiate.');
    expect(answer).toBe('Checking the deal.\n\nIXIS is in Negotiate.');
    expect([...first, ...second].join('')).toBe(answer);
  });

  it('sends nothing during a call whose text arrives with its end: the answer then goes whole', async () => {
    const stream = new AnswerStream();
    const sent = await turn(stream, ['All ', 'at ', 'once.'], { burst: true });
    expect(sent).toEqual([]);
    expect(stream.rest(stream.compose('All at once.'))).toBe('All at once.');
  });

  it('drops a tool-calling turn’s text that never went out', async () => {
    const stream = new AnswerStream();
    expect(await turn(stream, ['Short ', 'plan.'], { burst: true })).toEqual([]);
    await turn(stream, ['The ', 'answer.'], { burst: true });
    expect(stream.compose('The answer.')).toBe('The answer.');
  });
});
