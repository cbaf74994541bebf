/**
 * Environment defaults for RevBot's local processes, imported first so they apply before any
 * module creates its Powertools logger: Lambda-style JSON logs at INFO would drown a terminal.
 */
process.env.POWERTOOLS_SERVICE_NAME ??= 'revbot-local';
process.env.POWERTOOLS_LOG_LEVEL ??= process.argv[1]?.endsWith('dev.ts') ? 'INFO' : 'WARN';
// The SDK's multi-line notice about Node 20 support would bury one-line errors.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
