/**
 * The Slack handler's core, behind `POST /slack/events` and `POST /slack/interactions`: verify
 * the signature, answer `url_verification`, drop what must not be answered, claim the message so
 * it is answered once, post the "Looking into it…" placeholder in the thread and queue the
 * question, all well inside Slack's three seconds. Slow work happens after the queue.
 *
 * Status codes follow what Slack does with them: any 2xx ends the delivery; anything else makes
 * Slack retry (three times, over about five minutes), which is what a transient failure wants.
 */
import { randomUUID } from 'node:crypto';
import { errorFields, type Logger, NotFoundError, RetryableError, RevbotError } from '@revbot/core';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { errorResponse, jsonResponse } from '../shared/api-response';
import type { SlackCredentials, SlackCredentialsSource } from '../shared/slack/slack-credentials';
import {
  MAX_QUESTION_CHARS,
  QUEUE_MESSAGE_VERSION,
  type SlackQuestionMessage,
} from '../shared/slack/slack-queue-message';
import { cleanQuestion } from '../shared/slack/slack-text';
import type { ThreadPoster, ThreadPosterFactory } from '../shared/slack/slack-thread-poster';
import {
  type SlackClientFactory,
  slackCall,
  toSlackApiError,
} from '../shared/slack/slack-web-client';
import type { StopRequests } from '../shared/slack/stop-requests';
import { handleApprovalClicks } from './approval-clicks';
import { greetAssistantThread } from './assistant-thread';
import { type EventClaims, messageClaimKey } from './event-claims';
import type { QueuePublisher } from './queue-publisher';
import {
  CHANNEL_NOT_ALLOWED_TEXT,
  decideSlackAccess,
  OPEN_SLACK_ACCESS,
  type SlackAccessPolicy,
} from './slack-access';
import {
  botUserIdOf,
  classifySlackEvent,
  type IncomingQuestion,
  parseSlackEnvelope,
} from './slack-events';
import { feedbackFromInteraction, parseInteractionPayload } from './slack-interactions';
import { headersOf, rawBodyOf, routeOf, type SlackGatewayRequest } from './slack-request';
import { assertUsableSigningSecret, verifySlackSignature } from './slack-signature';

export const PLACEHOLDER_TEXT = 'Looking into it… :hourglass_flowing_sand:';
export const TOO_LONG_TEXT = `That question is too long for me: keep it under ${MAX_QUESTION_CHARS.toLocaleString('en-US')} characters.`;
export const EMPTY_QUESTION_TEXT =
  'Ask me something after the mention, for example: _@RevBot what is the status of the Acme deal?_';

export interface SlackHandlerDeps {
  credentials: SlackCredentialsSource;
  slackClient: SlackClientFactory;
  /**
   * Posts and takes back the placeholder (default: through `slackClient`). The deployed handler
   * gives the small poster of `slack-thread-poster.ts`, so a cold question does not wait for the
   * Web API client to load.
   */
  threadPoster?: ThreadPosterFactory;
  claims: EventClaims;
  /** Where a Stop press is recorded for the processor (absent: Stop is acknowledged only). */
  stopRequests?: StopRequests;
  queue: QueuePublisher;
  logger: Logger;
  /** RevBot's Slack app id (`SLACK_APP_ID`); when set, other apps' envelopes are ignored. */
  appId?: string;
  /** Workspaces, Slack Connect users and channels RevBot answers (default: open). */
  access?: SlackAccessPolicy;
  /** How logs and errors name the signing secret (its id, never its value). */
  signingSecretName?: string;
  /** Slack user group (`S…`) whose members may approve any action (`SLACK_APPROVERS_GROUP`). */
  approversGroup?: string;
  /** Epoch milliseconds. */
  now?: () => number;
  newConversationId?: () => string;
}

export type SlackHandler = (request: SlackGatewayRequest) => Promise<APIGatewayProxyResult>;

const ACK: APIGatewayProxyResult = { statusCode: 200, headers: {}, body: '' };

export function createSlackHandler(deps: SlackHandlerDeps): SlackHandler {
  const now = deps.now ?? Date.now;
  const newConversationId = deps.newConversationId ?? randomUUID;
  const { logger } = deps;
  // auth.test only when an envelope does not name the bot user (older payload shapes).
  const botUsers = new Map<string, Promise<string | undefined>>();

  const botUserFor = (token: string): Promise<string | undefined> => {
    let known = botUsers.get(token);
    if (!known) {
      known = deps
        .slackClient(token)
        .then((slack) => slack.auth.test())
        .then((identity) => identity.user_id)
        .catch((error: unknown) => {
          botUsers.delete(token);
          throw toSlackApiError(error, 'auth.test');
        });
      botUsers.set(token, known);
    }
    return known;
  };

  /** Verifies the request and returns its body as text, or throws a SlackSignatureError. */
  async function verified(
    request: SlackGatewayRequest,
  ): Promise<{ body: string; headers: Record<string, string>; credentials: SlackCredentials }> {
    const headers = headersOf(request);
    const raw = rawBodyOf(request);
    const credentials = await deps.credentials();
    assertUsableSigningSecret(
      credentials.signingSecret,
      deps.signingSecretName ?? 'Slack signing secret',
    );
    verifySlackSignature({
      signingSecret: credentials.signingSecret,
      timestamp: headers['x-slack-request-timestamp'],
      signature: headers['x-slack-signature'],
      rawBody: raw,
      nowSeconds: Math.floor(now() / 1000),
    });
    return { body: raw.toString('utf8'), headers, credentials };
  }

  async function onEvents(request: SlackGatewayRequest): Promise<APIGatewayProxyResult> {
    const { body, headers, credentials } = await verified(request);
    const envelope = parseSlackEnvelope(body);
    if (envelope.type === 'url_verification') {
      return jsonResponse(200, { challenge: envelope.challenge });
    }
    if (envelope.type === 'other') {
      logger.info('Slack request acknowledged', { type: envelope.name });
      return ACK;
    }
    const { callback } = envelope;
    const retry = {
      event_id: callback.event_id,
      retry_num: headers['x-slack-retry-num'],
      retry_reason: headers['x-slack-retry-reason'],
    };
    // Before any Slack call: another app's or organisation's event costs nothing but the log line.
    const access =
      deps.appId && callback.api_app_id !== deps.appId
        ? ({ action: 'ignore', reason: 'other_app' } as const)
        : decideSlackAccess(callback, deps.access ?? OPEN_SLACK_ACCESS);
    if (access.action === 'ignore') {
      logger.info('Slack event ignored', {
        ...retry,
        reason: access.reason,
        team: callback.team_id,
      });
      return ACK;
    }
    const botUserId = botUserIdOf(callback) ?? (await botUserFor(credentials.botToken));
    const decision = classifySlackEvent(callback, { botUserId, appId: deps.appId });
    if (decision.action === 'ignore') {
      logger.info('Slack event ignored', { ...retry, reason: decision.reason });
      return ACK;
    }
    if (decision.action === 'stop') {
      // A streamed answer hears Stop from Slack; a posted one reads this record (stop-requests.ts).
      const { team, channel, threadTs, atMs } = decision.stop;
      await deps.stopRequests?.record(team, channel, threadTs, atMs);
      logger.info('Stop pressed in a Slack thread', { ...retry, team, channel });
      return ACK;
    }
    if (decision.action === 'greet') {
      // Suggested prompts in the assistant pane: one idempotent call, safe to repeat on a retry.
      await greetAssistantThread(await deps.slackClient(credentials.botToken), decision.thread);
      logger.info('Assistant thread greeted', { ...retry, channel: decision.thread.channel });
      return ACK;
    }
    const refusal = access.action === 'refuse' ? CHANNEL_NOT_ALLOWED_TEXT : undefined;
    return accept(decision.question, botUserId, credentials, retry, refusal);
  }

  async function accept(
    incoming: IncomingQuestion,
    botUserId: string | undefined,
    credentials: SlackCredentials,
    log: Record<string, unknown>,
    /** Said in the thread instead of asking the agents (the access policy refused). */
    refusal?: string,
  ): Promise<APIGatewayProxyResult> {
    const key = messageClaimKey(incoming.team, incoming.channel, incoming.messageTs);
    const outcome = await deps.claims.claim(key, incoming.eventId);
    const context = { ...log, team: incoming.team, channel: incoming.channel };
    if (outcome === 'duplicate') {
      logger.info('Slack event already handled', context);
      return ACK;
    }
    if (outcome === 'in_progress') {
      // Another attempt holds the message: a non-2xx makes Slack ask again after it finished.
      logger.info('Slack event is being handled by another attempt', context);
      return errorResponse(
        new RetryableError('This event is still being handled', 'EVENT_IN_PROGRESS'),
      );
    }

    const question = cleanQuestion(incoming.text, botUserId);
    let slack: ThreadPoster | undefined;
    let placeholderTs: string | undefined;
    try {
      slack = deps.threadPoster
        ? deps.threadPoster(credentials.botToken)
        : (await deps.slackClient(credentials.botToken)).chat;
      const hint =
        refusal ??
        (question === ''
          ? EMPTY_QUESTION_TEXT
          : question.length > MAX_QUESTION_CHARS
            ? TOO_LONG_TEXT
            : undefined);
      if (hint) {
        await slackCall(
          'chat.postMessage',
          slack.postMessage({
            channel: incoming.channel,
            thread_ts: incoming.threadTs,
            text: hint,
          }),
        );
        await deps.claims.complete(key);
        logger.info('Slack mention answered with a hint', {
          ...context,
          chars: question.length,
          refused: refusal !== undefined,
        });
        return ACK;
      }
      const placeholder = await slackCall(
        'chat.postMessage',
        slack.postMessage({
          channel: incoming.channel,
          thread_ts: incoming.threadTs,
          text: PLACEHOLDER_TEXT,
        }),
      );
      placeholderTs = placeholder.ts;
      if (!placeholderTs)
        throw new RetryableError('Slack returned no placeholder ts', 'SLACK_API_ERROR');

      const message: SlackQuestionMessage = {
        kind: 'question',
        version: QUEUE_MESSAGE_VERSION,
        conversation_id: newConversationId(),
        event_id: incoming.eventId,
        team: incoming.team,
        channel: incoming.channel,
        thread_ts: incoming.threadTs,
        message_ts: incoming.messageTs,
        user: incoming.user,
        question,
        placeholder_ts: placeholderTs,
        received_at: new Date(now()).toISOString(),
      };
      const [queued, completed] = await Promise.allSettled([
        deps.queue.publish(message),
        deps.claims.complete(key),
      ]);
      if (queued.status === 'rejected') throw queued.reason;
      if (completed.status === 'rejected') {
        // Queued: answering 200 stops Slack's retries; the lease still covers the next seconds.
        logger.error('Question queued but its claim could not be completed', {
          ...context,
          error: errorFields(completed.reason),
        });
      }
      logger.info('Slack question queued', {
        ...context,
        conversation_id: message.conversation_id,
      });
      return ACK;
    } catch (error) {
      return failed(error, key, incoming, placeholderTs, slack, context);
    }
  }

  /**
   * Undoes a half-done attempt: the placeholder goes (a retry posts its own) and the claim is
   * released so Slack's retry can succeed. A failure no retry can fix (`channel_not_found`…)
   * keeps its claim and is acknowledged, so Slack stops retrying it.
   */
  async function failed(
    error: unknown,
    key: string,
    incoming: IncomingQuestion,
    placeholderTs: string | undefined,
    slack: ThreadPoster | undefined,
    context: Record<string, unknown>,
  ): Promise<APIGatewayProxyResult> {
    const retryable = !(error instanceof RevbotError) || error.retryable;
    const reference = newConversationId();
    logger.error('Slack question could not be queued', {
      ...context,
      reference_id: reference,
      retryable,
      error: errorFields(error),
    });
    if (!retryable) {
      await deps.claims.complete(key).catch(() => undefined);
      return ACK;
    }
    if (slack && placeholderTs) {
      await slack.delete({ channel: incoming.channel, ts: placeholderTs }).catch((cause: unknown) =>
        logger.warn('Placeholder could not be removed', {
          ...context,
          error: errorFields(cause),
        }),
      );
    }
    await deps.claims
      .release(key)
      .catch((cause: unknown) =>
        logger.error('Claim could not be released', { ...context, error: errorFields(cause) }),
      );
    return errorResponse(error, reference);
  }

  async function onInteractions(request: SlackGatewayRequest): Promise<APIGatewayProxyResult> {
    const { body, credentials } = await verified(request);
    const payload = parseInteractionPayload(body);
    const approval = await handleApprovalClicks(payload, {
      claims: deps.claims,
      queue: deps.queue,
      slack: () => deps.slackClient(credentials.botToken),
      approversGroup: deps.approversGroup,
      now,
      logger,
    });
    if (approval) return ACK;
    const clicks = feedbackFromInteraction(payload);
    for (const click of clicks) {
      await deps.queue.publish(click);
      logger.info('Slack feedback queued', {
        conversation_id: click.conversation_id,
        rating: click.rating,
      });
    }
    return ACK;
  }

  return async (request) => {
    try {
      switch (routeOf(request)) {
        case 'events':
          return await onEvents(request);
        case 'interactions':
          return await onInteractions(request);
        default:
          throw new NotFoundError('No such Slack endpoint');
      }
    } catch (error) {
      const reference = newConversationId();
      if (error instanceof RevbotError && !error.retryable && error.statusCode < 500) {
        logger.warn('Slack request refused', { code: error.code, status: error.statusCode });
      } else {
        logger.error('Slack request failed', {
          reference_id: reference,
          error: errorFields(error),
        });
      }
      return errorResponse(error, reference);
    }
  };
}
