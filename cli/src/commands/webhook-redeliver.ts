/**
 * `revbot webhook redeliver <tracking-id>`: sends a stored answer (or the `failed` event of a
 * request the agents failed) to its webhook again, as a new series of attempts with the retry
 * schedule, through the delivery stage's queue: the local stack's (`pnpm dev`) by default, a
 * deployed stage's with `--stage`. The delivery stage reads what to send from the request's
 * status record, so the command needs no access to it; GET /webhook/{id} shows the attempts.
 */
import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type DeliveryJobInput, sqsDeliveryJobQueue } from '@revbot/lambdas/webhook-requests';
import type { CommandIo } from '../command';
import { UsageError } from '../errors';
import { localUrl } from '../local/local-url';
import { COMMON_USAGE, parseCommandArgs } from '../ops/command-options';
import { requireOutput } from '../ops/stack-outputs';
import { withStage } from '../ops/stage-context';

/** The local stack's delivery queue (`localName('webhook-delivery-queue')` in revbot-local). */
const LOCAL_DELIVERY_QUEUE = 'revops-local-webhook-delivery-queue';
const TRACKING_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** The webhook stack's output naming the delivery stage's queue. */
export const DELIVERY_QUEUE_OUTPUT = 'WebhookDeliveryQueueUrl';

export const REDELIVER_USAGE = `usage: revbot webhook redeliver <tracking-id> [--url http://127.0.0.1:3000]
       revbot webhook redeliver <tracking-id> --stage NAME [--region NAME] [--profile NAME]

Sends the request's stored answer (or, for a request that failed, its failed event) to its
webhook again, through the delivery stage and its retry schedule. Without --stage it goes to
the running pnpm dev; follow the attempts with GET /webhook/<tracking-id>.
A destination switched off by a 410 Gone (ENDPOINT_GONE) is switched on again by this.
${COMMON_USAGE}`;

export async function redeliver(args: string[], io: CommandIo): Promise<number> {
  const explicitStage = args.includes('--stage');
  const { values, positionals, common } = parseCommandArgs(
    args,
    { url: { type: 'string', default: localUrl(io.env) } },
    io.env,
  );
  const [trackingId, ...extra] = positionals;
  if (!trackingId || extra.length > 0) throw new UsageError('give one tracking id');
  if (!TRACKING_ID.test(trackingId)) {
    throw new UsageError(`"${trackingId}" is not a tracking id (a UUID such as the 202 returned)`);
  }
  const redeliveryId = `redeliver-${randomUUID().slice(0, 8)}`;
  const job: DeliveryJobInput = {
    version: 1,
    tracking_id: trackingId,
    kind: 'redeliver',
    attempt: 1,
    redelivery_id: redeliveryId,
  };

  let where: string;
  if (explicitStage) {
    where = await withStage(common, io.env, async (context) => {
      const stack = await context.stack('webhook-gateway');
      const queueUrl = requireOutput(stack, DELIVERY_QUEUE_OUTPUT);
      await sqsDeliveryJobQueue(context.clients.sqs, queueUrl).enqueue(job);
      return `stage ${common.stage}`;
    });
  } else {
    const base = values.url.replace(/\/$/, '');
    const sqs = new SQSClient({
      endpoint: base,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    try {
      await sqsDeliveryJobQueue(sqs, `${base}/000000000000/${LOCAL_DELIVERY_QUEUE}`).enqueue(job);
    } catch {
      throw new Error(`nothing answers at ${base}: start the local stack with "pnpm dev"`);
    } finally {
      sqs.destroy();
    }
    where = base;
  }
  if (common.json) {
    io.stdout.write(
      `${JSON.stringify({ tracking_id: trackingId, redelivery_id: redeliveryId })}\n`,
    );
  } else {
    io.stdout.write(
      `redelivery ${redeliveryId} of ${trackingId} queued on ${where}; its attempts show in GET /webhook/${trackingId}\n`,
    );
  }
  return 0;
}
