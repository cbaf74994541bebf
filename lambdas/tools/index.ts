/**
 * @revbot/lambdas/tools: the five tools' cores and the clients they call, which the local tool
 * stack (`@revbot/testing/local-tool-stack`) runs in process against local stand-ins.
 */
export { createFireboltQueryTool } from './firebolt-query/firebolt-query';
export { createFireboltWriterTool } from './firebolt-writer/firebolt-writer';
export { GongClient } from './gong-retrieval/gong-client';
export { createGongRetrievalTool } from './gong-retrieval/gong-retrieval';
export { createTavilyProvider } from './web-search/tavily-provider';
export { createWebSearchTool } from './web-search/web-search';
export { createWebhookExecutorTool } from './webhook-executor/webhook-executor';
