/**
 * Streams the final answer as the model writes it, so the user reads it while it is produced,
 * and guarantees that what was streamed is exactly the answer the run records.
 *
 * A model turn's text is either the answer or the reasoning before a tool call, and which one is
 * only known when the turn ends. The choice made here, as Bedrock Agents does for
 * `streamFinalResponse`: the agents write their reasoning inside `<thinking>` tags (their system
 * prompt asks for it); text inside the tags is never streamed, text outside is streamed as it
 * arrives, and a turn stops streaming the moment it starts a tool call. Should a model still
 * write answer text before a tool call, that text was seen, so it stays the answer's first part:
 * the recorded answer is always what was streamed, followed by the rest.
 *
 * Deltas that arrive together (one network read) go out as one chunk; when the whole answer
 * arrives with the end of the model call, it goes out whole after the run's last trace, as a
 * non-streaming provider's does.
 */
import type { AgentStreamEvent } from './agent-runtime';
import { chunkEvent } from './trace-events';

const OPEN = '<thinking>';
const CLOSE = '</thinking>';
const SEPARATOR = '\n\n';

/** The text with its `<thinking>` sections (a last unclosed one included) taken out, trimmed. */
export function withoutThinking(text: string): string {
  return text.replace(/<thinking>[\s\S]*?(<\/thinking>|$)/g, '').trim();
}

/** The text as a rationale: the tags dropped, the reasoning kept. */
export const rationaleOf = (text: string): string => text.replace(/<\/?thinking>/g, ' ').trim();

/** Length of the longest end of `text` that starts `tag` (a tag cut between two deltas). */
function partialTagAtEnd(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) {
    if (tag.startsWith(text.slice(-n))) return n;
  }
  return 0;
}

/** The text outside `<thinking>` sections of one turn, as its deltas arrive. */
class TurnFilter {
  private held = '';
  private thinking = false;
  outside = '';
  stopped = false;

  push(delta: string): void {
    if (this.stopped) return;
    let text = this.held + delta;
    this.held = '';
    while (text !== '') {
      const tag = this.thinking ? CLOSE : OPEN;
      const at = text.indexOf(tag);
      if (at >= 0) {
        if (!this.thinking) this.outside += text.slice(0, at);
        text = text.slice(at + tag.length);
        this.thinking = !this.thinking;
        continue;
      }
      const cut = partialTagAtEnd(text, tag);
      if (!this.thinking) this.outside += text.slice(0, text.length - cut);
      this.held = text.slice(text.length - cut);
      break;
    }
  }
}

export class AnswerStream {
  /** What the caller has been sent: always the start of the answer. */
  private sent = '';
  /** What was sent before the current turn. */
  private before = '';
  private turn = new TurnFilter();
  private pending = '';
  private wake?: () => void;

  /** A new model turn of the answering agent. */
  beginTurn(): void {
    this.before = this.sent;
    this.turn = new TurnFilter();
    this.pending = '';
  }

  /** A text delta of the current turn. */
  text(delta: string): void {
    const turn = this.turn;
    if (turn.stopped) return;
    const shownBefore = this.visible(turn).length;
    turn.push(delta);
    const now = this.visible(turn);
    if (now.length > shownBefore) {
      this.pending += now.slice(shownBefore);
      this.wake?.();
    }
  }

  /** The current turn called a tool: its text from here on is not the answer. */
  toolUse(): void {
    this.turn.stopped = true;
    this.pending = '';
  }

  /** The answer a turn ending with `turnText` gives, after what was already streamed. */
  compose(turnText: string): string {
    if (this.before === '') return turnText;
    return turnText === '' ? this.before : `${this.before}${SEPARATOR}${turnText}`;
  }

  /** What of `answer` the caller has not been sent yet. */
  rest(answer: string): string {
    return answer.startsWith(this.sent) ? answer.slice(this.sent.length) : '';
  }

  /**
   * Relays the turn's text as chunks while `call` runs; returns (or throws) what it settles to.
   * Ends early, with `cancelled`'s error, when `signal` aborts and the call does not stop.
   */
  async *during<T>(
    call: Promise<T>,
    signal: AbortSignal,
    cancelled: () => Error,
  ): AsyncGenerator<AgentStreamEvent, T> {
    let settled = false;
    const done = call.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );
    let onAbort: () => void = () => undefined;
    const aborted = new Promise<void>((resolve) => {
      onAbort = resolve;
      if (signal.aborted) resolve();
    });
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!settled) {
        if (this.pending === '') {
          const woken = new Promise<void>((resolve) => {
            this.wake = resolve;
          });
          await Promise.race([done, woken, aborted]);
        }
        if (settled) break;
        if (signal.aborted) {
          // A provider that ignores the signal must not keep the caller waiting.
          await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 50))]);
          if (!settled) throw cancelled();
          break;
        }
        // Let the rest of a burst arrive, so one network read makes one chunk.
        await new Promise((resolve) => setImmediate(resolve));
        if (settled || this.pending === '') continue;
        const text = this.pending;
        this.pending = '';
        this.sent += text;
        yield chunkEvent(text);
      }
    } finally {
      this.wake = undefined;
      signal.removeEventListener('abort', onAbort);
    }
    return call;
  }

  private visible(turn: TurnFilter): string {
    const text = turn.outside.trim();
    if (text === '') return '';
    return this.before === '' ? text : `${SEPARATOR}${text}`;
  }
}
