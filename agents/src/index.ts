/** @revbot/agents: the agent definitions and their loader, the tool catalogue, the runtime interface. */
export * from './check-agents';
export * from './errors';
export * from './loader';
export * from './runtime/agent-runtime';
export * from './runtime/confirmation-request';
export * from './scaffold-agent';
export * from './schema';
export * from './tools';
export * from './tools/approval-policy';
export * from './tools/describe-action';
