/**
 * Conversation records as OpenTelemetry traces, through the official packages: `otlpJson` writes
 * the OTLP/JSON export request (what `revbot export --format otlp` prints), `sendConversationTrace`
 * posts the same spans over OTLP/HTTP to a collector (CloudWatch GenAI Observability through
 * ADOT, Langfuse, Phoenix, Datadog…). The endpoint and headers follow the standard
 * `OTEL_EXPORTER_OTLP_*` variables unless given.
 */
import { type Attributes, SpanKind, SpanStatusCode, TraceFlags } from '@opentelemetry/api';
import { ExportResultCode, hrTimeDuration, millisToHrTime } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { ConversationExportError } from '../errors';
import type { Conversation } from '../schema';
import { conversationSpans, type GenAiSpanOptions } from './genai-spans';

export const OTLP_SERVICE_NAME = 'revbot';
const SCOPE = { name: '@revbot/monitoring', version: '1.0.0' };

export interface OtlpOptions extends GenAiSpanOptions {
  /** `service.name` of the resource. @default 'revbot' */
  serviceName?: string;
  /** Extra resource attributes, e.g. `deployment.environment.name`. */
  resourceAttributes?: Attributes;
}

/** The record's spans in the SDK's exportable form. */
export function conversationReadableSpans(
  record: Conversation,
  options: OtlpOptions = {},
): ReadableSpan[] {
  const { traceId, spans } = conversationSpans(record, options);
  const resource = resourceFromAttributes({
    'service.name': options.serviceName ?? OTLP_SERVICE_NAME,
    ...options.resourceAttributes,
  });
  const context = (spanId: string) => ({ traceId, spanId, traceFlags: TraceFlags.SAMPLED });
  return spans.map((span) => {
    const startTime = millisToHrTime(span.startMs);
    const endTime = millisToHrTime(span.endMs);
    return {
      name: span.name,
      kind: span.operation === 'invoke_agent' ? SpanKind.INTERNAL : SpanKind.CLIENT,
      spanContext: () => context(span.spanId),
      parentSpanContext: span.parentSpanId ? context(span.parentSpanId) : undefined,
      startTime,
      endTime,
      duration: hrTimeDuration(startTime, endTime),
      status: span.error
        ? { code: SpanStatusCode.ERROR, message: span.error }
        : { code: SpanStatusCode.UNSET },
      attributes: span.attributes,
      links: [],
      events: [],
      ended: true,
      resource,
      instrumentationScope: SCOPE,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    };
  });
}

/** The OTLP/JSON `ExportTraceServiceRequest` of one or more records. */
export function otlpJson(records: Conversation[], options: OtlpOptions = {}): string {
  const spans = records.flatMap((record) => conversationReadableSpans(record, options));
  const bytes = JsonTraceSerializer.serializeRequest(spans);
  if (!bytes) throw new ConversationExportError('The spans could not be serialized as OTLP', false);
  return new TextDecoder().decode(bytes);
}

export interface SendOptions extends OtlpOptions {
  /** Full traces URL, e.g. `http://collector:4318/v1/traces`. @default from OTEL_EXPORTER_OTLP_* */
  url?: string;
  headers?: Record<string, string>;
  /** @default 10000 */
  timeoutMs?: number;
}

/** Posts the record as one trace over OTLP/HTTP (JSON); throws a retryable error on failure. */
export async function sendConversationTrace(
  record: Conversation,
  options: SendOptions = {},
): Promise<void> {
  const exporter = new OTLPTraceExporter({
    url: options.url,
    headers: options.headers,
    timeoutMillis: options.timeoutMs ?? 10_000,
  });
  try {
    const result = await new Promise<{ code: ExportResultCode; error?: Error }>((resolve) =>
      exporter.export(conversationReadableSpans(record, options), resolve),
    );
    if (result.code !== ExportResultCode.SUCCESS) {
      throw new ConversationExportError(
        `The trace of conversation ${record.conversation_id} was not accepted by the OTLP endpoint: ${result.error?.message ?? 'unknown error'}`,
        true,
        { cause: result.error },
      );
    }
  } finally {
    await exporter.shutdown();
  }
}
