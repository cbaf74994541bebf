import { describe, expect, it } from 'vitest';
import {
  buildFunctionEvent,
  functionActionGroupEventSchema,
  parseActionGroupEvent,
} from '../../src/action-group/action-group-event';

describe('buildFunctionEvent', () => {
  it('builds the event Bedrock would send, with declared types and string values', () => {
    const event = buildFunctionEvent({
      tool: 'firebolt_query',
      function: 'execute_query',
      parameters: { query: 'SELECT 1', max_rows: 10, unused: undefined },
      agent: { name: 'revops-dev-data', id: 'ABCDEFGHIJ', alias: 'LIVE123456', version: '3' },
      sessionId: 'sess-42',
      inputText: 'How many accounts?',
    });
    expect(functionActionGroupEventSchema.parse(event)).toEqual(event);
    expect(event.parameters).toEqual([
      { name: 'query', type: 'string', value: 'SELECT 1' },
      { name: 'max_rows', type: 'integer', value: '10' },
    ]);
    expect(parseActionGroupEvent(event)).toEqual(event);
  });
});
