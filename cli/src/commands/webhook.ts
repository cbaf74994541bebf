/**
 * `revbot webhook "question"`: asks a running `pnpm dev` over its webhook API and waits.
 * `revbot webhook redeliver <tracking-id>`: sends a stored answer again (webhook-redeliver.ts).
 */

import type { Command } from '../command';
import { UsageError } from '../errors';
import { clientApiKey } from '../local/local-api-key';
import { localUrl } from '../local/local-url';
import { parseQuestionArgs } from '../question-args';
import { REDELIVER_USAGE, redeliver } from './webhook-redeliver';

interface StatusBody {
  tracking_id?: string;
  status?: string;
  response?: string;
  error?: { code?: string; message?: string } | string;
}

const FINAL = new Set(['completed', 'failed', 'delivery_failed']);

export const webhookCommand: Command = {
  name: 'webhook',
  summary: 'ask a running pnpm dev through POST /webhook and print the answer; redeliver one',
  usage: `usage: revbot webhook "question" [--url http://127.0.0.1:3000] [--api-key KEY]
                      [--source-system revbot-cli] [--timeout 120] [--json]

Posts the question to the webhook API, polls GET /webhook/{trackingId} until it is
completed or failed, and prints the answer. The API key defaults to the first of
REVBOT_API_KEYS, else the key pnpm dev generated into $REVBOT_DATA_DIR/api-key (.revbot).

${REDELIVER_USAGE}`,
  async run(args, io) {
    if (args[0] === 'redeliver') return redeliver(args.slice(1), io);
    const { values, question: query } = parseQuestionArgs(args, {
      url: { type: 'string', default: localUrl(io.env) },
      'api-key': { type: 'string' },
      'source-system': { type: 'string', default: 'revbot-cli' },
      timeout: { type: 'string', default: '120' },
      json: { type: 'boolean', default: false },
    });
    const timeoutMs = Number(values.timeout) * 1000;
    if (!(timeoutMs > 0)) throw new UsageError('--timeout must be a number of seconds');
    const apiKey = clientApiKey(values['api-key'], io.env, io.cwd);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (apiKey) headers['x-api-key'] = apiKey;
    const base = values.url.replace(/\/$/, '');

    let accepted: Response;
    try {
      accepted = await fetch(`${base}/webhook`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query, source_system: values['source-system'] }),
      });
    } catch {
      throw new Error(`nothing answers at ${base}: start the local stack with "pnpm dev"`);
    }
    const receipt = (await accepted.json().catch(() => ({}))) as StatusBody & {
      status_url?: string;
    };
    if (accepted.status !== 202 || !receipt.tracking_id) {
      throw new Error(`the request was refused (${accepted.status}): ${describeError(receipt)}`);
    }
    io.stderr.write(`queued as ${receipt.tracking_id}\n`);

    const deadline = Date.now() + timeoutMs;
    let last = receipt.status;
    for (;;) {
      const response = await fetch(`${base}/webhook/${encodeURIComponent(receipt.tracking_id)}`, {
        headers,
      });
      const status = (await response.json().catch(() => ({}))) as StatusBody;
      if (status.status && status.status !== last) {
        io.stderr.write(`${status.status}\n`);
        last = status.status;
      }
      if (status.status && FINAL.has(status.status)) {
        if (values.json) io.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
        else if (status.response) io.stdout.write(`${status.response}\n`);
        else io.stdout.write(`${status.status}: ${describeError(status)}\n`);
        return status.status === 'failed' ? 1 : 0;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `no answer after ${values.timeout} s; check it later with GET /webhook/${receipt.tracking_id}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  },
};

function describeError(body: StatusBody): string {
  if (typeof body.error === 'string') return body.error;
  return body.error?.message ?? 'no details';
}
