/**
 * `pnpm dev`: the local stack. Prints what runs where (the API key only by its first characters),
 * then serves until SIGINT/SIGTERM, when it answers new requests 503, lets work in flight finish
 * within LOCAL_SHUTDOWN_GRACE_SECONDS and says how much it left queued for the next start. A
 * configuration error is one line naming the variable, and exit code 1.
 */
import './env-defaults';
import { ConfigError, type Logger } from '@revbot/core';
import { startRevbotLocal } from './local/revbot-local';

const logger: Logger = {
  info: (message, extra) =>
    console.log(`[info] ${message}${extra ? ` ${JSON.stringify(extra)}` : ''}`),
  warn: (message, extra) =>
    console.warn(`[warn] ${message}${extra ? ` ${JSON.stringify(extra)}` : ''}`),
  error: (message, extra) =>
    console.error(`[error] ${message}${extra ? ` ${JSON.stringify(extra)}` : ''}`),
};

try {
  const stack = await startRevbotLocal(process.env, { logger });
  const keyHeader =
    stack.apiKey.source === 'REVBOT_API_KEYS'
      ? ` -H "x-api-key: <your key>"`
      : ` -H "x-api-key: $(cat ${stack.apiKey.source})"`;
  console.log(`RevBot local stack on ${stack.url}

  POST ${stack.url}/webhook              ask a question (answer delivered to callback_url or WEBHOOK_URL)
  GET  ${stack.url}/webhook/{trackingId} its status and answer
  POST ${stack.url}/slack/events         Slack Events API
  GET  ${stack.url}/healthz              health and queue depths
  GET  ${stack.viewerUrl}        the conversation viewer (list, timelines, overview)

  agents:        ${stack.runtimeName} runtime (AGENT_RUNTIME=${stack.env.AGENT_RUNTIME})
  warehouse:     embedded DuckDB, seeded with sample revenue data
  conversations: ${stack.conversationsDir}
  slack:         ${stack.slack.embedded ? `embedded Slack Web API at ${stack.slack.apiUrl} (threads printed here)` : `Slack Web API at ${stack.slack.apiUrl}`}
  api key:       ${stack.apiKey.shown} (${stack.apiKey.generated ? 'generated into' : 'from'} ${stack.apiKey.source}; send it as x-api-key)
  state:         ${stack.stateDir} (queues, statuses, claims, sessions: survive restarts and kill -9)
  webhooks:      signed for ${stack.env.WEBHOOK_ALLOWED_URLS || '(no allowlist)'}; run "pnpm revbot listen" to receive them

Try:
  curl -s -X POST ${stack.url}/webhook -H 'content-type: application/json'${keyHeader} \\
    -d '{"query":"What is the status of the IXIS deal?","source_system":"curl"}'
  pnpm revbot webhook "What is our pipeline this quarter?"
  pnpm revbot slack "What's the status of the IXIS deal?"
`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(
      `${signal}: refusing new requests, finishing work in flight (up to ${stack.env.LOCAL_SHUTDOWN_GRACE_SECONDS} s)…`,
    );
    const left = await stack.close();
    console.log(
      `stopped: ${left.queued} message(s) left queued for the next start` +
        (left.handedBack > 0 ? ` (${left.handedBack} cut off in flight, handed back)` : ''),
    );
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`pnpm dev: ${error.message}`);
  } else {
    console.error(
      `pnpm dev: could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  process.exit(1);
}
