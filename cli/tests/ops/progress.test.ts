import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { progressBar, startProgress, withProgress } from '../../src/ops/progress';

function terminal(columns = 60) {
  const writes: string[] = [];
  return { isTTY: true, columns, writes, write: (chunk: string) => writes.push(chunk) };
}

describe('progress on stderr', () => {
  it('stays silent when stderr is not a terminal', async () => {
    const pipe = new PassThrough();
    let written = '';
    pipe.on('data', (chunk) => {
      written += String(chunk);
    });
    const progress = startProgress(pipe, 'waiting…', 1);
    progress.update('still waiting', 0.5);
    await new Promise((resolve) => setTimeout(resolve, 10));
    progress.stop();
    expect(written).toBe('');
  });

  it('draws a spinner line with a bar on a terminal and clears it when done', async () => {
    const tty = terminal();
    const progress = startProgress(tty, 'syncing', 1);
    progress.update('syncing 7/20', 0.35);
    await new Promise((resolve) => setTimeout(resolve, 10));
    progress.stop();
    progress.update('after stop');
    expect(tty.writes[0]).toBe('\r\x1b[2K⠋ syncing');
    expect(tty.writes).toContain('\r\x1b[2K⠙ syncing 7/20 [#######-------------]  35%');
    expect(tty.writes.length).toBeGreaterThan(3);
    expect(tty.writes.at(-1)).toBe('\r\x1b[2K');
    expect(tty.writes.join('')).not.toContain('after stop');
  });

  it('cuts a long line to the terminal width', () => {
    const tty = terminal(30);
    const progress = startProgress(tty, 'x'.repeat(100));
    progress.stop();
    expect(tty.writes[0]).toBe(`\r\x1b[2K⠋ ${'x'.repeat(26)}…`);
  });

  it('clears the line even when the work fails', async () => {
    const tty = terminal();
    await expect(
      withProgress(tty, 'working', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(tty.writes.at(-1)).toBe('\r\x1b[2K');
  });

  it('renders bars at the edges', () => {
    expect(progressBar(0)).toBe('[--------------------]   0%');
    expect(progressBar(1)).toBe('[####################] 100%');
    expect(progressBar(2)).toBe('[####################] 100%');
    expect(progressBar(Number.NaN)).toBe('[--------------------]   0%');
  });
});
