/**
 * The offline Execution agent: sends the notification a request asks for with
 * `webhook_executor.send_notification`, logs it in `agent_action_log` with `firebolt_writer`
 * as the notification workflow requires, and confirms exactly what the tools reported. It acts
 * only on an explicit request naming who to notify; otherwise it asks and does nothing. A request
 * that spells out a row (a lead's ICP score after an assessment) is written with `write_record`.
 */
import { jsonOf, type OfflineContext, type OfflineStep } from './conversation';
import { normalized, quote } from './text';

export interface NotificationRequest {
  recipient?: string;
  severity: 'info' | 'warning' | 'critical';
  message: string;
}

const NAME = String.raw`[A-Z][A-Za-z'-]+(?:\s+[A-Z][A-Za-z'-]+)*(?:\s+team)?`;

/** Who to notify, how urgently and what to say, from a request in words. */
export function readNotificationRequest(text: string): NotificationRequest {
  const recipient =
    /recipient:\s*(.+)/i.exec(text)?.[1]?.trim() ??
    new RegExp(
      `\\b(?:[Nn]otify|[Aa]lert|[Pp]ing|[Tt]ell|[Rr]emind|[Mm]essage)\\s+(?:the\\s+)?(${NAME})`,
    ).exec(text)?.[1] ??
    new RegExp(`\\b[Ll]et\\s+(?:the\\s+)?(${NAME})\\s+know`).exec(text)?.[1] ??
    new RegExp(
      `\\b(?:[Ss]end|[Pp]ost|[Ff]orward|[Ss]hare)\\b.*?\\bto\\s+(?:the\\s+)?(${NAME})`,
    ).exec(text)?.[1];
  const lower = normalized(text);
  const stated = /severity:?\s*(info|warning|critical)/i.exec(text)?.[1]?.toLowerCase();
  const severity = (stated ??
    (/urgent|critical|asap|immediately/.test(lower)
      ? 'critical'
      : /at risk|warning|risk/.test(lower)
        ? 'warning'
        : 'info')) as NotificationRequest['severity'];
  const message =
    /message:\s*\n?([\s\S]+)$/i.exec(text)?.[1]?.trim() ??
    /\b(?:that|saying|:)\s+([\s\S]+)$/i.exec(text)?.[1]?.trim() ??
    text.trim();
  return { recipient: recipient?.replace(/[.,;:!?]+$/, ''), severity, message };
}

interface Delivery {
  delivered?: boolean;
  destination?: string;
  receiver_status?: number;
  status?: number;
  error?: string;
  reason?: string;
}

/** `Table: lead_scores` and `Values: {json}` in a request to record something. */
function readRecordRequest(text: string): { table: string; values: string } | undefined {
  const table = /table:\s*(lead_scores|deal_notes)\b/i.exec(text)?.[1];
  const values = /values:\s*(\{[\s\S]*\})/i.exec(text)?.[1];
  return table && values ? { table, values } : undefined;
}

/** Writes the one row a request spells out (a lead's ICP score), and says exactly what was kept. */
function recordRow(
  context: OfflineContext,
  request: { table: string; values: string },
): OfflineStep {
  const write = context.toolNamed('firebolt_writer__write_record');
  if (!write)
    return { kind: 'answer', text: 'No action taken: recording is not available to this agent.' };
  if (!context.ran('record')) {
    return {
      kind: 'call',
      rationale: `I will write the row to ${request.table}.`,
      calls: [
        { step: 'record', name: write, input: { table: request.table, values: request.values } },
      ],
    };
  }
  const outcome = context.resultOf('record');
  const saved = jsonOf<{ id?: string; values?: Record<string, unknown> }>(outcome);
  if (!outcome?.ok || !saved)
    return {
      kind: 'answer',
      text: `Nothing was saved: ${quote(outcome?.content, 200)}`,
    };
  const v = saved.values ?? {};
  return {
    kind: 'answer',
    text:
      request.table === 'lead_scores'
        ? `Saved ICP score ${v.score} (grade ${v.grade}) for lead ${v.lead_id} in lead_scores as ${saved.id}.`
        : `Saved to ${request.table} as ${saved.id}.`,
  };
}

export function execution(context: OfflineContext): OfflineStep {
  const text = normalized(context.task);
  const record = readRecordRequest(context.task);
  if (record) return recordRow(context, record);
  if (!/notif|alert|notify|let .* know|tell|ping|remind|message|send|post/.test(text)) {
    return {
      kind: 'answer',
      text: 'No action taken: offline, RevBot can only send notifications. Writing to the warehouse or triggering other webhooks needs a configured model.',
    };
  }
  const request = readNotificationRequest(context.task);
  if (!request.recipient) {
    return {
      kind: 'answer',
      text: 'No action taken: who should I notify? Name the person or team.',
    };
  }
  const send = context.toolNamed('webhook_executor__send_notification');
  if (!send)
    return {
      kind: 'answer',
      text: 'No action taken: notifications are not available to this agent.',
    };
  if (!context.ran('notify')) {
    return {
      kind: 'call',
      rationale: `I will send the ${request.severity} notification to ${request.recipient}.`,
      calls: [
        {
          step: 'notify',
          name: send,
          input: {
            message: request.message,
            severity: request.severity,
            recipient: request.recipient,
          },
        },
      ],
    };
  }
  const outcome = context.resultOf('notify');
  const delivery = jsonOf<Delivery>(outcome);
  const delivered = Boolean(outcome?.ok && delivery?.delivered !== false);
  const status = delivery?.receiver_status ?? delivery?.status;
  const headline = quote(request.message.split('\n')[0], 100);

  const write = context.toolNamed('firebolt_writer__write_record');
  if (write && !context.ran('log')) {
    return {
      kind: 'call',
      rationale: 'I will record the notification in the action log.',
      calls: [
        {
          step: 'log',
          name: write,
          input: {
            table: 'agent_action_log',
            values: JSON.stringify({
              action_type: 'notification',
              target: request.recipient,
              details: `${request.severity} notification ${delivered ? 'sent' : 'failed'}: ${headline}`,
              status: delivered ? 'succeeded' : 'failed',
            }),
          },
        },
      ],
    };
  }
  const logged = context.resultOf('log');
  const logNote = !logged
    ? ''
    : logged.ok
      ? ' Logged in agent_action_log.'
      : ' The action log could not be written.';
  if (!delivered) {
    const reason = delivery?.error ?? delivery?.reason ?? quote(outcome?.content, 200);
    return {
      kind: 'answer',
      text: `Notification to ${request.recipient} failed: ${reason}. Nothing was sent.${logNote}`,
    };
  }
  return {
    kind: 'answer',
    text: `Notified ${request.recipient} (${request.severity}): ${headline} — delivered${status ? `, status ${status}` : ''}${delivery?.destination ? ` to ${delivery.destination}` : ''}.${logNote}`,
  };
}
