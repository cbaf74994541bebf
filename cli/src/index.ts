/** @revbot/cli: the local stack, for end-to-end tests and benchmarks that start it in process. */
export { EventSource, toSqsRecord } from './local/event-source';
export {
  LOCAL_WEBHOOK_SIGNING_SECRET,
  type RevbotLocal,
  startRevbotLocal,
} from './local/revbot-local';
