/**
 * The two Web API calls of a question's acknowledgement (`chat.postMessage` for the placeholder,
 * `chat.delete` to take it back), over the `node:http(s)` the AWS SDK has already loaded. The
 * Slack handler's cold start then pays neither for `@slack/web-api` nor for the first `fetch`
 * (Node compiles undici on first use), about 100 ms before Slack's three-second deadline; every
 * other call still goes through the Web API client. Failures take the Web API's error shapes, so
 * `toSlackApiError` classifies them the same way.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { DEFAULT_SLACK_API_URL, normalizeApiUrl } from './slack-web-client';

export interface ThreadPoster {
  postMessage(args: {
    channel: string;
    thread_ts?: string;
    text: string;
  }): Promise<{ ts?: string }>;
  delete(args: { channel: string; ts: string }): Promise<unknown>;
}

export type ThreadPosterFactory = (token: string) => ThreadPoster;

export interface ThreadPosterOptions {
  /** `SLACK_API_URL`. */
  apiUrl?: string;
  timeoutMs: number;
  /** Retries after the first attempt, for network errors and 5xx (never for 429: the deadline). */
  retries: number;
}

interface SlackReply {
  ok?: boolean;
  error?: string;
  ts?: string;
}

/** The Web API's error fields (`@slack/web-api` ErrorCode), for `toSlackApiError`. */
const failure = (message: string, fields: Record<string, unknown>) =>
  Object.assign(new Error(message), fields);

export function slackThreadPosters(options: ThreadPosterOptions): ThreadPosterFactory {
  const base = new URL(normalizeApiUrl(options.apiUrl ?? DEFAULT_SLACK_API_URL));
  const send = base.protocol === 'http:' ? httpRequest : httpsRequest;

  const once = (token: string, method: string, args: object) =>
    new Promise<SlackReply>((resolve, reject) => {
      const body = JSON.stringify(args);
      const req = send(
        new URL(method, base),
        {
          method: 'POST',
          timeout: options.timeoutMs,
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json; charset=utf-8',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status === 429) {
              reject(
                failure(`${method} rate limited`, { code: 'slack_webapi_rate_limited_error' }),
              );
            } else if (status < 200 || status >= 300) {
              reject(
                failure(`${method} HTTP ${status}`, {
                  code: 'slack_webapi_http_error',
                  statusCode: status,
                }),
              );
            } else {
              try {
                resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as SlackReply);
              } catch (error) {
                reject(error);
              }
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} timed out`)));
      req.on('error', reject);
      req.end(body);
    });

  const call = async (token: string, method: string, args: object): Promise<SlackReply> => {
    for (let attempt = 0; ; attempt++) {
      try {
        const reply = await once(token, method, args);
        if (reply.ok !== true) {
          throw failure(`${method}: ${reply.error ?? 'unknown_error'}`, {
            code: 'slack_webapi_platform_error',
            data: reply,
          });
        }
        return reply;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        const status = (error as { statusCode?: unknown }).statusCode;
        // Network errors and 5xx are worth another attempt; Slack's answers and 4xx are not.
        const transient =
          !String(code).startsWith('slack_webapi_') ||
          (code === 'slack_webapi_http_error' && typeof status === 'number' && status >= 500);
        if (!transient || attempt >= options.retries) throw error;
      }
    }
  };

  return (token) => ({
    postMessage: (args) => call(token, 'chat.postMessage', args),
    delete: (args) => call(token, 'chat.delete', args),
  });
}
