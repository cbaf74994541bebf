/**
 * The local stack's delivery queue, written in process rather than through its own SQS endpoint:
 * a processor finishing its work while the server shuts down (it no longer takes requests) still
 * hands its delivery over, and the delivery stage drains it before the stack stops. The queue is
 * looked up at each send, so the stack may create it after building the handlers.
 */
import type { DeliveryJobQueue } from '@revbot/lambdas/webhook-requests';
import type { LocalQueue } from '@revbot/testing/local-queue';

export function localDeliveryJobQueue(queue: () => LocalQueue | undefined): DeliveryJobQueue {
  return {
    async enqueue(job, delaySeconds = 0) {
      const target = queue();
      if (!target) throw new Error('the local delivery queue is not running');
      target.send(JSON.stringify(job), {
        delaySeconds: Math.min(900, Math.max(0, Math.ceil(delaySeconds))),
        messageAttributes: { tracking_id: { DataType: 'String', StringValue: job.tracking_id } },
      });
    },
  };
}
