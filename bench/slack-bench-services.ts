/**
 * The services the Slack benchmarks run the handler against: the local Slack API, SQS and
 * Secrets Manager (the AWS router) and DynamoDB, with the bot token and signing secret in their
 * own secrets as the stack keeps them.
 */
import { startEmbeddedDynamoDb } from '@revbot/testing/embedded-dynamodb';
import { startFakeAws } from '@revbot/testing/fake-aws';
import { LocalQueue } from '@revbot/testing/local-queue';
import { startLocalSlackApi } from '@revbot/testing/local-slack-api';
import { BOT_USER, TEAM } from '@revbot/testing/slack-requests';

export const SIGNING_SECRET = 'bench-signing-secret-0123456789abcdef';
export const BOT_TOKEN = 'xoxb-bench-token';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:revops/bench/slack-AbCdEf';
const SIGNING_SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:123456789012:secret:revops/bench/slack-signing-AbCdEf';

/** The local Slack API, SQS and Secrets Manager (the AWS router) and DynamoDB the handler uses. */
export async function startSlackBenchServices(QUEUE: string, TABLE: string) {
  const [slack, aws, dynamo] = await Promise.all([
    startLocalSlackApi({ botToken: BOT_TOKEN, botUserId: BOT_USER, teamId: TEAM }),
    startFakeAws(),
    startEmbeddedDynamoDb(),
  ]);
  aws.state.secrets[SECRET_ARN] = {
    name: 'revops/bench/slack',
    value: JSON.stringify({ bot_token: BOT_TOKEN }),
  };
  aws.state.secrets[SIGNING_SECRET_ARN] = {
    name: 'revops/bench/slack-signing',
    value: JSON.stringify({ signing_secret: SIGNING_SECRET }),
  };
  const queue = new LocalQueue({ name: QUEUE, visibilityTimeoutSeconds: 30 });
  aws.state.queues[QUEUE] = queue;
  await dynamo.createTable(TABLE, 'id');
  return {
    slack,
    queue,
    /** What both handlers need: AWS credentials, the queue and the Slack API. */
    commonEnv: {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDBENCH',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_ENDPOINT_URL_SQS: aws.url,
      SLACK_QUEUE_URL: aws.queueUrl(QUEUE),
      SLACK_API_URL: slack.url,
    },
    /** What ours needs beyond: its claims table and its secret. */
    handlerEnv: {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
      SLACK_SECRET_ARN: SECRET_ARN,
      SLACK_SIGNING_SECRET_ARN: SIGNING_SECRET_ARN,
      SLACK_EVENTS_TABLE: TABLE,
    },
    close: () => Promise.all([slack.close(), aws.close(), dynamo.close()]),
  };
}
