/** Queue and dead-letter queue depths of a channel: a message in a DLQ is a question not answered. */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { queueDepth } from '../dead-letters';
import { plural } from '../format';
import type { Channel } from '../stack-outputs';
import { type HealthCheck, ok, problem } from './health-check';

export async function checkQueues(
  sqs: SQSClient,
  channel: Channel,
  urls: { queue: string; dlq: string },
): Promise<HealthCheck[]> {
  const [queue, dlq] = await Promise.all([queueDepth(sqs, urls.queue), queueDepth(sqs, urls.dlq)]);
  const stuck = dlq.visible + dlq.inFlight;
  return [
    ok('Queues', `${channel} queue`, `${queue.visible} waiting, ${queue.inFlight} in flight`),
    stuck > 0
      ? problem(
          'Queues',
          `${channel} dead-letter queue`,
          `${plural(stuck, 'message')} not answered`,
          `see why: revbot dlq list ${channel}; after fixing the cause: revbot dlq redrive ${channel}`,
        )
      : ok('Queues', `${channel} dead-letter queue`, 'empty'),
  ];
}
