/**
 * What the embedded Slack API shows, printed as it happens (`pnpm dev`): posted and edited
 * messages whole, a streamed answer as it grows (each step when its status changes, each piece of
 * text as appended) and the thread statuses, so the streaming is visible live in the terminal.
 */
import type { LocalSlackApiOptions, LocalSlackMessage } from '@revbot/testing/local-slack-api';

const MARKS: Record<string, string> = {
  pending: '○',
  in_progress: '◐',
  complete: '●',
  error: '✕',
};

/** Messages whose printed state is remembered; older ones are forgotten, keeping memory bounded. */
export const MESSAGES_REMEMBERED = 2_000;

export function slackTerminalView(
  print: (line: string) => void,
): Required<Pick<LocalSlackApiOptions, 'onMessage' | 'onStatus'>> {
  const shown = new Map<string, { chars: number; tasks: Map<string, string>; text: string }>();
  return {
    onMessage(message: LocalSlackMessage) {
      const where = `slack ${message.channel} ${message.thread_ts ?? message.ts}`;
      const seen = shown.get(message.ts) ?? { chars: 0, tasks: new Map(), text: '' };
      shown.set(message.ts, seen);
      if (shown.size > MESSAGES_REMEMBERED) shown.delete(shown.keys().next().value as string);
      const stream = message.stream;
      if (!stream || (!stream.open && message.text !== stream.markdown)) {
        if (message.text !== seen.text) print(`${where}: ${message.text}`);
        seen.text = message.text;
        return;
      }
      for (const task of stream.tasks.values()) {
        if (seen.tasks.get(task.id) === task.status) continue;
        seen.tasks.set(task.id, task.status);
        print(`${where} ${MARKS[task.status] ?? '?'} ${task.title}`);
      }
      const fresh = stream.markdown.slice(seen.chars);
      seen.chars = stream.markdown.length;
      seen.text = message.text;
      if (fresh !== '') print(`${where} ▸ ${fresh.replace(/\n/g, '\n  ')}`);
      if (!stream.open) print(`${where} (stream ended)`);
    },
    onStatus({ channel, thread_ts, text }) {
      print(`slack ${channel} ${thread_ts} … ${text}`);
    },
  };
}
