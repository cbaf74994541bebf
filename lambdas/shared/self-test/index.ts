/** @revbot/lambdas/self-test: the self-test shared by `@RevBot test connectivity` and `revbot doctor`. */
export * from './deployed-self-test';
export * from './self-test';
export * from './self-test-checks';
export * from './self-test-command';
