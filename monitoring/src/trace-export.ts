/**
 * Sending each conversation as an OpenTelemetry trace, configured the standard way: set
 * `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), optionally
 * `OTEL_EXPORTER_OTLP_HEADERS` (`key=value,…`), `OTEL_SERVICE_NAME`, and
 * `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true` to include message content. Unset,
 * nothing is sent and the OpenTelemetry packages are never loaded.
 */
import type { ConversationRecord } from './types';

/** Sends one finished record; rejects with a ConversationExportError. */
export type TraceExport = (record: ConversationRecord) => Promise<void>;

type Env = Record<string, string | undefined>;

/** A collector that does not answer in this time loses the trace, never the answer. */
const TRACE_TIMEOUT_MS = 5_000;

/** `a=b,c=d` (values percent-decoded) as headers. */
function parseHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (text ?? '').split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    headers[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return headers;
}

export function otlpTraceExportFromEnv(env: Env = process.env): TraceExport | undefined {
  const tracesEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  const endpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  if (!tracesEndpoint && !endpoint) return undefined;
  const url = tracesEndpoint || `${endpoint?.replace(/\/+$/, '')}/v1/traces`;
  const headers = {
    ...parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS),
    ...parseHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS),
  };
  const includeContent = env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT === 'true';
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || undefined;
  return async (record) => {
    const { sendConversationTrace } = await import('./otlp/otlp-export');
    await sendConversationTrace(record.conversation, {
      url,
      headers,
      includeContent,
      serviceName,
      timeoutMs: TRACE_TIMEOUT_MS,
    });
  };
}
