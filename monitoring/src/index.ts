/**
 * @revbot/monitoring: InvokeAgent event streams → conversation records (conversation.json +
 * metadata.json, versioned zod schema) → S3 or a local folder; plus progress hints for Slack.
 */
export { buildConversationRecord } from './build-conversation-record';
export {
  CONVERSATION_FILE,
  CONVERSATION_HISTORY_PREFIX,
  conversationKeyPrefix,
  METADATA_FILE,
  RAW_EVENTS_FILE,
  safePathSegment,
} from './conversation-key';
export { type ConversationMetric, conversationMetrics } from './conversation-metrics';
export {
  type ConversationSink,
  EXPORT_FAILURE_METRIC,
  type ExportResult,
  exportConversation,
} from './conversation-sink';
export { ConversationExportError, MonitoringError, StreamFormatError } from './errors';
export { localConversationSink } from './local-conversation-sink';
export {
  DEFAULT_MODEL_PRICES,
  estimateCost,
  foundationModelOf,
  type ModelPrice,
  type ModelPrices,
  modelPricesFromEnv,
  modelPricesSchema,
  priceOf,
  type TokenCounts,
} from './model-prices';
export { describeProgress, displayAgentName, type ProgressHintOptions } from './progress-hints';
export { PromptGuard, REDACTION_MARKER } from './prompt-guard';
export { serializeConversation, serializeMetadata } from './record-serialization';
export { ConversationRecorder } from './recorder/conversation-recorder';
export { type S3ConversationSinkOptions, s3ConversationSink } from './s3-conversation-sink';
export { parseSavedStream } from './saved-stream';
export * from './schema';
export { otlpTraceExportFromEnv, type TraceExport } from './trace-export';
export type {
  ChannelContext,
  ConversationContext,
  ConversationRecord,
  RecorderOptions,
} from './types';
export { ESTIMATED_COST_METRIC, usageMetrics } from './usage-metrics';
