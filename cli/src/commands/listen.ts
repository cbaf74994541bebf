/** `revbot listen`: a local webhook receiver that verifies signatures and prints deliveries. */

import { parseArgs } from 'node:util';
import { startWebhookReceiver } from '@revbot/testing/webhook-receiver';
import type { Command } from '../command';
import { UsageError } from '../errors';

export const listenCommand: Command = {
  name: 'listen',
  summary: 'receive RevBot webhook deliveries locally and verify their signatures',
  usage: `usage: revbot listen [--port 4000] [--secret whsec_…] [--json]

Starts an HTTP receiver on 127.0.0.1 that verifies each delivery's Standard Webhooks
signature and prints it. The secret defaults to WEBHOOK_SIGNING_SECRET (the one pnpm dev
signs with). Point pnpm dev at it with WEBHOOK_URL=http://127.0.0.1:<port>/.`,
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        port: { type: 'string', default: '4000' },
        secret: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      throw new UsageError(`--port must be a port number, got "${values.port}"`);
    }
    const secret = values.secret ?? io.env.WEBHOOK_SIGNING_SECRET;
    if (!secret)
      throw new UsageError('no signing secret: pass --secret or set WEBHOOK_SIGNING_SECRET');
    const receiver = await startWebhookReceiver({
      port,
      secret,
      onDelivery(delivery) {
        const receivedAt = new Date(delivery.receivedAt);
        if (values.json) {
          const { id, verified, error, headers, payload } = delivery;
          io.stdout.write(
            `${JSON.stringify({ id, receivedAt, verified, error, headers, payload })}\n`,
          );
          return;
        }
        const status = delivery.verified ? 'signature ok' : `REJECTED (${delivery.error})`;
        io.stdout.write(`\n${receivedAt.toISOString()}  ${delivery.id}  ${status}\n`);
        const payload = delivery.payload as {
          tracking_id?: string;
          original_query?: string;
          ai_response?: { response?: string };
        };
        if (payload?.tracking_id) io.stdout.write(`tracking id: ${payload.tracking_id}\n`);
        if (payload?.original_query) io.stdout.write(`question:    ${payload.original_query}\n`);
        if (payload?.ai_response?.response) io.stdout.write(`\n${payload.ai_response.response}\n`);
      },
    });
    io.stderr.write(`listening on ${receiver.url}/ (Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await receiver.close();
    return 0;
  },
};
