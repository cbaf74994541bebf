/**
 * @revbot/monitoring/otlp: conversation records as OpenTelemetry GenAI traces. A subpath of its
 * own so processors that do not export traces never load the OpenTelemetry packages.
 */
export {
  conversationSpans,
  GEN_AI_PROVIDER,
  type GenAiSpan,
  type GenAiSpanOptions,
  type GenAiTrace,
  genAiConversationId,
} from './genai-spans';
export {
  conversationReadableSpans,
  OTLP_SERVICE_NAME,
  type OtlpOptions,
  otlpJson,
  type SendOptions,
  sendConversationTrace,
} from './otlp-export';
