/**
 * The catalogue of RevBot's tools: each one is a Lambda exposed to agents as an action group with
 * a Bedrock function schema, defined once in its own file here (`<tool-name>.ts`, beside the
 * Lambda folder `lambdas/tools/<tool-name>/`). Agent configurations reference tools by name, the
 * CDK app builds one Lambda per tool, and the portable runtime offers the same functions.
 */

import { fireboltQuery } from './firebolt-query';
import { fireboltWriter } from './firebolt-writer';
import { gongRetrieval } from './gong-retrieval';
import type { ToolDefinition, ToolName } from './tool-definition';
import { webSearch } from './web-search';
import { webhookExecutor } from './webhook-executor';

export * from './tool-definition';

export const TOOLS: Record<ToolName, ToolDefinition> = {
  firebolt_query: fireboltQuery,
  firebolt_writer: fireboltWriter,
  gong_retrieval: gongRetrieval,
  web_search: webSearch,
  webhook_executor: webhookExecutor,
};
