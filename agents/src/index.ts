export * from './loader';
export * from './runtime';
export * from './schema';
export * from './tools';
