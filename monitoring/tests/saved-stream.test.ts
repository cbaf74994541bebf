import { describe, expect, it } from 'vitest';
import { StreamFormatError } from '../src/errors';
import { parseSavedStream } from '../src/saved-stream';
import { fixtureText } from './support/fixtures';

describe('parseSavedStream', () => {
  it('reads a recorded stream as saved', () => {
    const events = parseSavedStream(
      fixtureText('04-supervisor-router-answers-directly.json'),
      'run.json',
    );
    expect(events).toHaveLength(7);
  });

  it.each([
    ['', 'run.json is empty'],
    ['{"trace": ', 'run.json is not valid JSON ('],
    [
      '{"trace": {}}',
      'run.json must be a JSON array of {trace}/{chunk} events, but it is an object',
    ],
    ['"hello"', 'but it is a string'],
    ['[]', 'run.json holds no events (an empty array)'],
    [
      '[{"chunk": {"bytes": "hi"}}, 3]',
      'event 2 of run.json is not a {trace}, {chunk} or {returnControl} object (found a number)',
    ],
    [
      '[{"trace": "x"}]',
      'event 1 of run.json is not a {trace}, {chunk} or {returnControl} object (found an object with trace)',
    ],
    ['[{"message": "hi"}]', '(found an object with message)'],
  ])('rejects %j with one line naming the problem', (text, message) => {
    let error: unknown;
    try {
      parseSavedStream(text, 'run.json');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StreamFormatError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
