/**
 * A spinner (with an optional progress bar) on stderr for anything that waits. It draws only
 * when stderr is a terminal, so pipes, CI logs and `--json` consumers see nothing of it; results
 * always go to stdout as ordinary lines.
 */

export interface Progress {
  /** Replaces the text beside the spinner. */
  update(text: string, fraction?: number): void;
  /** Clears the spinner line; the next output starts on a clean line. */
  stop(): void;
}

interface TtyLike {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string): unknown;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const BAR_WIDTH = 20;

/** `[#######-------------]  35%` */
export function progressBar(fraction: number, width = BAR_WIDTH): string {
  const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(clamped * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(clamped * 100)).padStart(3)}%`;
}

const QUIET: Progress = { update() {}, stop() {} };

/**
 * Starts a spinner on `stream` if it is a terminal; otherwise returns a progress that does
 * nothing. `intervalMs` is the redraw rate.
 */
export function startProgress(stream: unknown, text: string, intervalMs = 100): Progress {
  const tty = stream as TtyLike;
  if (tty?.isTTY !== true || typeof tty.write !== 'function') return QUIET;
  let frame = 0;
  let current = text;
  let fraction: number | undefined;
  let stopped = false;
  const draw = () => {
    const bar = fraction === undefined ? '' : ` ${progressBar(fraction)}`;
    const line = `${FRAMES[frame % FRAMES.length]} ${current}${bar}`;
    const width = Math.max(20, (tty.columns ?? 80) - 1);
    tty.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
    frame += 1;
  };
  draw();
  const timer = setInterval(draw, intervalMs);
  timer.unref();
  return {
    update(next, nextFraction) {
      if (stopped) return;
      current = next;
      fraction = nextFraction;
      draw();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      tty.write('\r\x1b[2K');
    },
  };
}

/** Runs `work` with a spinner that is always cleared, whether it succeeds or throws. */
export async function withProgress<T>(
  stream: unknown,
  text: string,
  work: (progress: Progress) => Promise<T>,
): Promise<T> {
  const progress = startProgress(stream, text);
  try {
    return await work(progress);
  } finally {
    progress.stop();
  }
}
