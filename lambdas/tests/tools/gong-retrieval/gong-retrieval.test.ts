import {
  type ActionGroupTool,
  buildFunctionEvent,
  readActionGroupResponse,
} from '@revbot/agents/action-group';
import { AuthenticationError, RetryableError, silentLogger } from '@revbot/core';
import { type LocalGongServer, startLocalGongServer } from '@revbot/testing/local-gong-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRevenueDataset } from '../../../shared/warehouse/seed/revenue-dataset';
import { condenseTranscript } from '../../../tools/gong-retrieval/condense-transcript';
import { GongClient } from '../../../tools/gong-retrieval/gong-client';
import { createGongRetrievalTool } from '../../../tools/gong-retrieval/gong-retrieval';
import { toolHandlerEnvironment } from '../../support/tool-handler-environment';

const dataset = generateRevenueDataset({ asOf: '2026-11-23' });
const now = () => new Date('2026-11-23T18:00:00Z');
const agent = { name: 'data_agent', id: 'DATAAGENT1', alias: 'LIVE000001', version: '1' };
const credentials = async () => ({ accessKey: 'gong-key', accessKeySecret: 'gong-secret' });
const fast = { baseDelayMs: 1, maxDelayMs: 2_000, timeoutMs: 2_000 };

let server: LocalGongServer;
let gong: GongClient;
let tool: ActionGroupTool;
const gongEvent = (fn: string, parameters: Record<string, string | number> = {}) =>
  buildFunctionEvent({
    tool: 'gong_retrieval',
    function: fn,
    parameters,
    agent,
    sessionId: 's-gong',
  });
const call = (fn: string, parameters: Record<string, string | number> = {}) =>
  tool.handle(gongEvent(fn, parameters)).then(readActionGroupResponse);
const json = async (fn: string, parameters: Record<string, string | number> = {}) => {
  const { body, responseState } = await call(fn, parameters);
  expect(responseState, body).toBeUndefined();
  return JSON.parse(body);
};

beforeAll(async () => {
  server = await startLocalGongServer({
    dataset,
    accessKey: 'gong-key',
    accessKeySecret: 'gong-secret',
  });
  gong = new GongClient({ baseUrl: server.url, credentials, http: fast });
  tool = createGongRetrievalTool({ gong, clock: now, logger: silentLogger });
});
afterAll(async () => {
  await server.close();
});

describe('the Gong client against a local Gong API', () => {
  it('sends Basic auth and follows the cursor across pages', async () => {
    const before = server.requests.length;
    const result = await gong.listCalls({
      fromDateTime: '2026-08-01T00:00:00Z',
      toDateTime: '2026-11-24T00:00:00Z',
    });
    const inRange = dataset.tables.gong_calls.filter(
      (c) => String(c.started_at) >= '2026-08-01',
    ).length;
    expect(result.items).toHaveLength(inRange);
    expect(result.incomplete).toBe(false);
    const sent = server.requests.slice(before);
    expect(inRange).toBeGreaterThan(200);
    expect(sent.length).toBe(Math.ceil(inRange / 100));
    expect(sent[0]?.authorization).toBe(
      `Basic ${Buffer.from('gong-key:gong-secret').toString('base64')}`,
    );
    expect(sent[1]?.query.cursor).toBeTruthy();
  });

  it('stops at the page budget and says the result is incomplete', async () => {
    const capped = new GongClient({ baseUrl: server.url, credentials, maxPages: 2, http: fast });
    const result = await capped.extensiveCalls({ fromDateTime: '2026-01-01T00:00:00Z' });
    expect(result.items).toHaveLength(200);
    expect(result.incomplete).toBe(true);
    expect(result.pages).toBe(2);
    const last = server.requests.at(-1)?.body as { cursor?: string };
    expect(last.cursor).toBeTruthy();
  });

  it('treats 404 "No calls found" as an empty result', async () => {
    const result = await gong.listCalls({
      fromDateTime: '2020-01-01T00:00:00Z',
      toDateTime: '2020-02-01T00:00:00Z',
    });
    expect(result.items).toEqual([]);
  });

  it('waits as long as Retry-After says on 429, then succeeds', async () => {
    const waits: number[] = [];
    const patient = new GongClient({
      baseUrl: server.url,
      credentials,
      http: { ...fast, sleep: async (ms) => void waits.push(ms) },
    });
    server.injectResponse({
      status: 429,
      body: { requestId: 'r', errors: ['Too many requests'] },
      headers: { 'retry-after': '2' },
    });
    const result = await patient.transcripts([String(dataset.gongCalls[0]?.row.call_id)]);
    expect(result).toHaveLength(1);
    expect(waits).toEqual([2_000]);
  });

  it('backs off on a real rate limit of 3 requests per second', async () => {
    const limited = await startLocalGongServer({
      dataset,
      accessKey: 'gong-key',
      accessKeySecret: 'gong-secret',
      rateLimitPerSecond: 3,
    });
    try {
      const client = new GongClient({
        baseUrl: limited.url,
        credentials,
        http: { ...fast, maxAttempts: 5 },
      });
      const ids = dataset.gongCalls.slice(0, 5).map((c) => [String(c.row.call_id)]);
      const results = await Promise.all(ids.map((id) => client.extensiveCalls({ callIds: id })));
      expect(results.map((r) => r.items.length)).toEqual([1, 1, 1, 1, 1]);
      expect(limited.requests.length).toBeGreaterThan(5);
    } finally {
      await limited.close();
    }
  });

  it('gives up with a retryable error when Retry-After exceeds the wait budget', async () => {
    server.injectResponse({
      status: 429,
      body: { requestId: 'r', errors: ['Too many requests'] },
      headers: { 'retry-after': '3600' },
    });
    const error = await gong.listCalls({}).catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toContain('asked to wait 3600 s');
  });

  it('retries 5xx answers and reports them once attempts run out', async () => {
    for (let i = 0; i < 4; i++)
      server.injectResponse({
        status: 503,
        body: { requestId: 'r', errors: ['Service unavailable'] },
      });
    const error = await gong.listCalls({}).catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toBe(
      'Gong did not answer successfully after 4 attempts (last: HTTP 503)',
    );
  });

  it('reports rejected credentials without retrying', async () => {
    const wrong = new GongClient({
      baseUrl: server.url,
      credentials: async () => ({ accessKey: 'gong-key', accessKeySecret: 'nope' }),
      http: fast,
    });
    const before = server.requests.length;
    await expect(wrong.listCalls({})).rejects.toBeInstanceOf(AuthenticationError);
    expect(server.requests.length).toBe(before + 1);
  });
});

describe('gong_retrieval tool functions', () => {
  it('list_calls returns the newest calls in the range with account and participants', async () => {
    const result = await json('list_calls', {
      from_date: '2026-11-01',
      to_date: '2026-11-23',
      limit: 5,
    });
    expect(result.calls).toHaveLength(5);
    const started = result.calls.map((c: { started: string }) => c.started);
    expect(started).toEqual([...started].sort().reverse());
    expect(result.calls[0]).toMatchObject({
      call_id: expect.stringMatching(/^\d{19}$/),
      account: expect.any(String),
    });
    expect(result.calls[0].participants.length).toBeGreaterThan(1);
    expect(result.note).toBe('More calls exist in the range; the newest 5 are shown.');
  });

  it('list_calls reads a long range newest first, so a small page budget still yields the newest calls', async () => {
    const thrifty = createGongRetrievalTool({
      gong,
      clock: now,
      logger: silentLogger,
      pageBudget: 2,
    });
    const event = gongEvent('list_calls', {
      from_date: '2026-01-01',
      to_date: '2026-11-23',
      limit: 5,
    });
    const result = JSON.parse(readActionGroupResponse(await thrifty.handle(event)).body);
    const newest = dataset.gongCalls
      .map((c) => String(c.row.started_at))
      .sort()
      .reverse()
      .slice(0, 5)
      .map((t) => `${t.replace(' ', 'T')}Z`);
    expect(result.calls.map((c: { started: string }) => c.started)).toEqual(newest);
  });

  it('search_calls finds Acme Corp calls mentioning Snowflake, quoting the transcript', async () => {
    const result = await json('search_calls', { account_name: 'acme', keyword: 'Snowflake' });
    const acme = dataset.gongCalls.filter(
      (c) => c.row.account_name === 'Acme Corp' && c.competitors.includes('Snowflake'),
    );
    expect(result.calls.map((c: { call_id: string }) => c.call_id).sort()).toEqual(
      acme.map((c) => String(c.row.call_id)).sort(),
    );
    for (const found of result.calls) {
      expect(found.account).toBe('Acme Corp');
      expect(found.matched_in).toBe('transcript');
      expect(found.snippet).toContain('Snowflake');
      expect(found.competitors).toContain('Snowflake');
    }
  });

  it('search_calls by account alone lists all its calls in the last 90 days', async () => {
    const result = await json('search_calls', { account_name: 'IXIS' });
    expect(result.calls).toHaveLength(5);
    expect(result.transcripts_searched).toBe(0);
  });

  it('search_calls needs at least one criterion and a sensible date range', async () => {
    expect((await call('search_calls')).body).toBe(
      'search_calls needs at least one of account_name, keyword, from_date or to_date.',
    );
    const { body, responseState } = await call('search_calls', {
      from_date: '2026-11-20',
      to_date: '2026-11-01',
    });
    expect(responseState).toBe('REPROMPT');
    expect(body).toContain('from_date (2026-11-20) is after to_date (2026-11-01)');
  });

  it('get_call_transcript condenses the call into named speaker turns', async () => {
    const acme = dataset.gongCalls.find(
      (c) => c.row.account_name === 'Acme Corp',
    ) as (typeof dataset.gongCalls)[number];
    const result = await json('get_call_transcript', { call_id: String(acme.row.call_id) });
    const speakerTurns = acme.turns.filter(
      (t, i) => t.speakerId !== acme.turns[i - 1]?.speakerId,
    ).length;
    expect(result).toMatchObject({
      title: acme.row.title,
      account: 'Acme Corp',
      total_turns: speakerTurns,
    });
    expect(result.turns[0]).toMatch(/^\d{2}:\d{2} .+ \((Internal|External)\): /);
    expect(result.turns.join('\n')).toContain(acme.turns[2]?.text.slice(0, 30));
    expect(result.participants).toContainEqual({
      name: 'Grace Liu',
      title: 'Chief Information Officer',
      side: 'External',
    });
  });

  it('get_call_transcript reprompts for an id that is not a Gong id or does not exist', async () => {
    expect((await call('get_call_transcript', { call_id: 'abc' })).body).toContain(
      'call_id must be a Gong call id (digits only)',
    );
    const missing = await call('get_call_transcript', { call_id: '1234567890' });
    expect(missing).toEqual({
      body: 'No Gong call has id 1234567890. Use list_calls or search_calls to find call ids.',
      responseState: 'REPROMPT',
    });
  });

  it('fails the session when Gong rejects the credentials', async () => {
    const wrong = createGongRetrievalTool({
      gong: new GongClient({
        baseUrl: server.url,
        credentials: async () => ({ accessKey: 'x', accessKeySecret: 'y' }),
        http: fast,
      }),
      clock: now,
      logger: silentLogger,
    });
    const response = readActionGroupResponse(await wrong.handle(gongEvent('list_calls')));
    expect(response.responseState).toBe('FAILURE');
    expect(response.body).toContain("Gong rejected RevBot's API credentials");
  });
});

describe('condenseTranscript', () => {
  it('merges consecutive monologues and keeps the opening and close when over budget', () => {
    const parties = [
      { speakerId: '1', name: 'Rep', affiliation: 'Internal' },
      { speakerId: '2', name: 'Buyer', affiliation: 'External' },
    ];
    const transcript = {
      callId: '1',
      transcript: Array.from({ length: 40 }, (_, i) => ({
        speakerId: i % 4 < 2 ? '1' : '2',
        topic: null,
        sentences: [
          {
            start: i * 61_000,
            end: i * 61_000 + 5_000,
            text: `Sentence ${i} ${'word '.repeat(40)}`,
          },
        ],
      })),
    };
    const condensed = condenseTranscript(transcript, parties, {
      maxTotalChars: 2_000,
      maxTurnChars: 300,
    });
    expect(condensed.totalTurns).toBe(20);
    expect(condensed.omittedTurns).toBeGreaterThan(0);
    expect(condensed.turns[0]).toMatchObject({ at: '00:00', speaker: 'Rep', side: 'Internal' });
    expect(condensed.turns[0]?.text.length).toBe(300);
    expect(condensed.turns.at(-1)?.text).toContain('Sentence 38');
  });
});

describe('the gong-retrieval Lambda handler', () => {
  toolHandlerEnvironment(
    {
      id: 'revops-test/tools/gong',
      value: { access_key: 'gong-key', access_key_secret: 'gong-secret' },
    },
    () => ({ GONG_SECRET_ID: 'revops-test/tools/gong', GONG_BASE_URL: server.url }),
  );

  it('reads its secret and answers from Gong', async () => {
    const { handler } = await import('../../../tools/gong-retrieval/handler');
    const response = await handler(
      gongEvent('search_calls', {
        account_name: 'Microsoft',
        from_date: '2026-09-01',
        to_date: '2026-11-23',
      }),
    );
    const result = JSON.parse(readActionGroupResponse(response).body);
    expect(result.calls.map((c: { title: string }) => c.title)).toEqual([
      'Microsoft - Pricing discussion',
      'Microsoft - Product demo',
      'Microsoft - Discovery call',
    ]);
  });
});
