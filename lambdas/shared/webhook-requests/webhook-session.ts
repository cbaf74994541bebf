/**
 * Webhook agent sessions, namespaced by the caller (its API key's name): `crm` asking with
 * `session_id: "thread-42"` talks in the session `crm:thread-42`, which no other caller can
 * name. The `default` caller (a bare key, or no keys) keeps its ids as sent, as before names.
 * A session id of another channel (`slack-…`) or in another caller's namespace (`other:…`) is
 * refused; one already in the caller's own namespace (as status and deliveries show it) is kept.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '@revbot/core';

const DEFAULT_CALLER = 'default';
/** Bedrock's session id limit. */
const MAX_SESSION_ID = 100;

/** Why a caller's session_id may not be used, or undefined when it may. */
export function foreignSessionProblem(sessionId: string, caller: string): string | undefined {
  if (/^slack[-_:]/i.test(sessionId)) {
    return 'belongs to the Slack channel: a webhook caller cannot continue a Slack thread';
  }
  const colon = sessionId.indexOf(':');
  if (colon > 0 && sessionId.slice(0, colon) !== caller) {
    return `is in another caller's namespace ("${sessionId.slice(0, colon).slice(0, 40)}:"): use your own session ids`;
  }
  return undefined;
}

/**
 * The agent session a caller's session id names: refused with a 400 ValidationError on
 * `session_id` when it belongs to another channel or caller.
 */
export function webhookSessionId(sessionId: string, caller: string): string {
  const problem = foreignSessionProblem(sessionId, caller);
  if (problem) {
    throw new ValidationError(`Invalid request: session_id ${problem}`, [
      { field: 'session_id', message: problem },
    ]);
  }
  if (caller === DEFAULT_CALLER || sessionId.startsWith(`${caller}:`)) return sessionId;
  const namespaced = `${caller}:${sessionId}`;
  if (namespaced.length <= MAX_SESSION_ID) return namespaced;
  const digest = createHash('sha256').update(sessionId, 'utf8').digest('hex').slice(0, 40);
  return `${caller}:${digest}`;
}
