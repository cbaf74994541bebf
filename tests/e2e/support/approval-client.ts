/**
 * A webhook caller of the local stack, as the approval end-to-end tests drive it: its API key's
 * requests, the status view, and the signed events its callback receiver gets, by type.
 */
import type { WebhookReceiver } from '@revbot/testing/webhook-receiver';

export interface StatusView {
  status: string;
  response: string | null;
  error: { code: string } | null;
  approval: {
    action: { title: string; destination: string; fields: { name: string; value: string }[] };
    action_group: string;
    function: string;
    expires_at: string;
    decision: string | null;
  } | null;
}

/** Both are asked per call: they start in `beforeAll`, and a test may restart the stack. */
export function approvalClient(stackUrl: () => string, receiver: () => WebhookReceiver) {
  const call = (method: string, route: string, body?: unknown, key = 'caller-key') =>
    fetch(`${stackUrl()}${route}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return {
    call,
    statusOf: async (id: string) =>
      (await (await call('GET', `/webhook/${id}`)).json()) as StatusView,
    /** The next signed event of `type` (events of other types are passed over). */
    async nextOfType(type: string) {
      for (;;) {
        const delivery = await receiver().next(60_000);
        const payload = delivery.payload as { type?: string };
        if (payload.type === type) return { delivery, payload: payload as Record<string, unknown> };
      }
    },
    notifications: () => receiver().requests.filter((r) => r.path === '/notify'),
  };
}
