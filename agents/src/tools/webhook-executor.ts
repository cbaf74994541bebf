/**
 * The model-facing schema of the webhook_executor tool: the action group and function schema Bedrock
 * shows the agents, and the portable runtime offers as tool definitions. Its Lambda (handler,
 * core with the parameter validation, tests) is `lambdas/tools/webhook-executor/`.
 */
import { parameter, type ToolDefinition } from './tool-definition';

export const webhookExecutor: ToolDefinition = {
  name: 'webhook_executor',
  lambdaDir: 'webhook-executor',
  description:
    'Sends notifications and triggers allowlisted outbound webhooks, signed per Standard Webhooks.',
  functions: [
    {
      name: 'send_notification',
      action: true,
      description:
        'Send a notification message to the configured notification webhook (e.g. a team channel).',
      parameters: {
        message: parameter('string', 'The notification text (Markdown).', true),
        severity: parameter('string', 'info, warning or critical (default info).'),
        recipient: parameter('string', 'Optional person or team the notification is for.'),
      },
    },
    {
      name: 'trigger_webhook',
      action: true,
      description: 'POST a JSON payload to an allowlisted webhook URL.',
      parameters: {
        url: parameter('string', 'Destination URL; must match the allowlist.', true),
        payload: parameter('string', 'JSON object to send as the request body.', true),
        event_type: parameter(
          'string',
          'Event type label included in the payload (default revbot.event).',
        ),
      },
    },
  ],
};
