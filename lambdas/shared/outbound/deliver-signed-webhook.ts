/**
 * `deliverSignedWebhook`: POSTs a JSON payload to an allowlisted URL, signed per Standard
 * Webhooks, retried with backoff on network errors, 5xx and 429 (honouring Retry-After), within
 * bounded attempts and time. Every attempt re-runs the SSRF guard and connects to the address it
 * checked; redirects are refused. The one outbound path for the webhook channel and the
 * webhook_executor tool.
 */
import { randomUUID } from 'node:crypto';
import { parseRetryAfter } from '@revbot/core';
import {
  assertAllowedDestination,
  type CheckedDestination,
  type Resolver,
} from './assert-allowed-destination';
import { type DestinationAllowlist, describeDestination } from './destination-allowlist';
import { DestinationNotAllowedError, NetworkError, WebhookDeliveryError } from './errors';
import { type PostResult, postToCheckedDestination } from './post-to-checked-destination';
import {
  backoffDelay,
  type Clock,
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  type RetryPolicy,
  systemClock,
} from './retry-policy';
import { createWebhookSigner, type WebhookSigner } from './webhook-signing';

export const USER_AGENT = 'RevBot-Webhooks/1.0';

export interface WebhookDelivery {
  url: string;
  /** Serialized once with JSON.stringify; the signature covers exactly those bytes. */
  payload: unknown;
  /**
   * `webhook-id`; receivers de-duplicate on it, so keep it stable for the same message across
   * retries and redeliveries (e.g. derived from a tracking id). Default: `msg_<uuid>`.
   */
  webhookId?: string;
  /** Extra request headers; the signature, content type and host headers cannot be replaced. */
  headers?: Record<string, string>;
}

export interface AttemptReport {
  attempt: number;
  status?: number;
  /** Network problem of an attempt that got no answer. */
  error?: string;
  /** Wait before the next attempt, when there is one. */
  retryInMs?: number;
}

export interface DeliveryOptions {
  allowlist: DestinationAllowlist;
  /** `whsec_…` or the bare base64 key, or a signer made once with createWebhookSigner. */
  signingSecret: string | WebhookSigner;
  retry?: Partial<RetryPolicy>;
  resolve?: Resolver;
  clock?: Clock;
  random?: () => number;
  /** Extra trusted CA certificates (PEM). */
  ca?: string | string[];
  /** Told about each attempt, for logs (never given the payload or the URL's path). */
  onAttempt?: (report: AttemptReport) => void;
}

export interface DeliveryReceipt {
  webhookId: string;
  /** The receiver's 2xx status. */
  status: number;
  attempts: number;
  durationMs: number;
  /** Origin only: paths and queries may carry tokens. */
  destination: string;
}

/**
 * Delivers `delivery` and resolves with a receipt once a 2xx arrives. Rejects with a
 * DestinationNotAllowedError (SSRF guard, no attempt made or continued) or a
 * WebhookDeliveryError: `DELIVERY_REJECTED` for a 4xx other than 429, `REDIRECT_REFUSED` for a
 * 3xx, `DELIVERY_FAILED` (retryable later) once attempts or time ran out.
 */
export async function deliverSignedWebhook(
  delivery: WebhookDelivery,
  options: DeliveryOptions,
): Promise<DeliveryReceipt> {
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const signer =
    typeof options.signingSecret === 'string'
      ? createWebhookSigner(options.signingSecret)
      : options.signingSecret;
  const webhookId = delivery.webhookId ?? `msg_${randomUUID().replaceAll('-', '')}`;
  const body = JSON.stringify(delivery.payload);
  const destination = describeDestination(delivery.url);
  const started = clock.now();
  const elapsed = () => clock.now() - started;

  /** Sleeps before the next attempt; false when none may follow (attempts or budget spent). */
  const waitForNext = async (
    current: number,
    wait: number,
    outcome: Pick<AttemptReport, 'status' | 'error'>,
  ): Promise<boolean> => {
    const more = current < policy.maxAttempts && elapsed() + wait < policy.maxTotalMs;
    options.onAttempt?.({ attempt: current, ...outcome, ...(more ? { retryInMs: wait } : {}) });
    if (more) await clock.sleep(wait);
    return more;
  };

  let lastProblem = 'no attempt was made';
  let lastStatus: number | undefined;
  let lastRetryAfter: number | undefined;
  let attempt = 0;
  while (attempt < policy.maxAttempts) {
    const remaining = policy.maxTotalMs - elapsed();
    if (remaining <= 0) break;
    attempt += 1;
    let result: PostResult;
    try {
      const checked: CheckedDestination = await checkDestination(delivery.url, options);
      const signature = signer.sign(webhookId, new Date(clock.now()), body);
      result = await postToCheckedDestination(checked, {
        headers: {
          'user-agent': USER_AGENT,
          ...extraHeaders(delivery.headers),
          'content-type': 'application/json',
          ...signature,
        },
        body,
        timeoutMs: Math.min(policy.timeoutMs, remaining),
        ca: options.ca,
      });
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      lastProblem = error.message;
      lastStatus = undefined;
      lastRetryAfter = undefined;
      const wait = backoffDelay(attempt, policy, random);
      if (!(await waitForNext(attempt, wait, { error: error.message }))) break;
      continue;
    }

    const { status } = result;
    if (status >= 200 && status < 300) {
      options.onAttempt?.({ attempt, status });
      return { webhookId, status, attempts: attempt, durationMs: elapsed(), destination };
    }
    lastStatus = status;
    lastProblem = `HTTP ${status}`;
    if (status >= 300 && status < 400) {
      options.onAttempt?.({ attempt, status });
      throw new WebhookDeliveryError(
        `${destination} answered with a redirect (HTTP ${status}); redirects are not followed`,
        'REDIRECT_REFUSED',
        attempt,
        status,
      );
    }
    if (!isRetryableStatus(status)) {
      options.onAttempt?.({ attempt, status });
      throw new WebhookDeliveryError(
        `${destination} refused the delivery with HTTP ${status}`,
        'DELIVERY_REJECTED',
        attempt,
        status,
      );
    }
    const retryAfter = parseRetryAfter(headerValue(result.headers['retry-after']), clock.now);
    lastRetryAfter = retryAfter;
    if (retryAfter !== undefined && retryAfter > policy.maxTotalMs - elapsed()) {
      options.onAttempt?.({ attempt, status });
      lastProblem = `HTTP ${status} asking to retry after ${Math.ceil(retryAfter / 1000)} s, beyond the delivery's time budget`;
      break;
    }
    const wait = retryAfter ?? backoffDelay(attempt, policy, random);
    if (!(await waitForNext(attempt, wait, { status }))) break;
  }
  throw new WebhookDeliveryError(
    `Delivery to ${destination} failed after ${attempt} attempt${attempt === 1 ? '' : 's'} (last: ${lastProblem})`,
    'DELIVERY_FAILED',
    attempt,
    lastStatus,
    { retryAfterMs: lastRetryAfter },
  );
}

/** The SSRF guard; a failed DNS lookup counts as a network error (it may be transient). */
async function checkDestination(
  url: string,
  options: DeliveryOptions,
): Promise<CheckedDestination> {
  try {
    return await assertAllowedDestination(url, options.allowlist, { resolve: options.resolve });
  } catch (error) {
    if (error instanceof DestinationNotAllowedError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new NetworkError(
      `could not resolve ${describeDestination(url)}${code ? ` (${code})` : ''}`,
      {
        cause: error,
      },
    );
  }
}

const RESERVED_HEADERS = new Set([
  'host',
  'content-type',
  'content-length',
  'transfer-encoding',
  'connection',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
]);

/** Caller headers minus the ones the delivery itself owns (compared case-insensitively). */
function extraHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!RESERVED_HEADERS.has(name.toLowerCase())) kept[name.toLowerCase()] = value;
  }
  return kept;
}

function headerValue(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}
