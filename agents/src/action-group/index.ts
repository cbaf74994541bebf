/**
 * @revbot/agents/action-group: Bedrock's action-group event and response, the contract between
 * the agents and their tools, with the dispatcher each tool Lambda is built on.
 */
export {
  type ActionGroupAgent,
  type ActionGroupEvent,
  type BuildFunctionEventInput,
  buildFunctionEvent,
  type FunctionActionGroupEvent,
  parseActionGroupEvent,
} from './action-group-event';
export {
  type ActionGroupResponse,
  actionGroupResponseSchema,
  functionResponse,
  type ResponseState,
  readActionGroupResponse,
} from './action-group-response';
export {
  type ActionGroupTool,
  type ActionGroupToolOptions,
  type AnyToolFunction,
  createActionGroupTool,
  defineToolFunction,
  type ToolFunctionDefinition,
  type ToolInvocation,
  type ToolResult,
} from './action-group-tool';
export {
  agentDeniedMessage,
  DENIED_AGENTS_ATTRIBUTE,
  deniedAgentsAttribute,
  isAgentDenied,
} from './agent-access';
export { APPROVAL_ATTRIBUTES } from './approval-attributes';
export { ToolInputError } from './tool-errors';
export { toolParam } from './tool-parameters';
