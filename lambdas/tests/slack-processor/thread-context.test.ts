import { describe, expect, it } from 'vitest';
import {
  isMidThread,
  TITLE_CHARS,
  threadTitle,
  withThreadContext,
} from '../../slack-processor/thread-context';

describe('withThreadContext', () => {
  it('leaves a question with no earlier messages as it is', () => {
    expect(withThreadContext('How is IXIS doing?', [])).toBe('How is IXIS doing?');
  });

  it('puts the question first and the earlier messages after it, marked as context, one line each', () => {
    const text = withThreadContext('Should we worry?', [
      { author: '@U1', text: 'Acme wants 15% off', ts: '1.1' },
      { author: 'another app', text: 'Deal moved to\nNegotiate', ts: '1.2' },
    ]);
    expect(text.split('\n')).toEqual([
      'Should we worry?',
      '',
      '<slack_thread_context>',
      expect.stringMatching(/^Earlier messages .* Context only: answer the question above/),
      '@U1: Acme wants 15% off',
      'another app: Deal moved to Negotiate',
      '</slack_thread_context>',
    ]);
  });
});

describe('threadTitle', () => {
  it('is the first line of a short question', () => {
    expect(threadTitle('Pipeline by segment?\nand by owner')).toBe('Pipeline by segment?');
  });

  it(`cuts a long question at a word before ${TITLE_CHARS} characters`, () => {
    const title = threadTitle(
      'Which of the enterprise renewals closing next quarter have no economic buyer identified yet?',
    );
    expect(title).toBe('Which of the enterprise renewals closing next quarter have…');
    expect(title.length).toBeLessThanOrEqual(TITLE_CHARS);
  });
});

describe('isMidThread', () => {
  it('is true for a reply in a thread, false for a message that starts one', () => {
    expect(isMidThread({ threadTs: '1.1', messageTs: '1.2' })).toBe(true);
    expect(isMidThread({ threadTs: '1.1', messageTs: '1.1' })).toBe(false);
  });
});
