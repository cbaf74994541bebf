/**
 * Slack helpers the Slack handler and processor share: credentials, the Web API client and the
 * scheduled reports' configuration and queue message.
 */

export {
  parseScheduledReports,
  type ScheduledReport,
  scheduledReportMessage,
} from './scheduled-report';
export { staticSlackCredentials } from './slack-credentials';
export { slackWebClients } from './slack-web-client';
