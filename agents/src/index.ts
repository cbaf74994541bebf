export * from './loader';
export * from './runtime/agent-runtime';
export * from './schema';
export * from './tools';
