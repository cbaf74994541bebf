/**
 * What an action waiting for approval will do, in words a person can judge: where it goes (the
 * URL exactly as it will be called, the table and row), and what it carries (the payload laid
 * out, each field that changes). Built from the very parameters the tool will receive, so what
 * the approver reads is what runs; Slack and the webhook channel render it their own way.
 */

export interface PendingActionInput {
  actionGroup: string;
  function: string;
  parameters: readonly { name: string; value: string }[];
}

export interface ActionDescription {
  /** One line: what kind of action. */
  title: string;
  /** Where it goes: the URL as called, or the table and row. */
  destination: string;
  /** What it carries, field by field (a payload pretty-printed as JSON). */
  fields: { name: string; value: string }[];
}

export interface DescribeActionOptions {
  /** Where send_notification posts, when the caller knows it. */
  notificationUrl?: string;
}

/** Pretty JSON when `text` is JSON, else the text unchanged. */
function readable(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** A JSON object's entries as fields, or the whole text as one field when it is not one. */
function objectFields(text: string | undefined, label: string): ActionDescription['fields'] {
  try {
    const value: unknown = JSON.parse(text ?? '');
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.entries(value).map(([name, v]) => ({
        name,
        value: typeof v === 'string' ? v : JSON.stringify(v),
      }));
    }
  } catch {
    // Not JSON: shown as it is; the tool will refuse it anyway.
  }
  return [{ name: label, value: text ?? '' }];
}

export function describeAction(
  action: PendingActionInput,
  options: DescribeActionOptions = {},
): ActionDescription {
  const params = new Map(action.parameters.map((p) => [p.name, p.value]));
  const table = params.get('table') ?? '(no table)';
  switch (`${action.actionGroup}.${action.function}`) {
    case 'webhook_executor.send_notification':
      return {
        title: 'Send a notification',
        destination: options.notificationUrl ?? 'the configured notification webhook',
        fields: ['severity', 'recipient', 'message'].flatMap((name) =>
          params.has(name) ? [{ name, value: params.get(name)! }] : [],
        ),
      };
    case 'webhook_executor.trigger_webhook':
      return {
        title: 'POST a signed webhook',
        destination: params.get('url') ?? '(no URL)',
        fields: [
          { name: 'event_type', value: params.get('event_type') ?? 'revbot.event' },
          { name: 'payload', value: readable(params.get('payload') ?? '') },
        ],
      };
    case 'firebolt_writer.write_record':
      return {
        title: `Insert a row into ${table}`,
        destination: `warehouse table ${table} (new row)`,
        fields: objectFields(params.get('values'), 'values'),
      };
    case 'firebolt_writer.update_record':
      return {
        title: `Update a row of ${table}`,
        destination: `warehouse table ${table}, row ${params.get('id') ?? '(no id)'}`,
        fields: objectFields(params.get('values'), 'values'),
      };
    default:
      return {
        title: `Run ${action.actionGroup}.${action.function}`,
        destination: action.actionGroup,
        fields: action.parameters.map((p) => ({ name: p.name, value: readable(p.value) })),
      };
  }
}

/** The description as plain text (logs, the webhook channel, the action log). */
export function actionSummary(description: ActionDescription): string {
  return `${description.title} → ${description.destination}`;
}
