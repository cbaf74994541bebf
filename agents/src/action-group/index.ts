/**
 * @revbot/agents/action-group: Bedrock's action-group event and response, the contract between
 * the agents and their tools, with the dispatcher each tool Lambda is built on.
 */
export * from './action-group';
