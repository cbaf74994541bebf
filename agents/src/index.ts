export * from './check-agents';
export * from './loader';
export * from './runtime/agent-runtime';
export * from './scaffold-agent';
export * from './schema';
export * from './tools';
