/**
 * Progress in the placeholder ("Deal Analysis Agent is querying the warehouse…") while the agents
 * work. Updates are rate-limited: at most one per interval (default 1 s, within the Web API's
 * chat.update tier and easy on the reader), only when the text changes, and the latest hint
 * held back by the limit is shown on the next event once the interval has passed. A failed
 * update is logged and skipped: progress is a courtesy, the answer is what matters.
 */
import { errorFields, type Logger } from '@revbot/core';

export const DEFAULT_PROGRESS_INTERVAL_MS = 1_000;

export interface ProgressUpdatesOptions {
  show(text: string): Promise<void>;
  logger: Logger;
  minIntervalMs?: number;
  now?: () => number;
  /** The text already shown (the placeholder), so it is not shown again. */
  initial?: string;
}

export class ProgressUpdates {
  private shown: string | null;
  private pending: string | null = null;
  private lastAt = Number.NEGATIVE_INFINITY;
  private readonly interval: number;
  private readonly now: () => number;
  /** Texts actually sent, in order (for logs and tests). */
  readonly sent: string[] = [];

  constructor(private readonly options: ProgressUpdatesOptions) {
    this.shown = options.initial ?? null;
    this.interval = options.minIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS;
    this.now = options.now ?? Date.now;
  }

  /** A new hint: shown now if the interval allows, otherwise held as the next one. */
  async report(text: string): Promise<void> {
    if (text === this.shown) {
      this.pending = null;
      return;
    }
    this.pending = text;
    await this.tick();
  }

  /** Shows the held hint if the interval has passed; call it on every event. */
  async tick(): Promise<void> {
    const text = this.pending;
    if (text === null || this.now() - this.lastAt < this.interval) return;
    this.pending = null;
    this.lastAt = this.now();
    try {
      await this.options.show(text);
      this.shown = text;
      this.sent.push(text);
    } catch (error) {
      this.options.logger.warn('Progress update skipped', { error: errorFields(error) });
    }
  }
}
