/**
 * The assistant pane: when a user opens a thread with RevBot (`assistant_thread_started`), Slack
 * shows up to four suggested prompts under the composer. They are questions the documentation
 * and the golden set (`eval/golden/`) answer, one per kind of agent, so a first click works.
 */
import type { WebClient } from '@slack/web-api';
import { slackCall } from '../shared/slack/slack-web-client';
import type { StartedAssistantThread } from './slack-events';

export const SUGGESTED_PROMPTS_TITLE = 'Try asking RevBot';

/** Slack takes at most four; each `message` is sent as the user's question when clicked. */
export const SUGGESTED_PROMPTS = [
  { title: 'Review a deal', message: "What's the status of the IXIS deal?" },
  { title: 'Pipeline this quarter', message: "What's our pipeline this quarter?" },
  { title: 'Score a lead', message: 'Assess John Smith at DataCorp' },
  {
    title: 'Competitors in calls',
    message: 'Which competitors came up in our calls with Acme Corp?',
  },
] as const;

export async function greetAssistantThread(
  slack: WebClient,
  thread: StartedAssistantThread,
): Promise<void> {
  await slackCall(
    'assistant.threads.setSuggestedPrompts',
    slack.assistant.threads.setSuggestedPrompts({
      channel_id: thread.channel,
      thread_ts: thread.threadTs,
      title: SUGGESTED_PROMPTS_TITLE,
      prompts: SUGGESTED_PROMPTS.map((prompt) => ({ ...prompt })),
    }),
  );
}
