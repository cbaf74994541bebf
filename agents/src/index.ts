export * from './runtime';
export * from './tools';
