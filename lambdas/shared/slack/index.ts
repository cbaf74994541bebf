/** Slack helpers the Slack handler and processor share: credentials and the Web API client. */
export { staticSlackCredentials } from './slack-credentials';
export { slackWebClients } from './slack-web-client';
