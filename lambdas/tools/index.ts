/**
 * @revbot/lambdas/tools: the five tools' cores, and the local tool stack that runs them in
 * process with the embedded warehouse and the local Gong and search APIs.
 */
export { createFireboltQueryTool } from './firebolt-query/firebolt-query';
export { createFireboltWriterTool } from './firebolt-writer/firebolt-writer';
export { createGongRetrievalTool } from './gong-retrieval/gong-retrieval';
export { LOCAL_CREDENTIALS, type LocalToolStack, startLocalToolStack } from './local-tool-stack';
export { createWebSearchTool } from './web-search/web-search';
export { createWebhookExecutorTool } from './webhook-executor/webhook-executor';
