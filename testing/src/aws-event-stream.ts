/**
 * Frames of AWS's `application/vnd.amazon.eventstream`, as Bedrock's streaming APIs
 * (ConverseStream, InvokeAgent) send them, so the real SDK clients parse the local stand-ins'
 * streams exactly as the service's.
 */
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const header = (value: string) => ({ type: 'string' as const, value });

/** A modeled event (`chunk`, `trace`, `contentBlockDelta`…) with its JSON payload. */
export function encodeStreamEvent(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': header('event'),
      ':event-type': header(eventType),
      ':content-type': header('application/json'),
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** A modeled exception sent inside the stream, e.g. `throttlingException`. */
export function encodeStreamException(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': header('exception'),
      ':exception-type': header(exceptionType),
      ':content-type': header('application/json'),
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}
