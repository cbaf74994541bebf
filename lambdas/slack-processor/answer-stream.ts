/**
 * The answer as it is written, live in the thread: the thread's status while the agents start
 * (`assistant.threads.setStatus`, and `agents.sessions.setStatus` with a title for apps declared
 * as agents), then one streamed message (`client.chatStream` → chat.startStream / appendStream /
 * stopStream) with each agent step as a `task_update` and the answer text appended as it comes.
 * When the answer is complete the stream is stopped and the message is set, by `chat.update`, to
 * exactly the formatted answer of the placeholder path (mrkdwn sections, the rest of a long answer
 * posted after it): a stopped stream keeps its streamed markdown and only adds `blocks` below it,
 * so the final blocks cannot go through `chat.stopStream` without showing the answer twice.
 *
 * Appends are coalesced: at most one every `appendIntervalMs` (default 750 ms, 80 a minute per
 * stream, inside chat.appendStream's Tier 4 of 100+ a minute), except that the first answer text
 * goes out at once so the reader sees it as soon as the model writes it (one extra call per answer).
 *
 * Fallbacks, so the answer is never lost nor shown twice:
 * - streaming unavailable (chat.startStream fails: `not_allowed`, `method_not_supported`,
 *   `unknown_method`, an older workspace, anything else): nothing was shown, the placeholder path
 *   of today carries the answer (`mode` `'fallback'`);
 * - stream closed by Slack (`message_not_in_streaming_state`, about five minutes after it started):
 *   the streamed message is kept and brought up to date with `chat.update` at most once a second,
 *   then set to the final answer (`'closed'`);
 * - Stop pressed by the user (`stopped_by_user`): `onStopped` is called to cancel the run.
 */
import { errorFields, type Logger } from '@revbot/core';
import type { ChatStreamer, KnownBlock, WebClient } from '@slack/web-api';
import { slackCall, slackPlatformError } from '../shared/slack/slack-web-client';
import type { TaskUpdate } from './agent-steps';
import { ProgressUpdates } from './progress-updates';
import {
  type AnswerTarget,
  postAnswer,
  postInThread,
  replacePlaceholder,
  type SlackMessage,
} from './slack-answer';
import { splitSlackMessage } from './split-slack-message';
import { toSlackMrkdwn } from './to-slack-mrkdwn';

/** chat.appendStream is Tier 4 (100+ calls a minute): one append per 750 ms is 80 a minute. */
export const DEFAULT_APPEND_INTERVAL_MS = 750;
/**
 * While a step runs with nothing else to send, it is sent again this often (same id and status,
 * so nothing changes on screen; 20 calls a minute at most, inside Tier 4): Slack answers
 * `stopped_by_user` once the user pressed Stop, which is how a Stop during a long tool call
 * reaches the run without waiting for its next step.
 */
export const DEFAULT_STOP_CHECK_MS = 3_000;
/** A `markdown_text` holds at most 12,000 characters; the rest shows when the answer is set. */
export const MAX_STREAMED_CHARS = 12_000;

export const LOADING_MESSAGES = [
  'Reading the question…',
  'Asking the agents…',
  'Checking the numbers…',
];

export type AnswerStreamMode = 'idle' | 'streaming' | 'closed' | 'fallback' | 'stopped';

export interface AnswerStreamOptions {
  slack: WebClient;
  target: AnswerTarget & { team: string; user: string };
  logger: Logger;
  /** The question, as the agent session's title (apps declared as agents). */
  title?: string;
  /** Set `agents.sessions.setStatus` (the app is declared as an agent). */
  agentSession?: boolean;
  appendIntervalMs?: number;
  stopCheckMs?: number;
  /** The user pressed Stop. */
  onStopped?: () => void;
  now?: () => number;
}

/** Slack closed the stream (about five minutes after it started); the user pressed Stop. */
const STREAM_CLOSED = 'message_not_in_streaming_state';
const STOPPED_BY_USER = 'stopped_by_user';

export class AnswerStream {
  mode: AnswerStreamMode = 'idle';
  /** chat.startStream / appendStream / stopStream calls made, for the log. */
  streamCalls = 0;
  private streamer: ChatStreamer | undefined;
  private tasks = new Map<string, TaskUpdate>();
  private text = '';
  private streamedChars = 0;
  private textSeen = false;
  private lastFlush = Number.NEGATIVE_INFINITY;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private stopCheck: ReturnType<typeof setInterval> | undefined;
  /** Every step as last sent, to send a running one again (see DEFAULT_STOP_CHECK_MS). */
  private sentTasks = new Map<string, TaskUpdate>();
  private chain: Promise<void> = Promise.resolve();
  private readonly interval: number;
  private readonly now: () => number;
  private sessionOn = false;
  /** The answer so far (for the closed-stream updates). */
  private answer = '';
  private closedProgress: ProgressUpdates | undefined;
  private statusProgress: ProgressUpdates;

  constructor(private readonly options: AnswerStreamOptions) {
    this.interval = options.appendIntervalMs ?? DEFAULT_APPEND_INTERVAL_MS;
    this.now = options.now ?? (() => performance.now());
    this.statusProgress = new ProgressUpdates({
      show: (status) => this.setStatus(status),
      logger: options.logger,
    });
  }

  /** The stream's message, once started. */
  get ts(): string | undefined {
    return this.streamer?.ts;
  }

  /** Where the AI features work: answers carry `feedback_buttons`. */
  get aiFeatures(): boolean {
    return this.mode === 'streaming' || this.mode === 'closed';
  }

  /** The thread's status (and agent session) before anything else: best effort. */
  async begin(): Promise<void> {
    const status = this.setStatus('is looking into it…', LOADING_MESSAGES);
    const session = this.options.agentSession
      ? this.session('processing', this.options.title?.slice(0, 200))
      : undefined;
    await Promise.all([status, session]);
  }

  /** A progress hint: the thread's status until the stream shows the steps itself. */
  async hint(text: string): Promise<void> {
    if (this.mode === 'idle') await this.statusProgress.report(text);
  }

  steps(updates: TaskUpdate[]): void {
    if (updates.length === 0 || !this.live) return;
    for (const update of updates) this.tasks.set(update.id, update);
    this.schedule(false);
  }

  /** Answer text as the model writes it. */
  append(delta: string): void {
    if (delta === '') return;
    this.answer += delta;
    if (this.mode === 'closed') {
      this.showClosed();
      return;
    }
    if (!this.live) return;
    const room = MAX_STREAMED_CHARS - this.streamedChars - this.text.length;
    if (room <= 0) return;
    this.text += delta.slice(0, room);
    const first = !this.textSeen;
    this.textSeen = true;
    this.schedule(first);
  }

  /**
   * Sets the final answer: through the stream's message when it streamed (the placeholder is then
   * removed), through the placeholder when it did not. Returns how the answer went out.
   */
  async finish(messages: SlackMessage[]): Promise<AnswerStreamMode> {
    await this.drain();
    const { slack, target } = this.options;
    if (this.mode === 'streaming') {
      const closing = [...this.tasks.values()];
      this.tasks.clear();
      try {
        await this.streamer?.stop({
          ...(closing.length > 0 || this.text !== ''
            ? { chunks: [...closing, ...this.textChunk()] }
            : {}),
        });
        this.streamCalls++;
        this.sessionOn = false; // chat.stopStream leaves the session active
      } catch (error) {
        // Closed or stopped meanwhile: the message is still ours to update.
        const code = slackPlatformError(error);
        if (code !== STREAM_CLOSED && code !== STOPPED_BY_USER) throw error;
        this.mode = 'closed';
      }
      this.text = '';
    }
    const ts = this.ts;
    if ((this.mode === 'streaming' || this.mode === 'closed') && ts) {
      const [first, ...rest] = messages;
      if (first) {
        await slackCall(
          'chat.update',
          slack.chat.update({
            channel: target.channel,
            ts,
            text: first.text,
            blocks: (first.blocks ?? []) as KnownBlock[],
          }),
        );
      }
      for (const message of rest) await postInThread(slack, target, message);
      await this.removePlaceholder();
      if (this.mode === 'closed') await this.endSession();
      return this.mode;
    }
    await postAnswer(slack, target, messages);
    await this.endSession();
    return this.mode;
  }

  /**
   * The run failed or was stopped: the stream is stopped and, unless the user stopped it,
   * removed, so the placeholder tells what happened and a retry cannot show the answer twice.
   */
  async abandon(): Promise<void> {
    this.unwatch();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain.catch(() => undefined);
    const { slack, target, logger } = this.options;
    const ts = this.ts;
    try {
      if (this.mode === 'streaming') {
        await this.streamer
          ?.stop({ chunks: [...this.tasks.values()].map((t) => ({ ...t, status: 'error' })) })
          .catch(() => undefined);
      }
      if (ts && this.mode !== 'stopped') {
        await slack.chat.delete({ channel: target.channel, ts });
      }
      await this.endSession();
    } catch (error) {
      logger.warn('Could not remove the unfinished stream', { error: errorFields(error) });
    }
  }

  /** Says in the thread that the run was stopped, where the placeholder was. */
  async stopped(text: string): Promise<void> {
    const { slack, target } = this.options;
    await replacePlaceholder(slack, target, { text });
    await this.endSession();
  }

  private get live(): boolean {
    return this.mode === 'idle' || this.mode === 'streaming';
  }

  private textChunk(): { type: 'markdown_text'; text: string }[] {
    return this.text === '' ? [] : [{ type: 'markdown_text', text: this.text }];
  }

  /** Flushes now (first text, or the interval has passed) or when the interval allows. */
  private schedule(urgent: boolean): void {
    const wait = urgent ? 0 : Math.max(0, this.lastFlush + this.interval - this.now());
    if (wait === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.lastFlush = this.now();
      this.chain = this.chain.then(() => this.flush());
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.lastFlush = this.now();
      this.chain = this.chain.then(() => this.flush());
    }, wait);
  }

  /** Waits for appends in flight and sends what is still held back. */
  private async drain(): Promise<void> {
    this.unwatch();
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.chain;
  }

  private async flush(): Promise<void> {
    if (!this.live) return;
    const chunks = [...this.tasks.values(), ...this.textChunk()];
    if (chunks.length === 0) return;
    const sentText = this.text;
    this.tasks.clear();
    this.text = '';
    const { slack, target, logger } = this.options;
    this.streamer ??= slack.chatStream({
      channel: target.channel,
      thread_ts: target.threadTs,
      recipient_team_id: target.team,
      recipient_user_id: target.user,
      task_display_mode: 'timeline',
    });
    const starting = this.streamer.ts === undefined;
    try {
      await this.streamer.append({ chunks });
      this.streamCalls++;
      this.streamedChars += sentText.length;
      for (const chunk of chunks) {
        if (chunk.type === 'task_update') this.sentTasks.set(chunk.id, chunk);
      }
      if (starting) {
        this.mode = 'streaming';
        this.watchForStop();
      }
    } catch (error) {
      const code = slackPlatformError(error);
      if (starting) {
        // Nothing was shown: the placeholder path carries the answer.
        this.mode = 'fallback';
        this.streamer = undefined;
        logger.warn('Streaming unavailable, answering by chat.update', {
          slack_error: code,
          error: errorFields(error),
        });
      } else if (code === STREAM_CLOSED) {
        this.enterClosed();
      } else if (code === STOPPED_BY_USER) {
        this.mode = 'stopped';
        this.options.onStopped?.();
      } else {
        // A transient failure: what was not shown goes with the next append.
        for (const chunk of chunks) {
          if (chunk.type === 'task_update' && !this.tasks.has(chunk.id)) {
            this.tasks.set(chunk.id, chunk);
          }
        }
        this.text = sentText + this.text;
        logger.warn('Stream append failed, retrying with the next one', {
          error: errorFields(error),
        });
      }
    }
  }

  private watchForStop(): void {
    const every = this.options.stopCheckMs ?? DEFAULT_STOP_CHECK_MS;
    this.stopCheck = setInterval(() => {
      if (this.mode !== 'streaming') return this.unwatch();
      if (this.timer || this.now() - this.lastFlush < every) return;
      const running = [...this.sentTasks.values()].filter((t) => t.status === 'in_progress').at(-1);
      if (!running) return;
      this.tasks.set(running.id, this.tasks.get(running.id) ?? running);
      this.schedule(true);
    }, every / 4);
    this.stopCheck.unref?.();
  }

  private unwatch(): void {
    if (this.stopCheck) clearInterval(this.stopCheck);
    this.stopCheck = undefined;
  }

  /** Slack closed the stream: chat.update keeps the message current (Tier 3: once a second). */
  private enterClosed(): void {
    this.mode = 'closed';
    const { slack, target, logger } = this.options;
    const ts = this.ts as string;
    this.closedProgress = new ProgressUpdates({
      show: (text) =>
        slackCall('chat.update', slack.chat.update({ channel: target.channel, ts, text })).then(
          () => undefined,
        ),
      logger,
    });
    logger.info('Slack closed the stream, continuing with chat.update', { ts });
    this.showClosed();
  }

  /** In order with the rest, so the final chat.update always lands last. */
  private showClosed(): void {
    const progress = this.closedProgress;
    const text = firstPiece(this.answer);
    if (progress) this.chain = this.chain.then(() => progress.report(text));
  }

  private async removePlaceholder(): Promise<void> {
    const { slack, target, logger } = this.options;
    try {
      await slack.chat.delete({ channel: target.channel, ts: target.placeholderTs });
    } catch (error) {
      // Already gone is fine; anything else leaves a harmless "Looking into it…".
      if (slackPlatformError(error) !== 'message_not_found') {
        logger.warn('Placeholder not removed', { error: errorFields(error) });
      }
    }
  }

  private async setStatus(status: string, loadingMessages?: string[]): Promise<void> {
    const { slack, target, logger } = this.options;
    try {
      await slack.assistant.threads.setStatus({
        channel_id: target.channel,
        thread_ts: target.threadTs,
        status,
        ...(loadingMessages ? { loading_messages: loadingMessages } : {}),
      });
    } catch (error) {
      logger.warn('Thread status not set', { slack_error: slackPlatformError(error) });
    }
  }

  private async session(status: 'processing' | 'active', title?: string): Promise<void> {
    const { slack, target, logger } = this.options;
    try {
      await slack.agents.sessions.setStatus({
        channel_id: target.channel,
        thread_ts: target.threadTs,
        status,
        ...(title ? { title, initiator_user_id: target.user } : {}),
      });
      this.sessionOn = status === 'processing';
    } catch (error) {
      logger.warn('Agent session status not set', { slack_error: slackPlatformError(error) });
    }
  }

  /** chat.stopStream sets the session active itself; every other ending does it here. */
  private async endSession(): Promise<void> {
    if (this.sessionOn) await this.session('active');
  }
}

/** The first message's worth of the answer so far, as the placeholder path would show it. */
function firstPiece(markdown: string): string {
  return splitSlackMessage(toSlackMrkdwn(markdown))[0] ?? '…';
}
