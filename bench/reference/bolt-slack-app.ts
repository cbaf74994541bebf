/**
 * The comparison point for the Slack handler benchmark: the smallest `@slack/bolt` 5.x app on
 * `AwsLambdaReceiver` doing the same acknowledgement — verify the request, post the placeholder
 * in the thread, queue the question on SQS — as Bolt's AWS Lambda guide builds it. Never deployed.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { App, AwsLambdaReceiver, LogLevel } from '@slack/bolt';

const receiver = new AwsLambdaReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? '',
  logLevel: LogLevel.ERROR,
});

const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  receiver,
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
});

const sqs = new SQSClient({});

app.event('app_mention', async ({ event, client }) => {
  const threadTs = event.thread_ts ?? event.ts;
  const placeholder = await client.chat.postMessage({
    channel: event.channel,
    thread_ts: threadTs,
    text: 'Looking into it…',
  });
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: process.env.SLACK_QUEUE_URL,
      MessageBody: JSON.stringify({
        channel: event.channel,
        thread_ts: threadTs,
        user: event.user,
        text: event.text,
        placeholder_ts: placeholder.ts,
      }),
    }),
  );
});

// Bolt 5's AwsHandler takes (event, context) and returns a promise; there is no callback.
export const handler = async (event: unknown, context: unknown) => {
  const handle = await receiver.start();
  return handle(event as never, context);
};
