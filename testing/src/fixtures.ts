/**
 * The recorded fixtures every package's tests share: real InvokeAgent response streams and
 * Bedrock action-group events (provenance in `testing/fixtures/`).
 */
import path from 'node:path';

export const FIXTURES_DIR = path.resolve(import.meta.dirname, '../fixtures');
export const BEDROCK_TRACES_DIR = path.join(FIXTURES_DIR, 'bedrock-traces');
export const ACTION_GROUP_EVENTS_DIR = path.join(FIXTURES_DIR, 'action-group-events');
