import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildFunctionEvent, readActionGroupResponse } from '@revbot/agents/action-group';
import { silentLogger, ValidationError } from '@revbot/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_GROUP_EVENTS_DIR } from '../src/fixtures';
import { type LocalToolStack, startLocalToolStack } from '../src/local-tool-stack';

const agent = { name: 'data_agent', id: 'DATAAGENT1', alias: 'TSTALIASID', version: 'DRAFT' };
let stack: LocalToolStack;

beforeAll(async () => {
  stack = await startLocalToolStack({ asOf: '2026-11-23', logger: silentLogger });
});
afterAll(async () => {
  await stack.close();
});

const ask = async (
  tool: 'firebolt_query' | 'gong_retrieval' | 'web_search' | 'firebolt_writer',
  fn: string,
  parameters: Record<string, string | number>,
) => {
  const { body, responseState } = readActionGroupResponse(
    await stack.invoke(
      buildFunctionEvent({ tool, function: fn, parameters, agent, sessionId: 'local-1' }),
    ),
  );
  expect(responseState, body).toBeUndefined();
  return JSON.parse(body);
};

describe('the local tool stack', () => {
  it('answers Gong questions with the calls the warehouse holds', async () => {
    const gong = await ask('gong_retrieval', 'search_calls', {
      account_name: 'Acme Corp',
      keyword: 'Databricks',
      to_date: '2026-11-23',
    });
    expect(gong.calls.length).toBeGreaterThan(0);
    const ids = gong.calls.map((c: { call_id: string }) => `'${c.call_id}'`).join(', ');
    const sql = await ask('firebolt_query', 'execute_query', {
      query: `SELECT call_id, account_name, competitors_mentioned FROM gong_calls WHERE call_id IN (${ids}) ORDER BY call_id`,
    });
    expect(sql.row_count).toBe(gong.calls.length);
    for (const row of sql.rows) {
      expect(row[1]).toBe('Acme Corp');
      expect(row[2]).toContain('Databricks');
    }
  });

  it('answers web research about a warehouse account consistently with its firmographics', async () => {
    const research = await ask('web_search', 'research_company', {
      company_name: 'TechCorp',
      focus: 'overview',
    });
    const [row] = (
      await ask('firebolt_query', 'execute_query', {
        query: "SELECT employee_count, country FROM accounts WHERE account_name = 'TechCorp'",
      })
    ).rows;
    const profile = research.sections[0].results.find(
      (r: { title: string }) => r.title === 'TechCorp — company profile',
    );
    expect(profile.snippet).toContain(`about ${Number(row[0]).toLocaleString('en-US')} employees`);
    expect(profile.snippet).toContain(String(row[1]));
  });

  it('writes through the writer and reads the row back through the query tool', async () => {
    const deal = (
      await ask('firebolt_query', 'execute_query', {
        query: "SELECT opportunity_id FROM opportunities WHERE account_name = 'Microsoft'",
      })
    ).rows[0][0];
    const written = await ask('firebolt_writer', 'write_record', {
      table: 'deal_notes',
      values: JSON.stringify({
        opportunity_id: deal,
        note_type: 'Risk',
        note: 'Economic buyer not identified.',
      }),
    });
    const read = await ask('firebolt_query', 'execute_query', {
      query: `SELECT note FROM deal_notes WHERE note_id = '${written.id}'`,
    });
    expect(read.rows).toEqual([['Economic buyer not identified.']]);
  });

  it.each([
    ['firebolt_query', 'execute_query', { query: 'SELECT COUNT(*) AS accounts FROM accounts' }],
    [
      'firebolt_writer',
      'write_record',
      {
        table: 'agent_action_log',
        values: '{"action_type":"other","details":"fixture round trip"}',
      },
    ],
    ['gong_retrieval', 'list_calls', { to_date: '2026-11-23', limit: '2' }],
    ['web_search', 'search_web', { query: 'IXIS funding', max_results: '2' }],
  ])(
    'answers the documented event shape for %s, echoing the envelope',
    async (tool, fn, parameters) => {
      // The recorded console event (session and prompt attributes set), pointed at this tool.
      const fixture = JSON.parse(
        readFileSync(
          path.join(ACTION_GROUP_EVENTS_DIR, '03-function-schema-with-session-attributes.json'),
          'utf8',
        ),
      );
      const event = {
        ...fixture,
        actionGroup: tool,
        function: fn,
        parameters: Object.entries(parameters).map(([name, value]) => ({
          name,
          type: 'string',
          value,
        })),
      };
      const response = await stack.invoke(event);
      expect(response).toMatchObject({
        messageVersion: '1.0',
        response: { actionGroup: tool, function: fn },
        sessionAttributes: fixture.sessionAttributes,
        promptSessionAttributes: fixture.promptSessionAttributes,
      });
      const { body, responseState } = readActionGroupResponse(response);
      expect(responseState, body).toBeUndefined();
      expect(() => JSON.parse(body)).not.toThrow();
    },
  );

  it('runs the webhook executor only when given outbound settings', async () => {
    expect(stack.tools.webhook_executor).toBeUndefined();
    const withWebhooks = await startLocalToolStack({
      asOf: '2026-11-23',
      logger: silentLogger,
      webhook: {
        allowedUrls: 'http://127.0.0.1:9/',
        signingSecret: `whsec_${Buffer.alloc(24, 7).toString('base64')}`,
      },
    });
    try {
      const event = buildFunctionEvent({
        tool: 'webhook_executor',
        function: 'trigger_webhook',
        parameters: { url: 'https://elsewhere.example/x', payload: '{}' },
        agent,
        sessionId: 's',
      });
      const { body, responseState } = readActionGroupResponse(await withWebhooks.invoke(event));
      expect(responseState).toBe('REPROMPT');
      expect(body).toContain('not in the webhook allowlist');
    } finally {
      await withWebhooks.close();
    }
  });

  it('refuses an event for an action group it does not run', async () => {
    const event = buildFunctionEvent({
      tool: 'webhook_executor',
      function: 'send_notification',
      parameters: { message: 'hi' },
      agent,
      sessionId: 's',
    });
    await expect(stack.invoke(event)).rejects.toBeInstanceOf(ValidationError);
  });
});
