import {
  type ActionGroupTool,
  buildFunctionEvent,
  readActionGroupResponse,
} from '@revbot/agents/action-group';
import { AuthenticationError, RetryableError, silentLogger } from '@revbot/core';
import { type LocalSearchServer, startLocalSearchServer } from '@revbot/testing/local-search-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRevenueDataset } from '../../../shared/warehouse/seed/revenue-dataset';
import { createTavilyProvider } from '../../../tools/web-search/tavily-provider';
import { createWebSearchTool } from '../../../tools/web-search/web-search';
import { toolHandlerEnvironment } from '../../support/tool-handler-environment';

const dataset = generateRevenueDataset({ asOf: '2026-11-23' });
const agent = { name: 'web_search_agent', id: 'WEBAGENT01', alias: 'LIVE000001', version: '1' };
const fast = { baseDelayMs: 1, maxDelayMs: 2_000, timeoutMs: 2_000 };
let server: LocalSearchServer;
let tool: ActionGroupTool;

const searchEvent = (fn: string, parameters: Record<string, string | number>) =>
  buildFunctionEvent({ tool: 'web_search', function: fn, parameters, agent, sessionId: 's-web' });
const call = (fn: string, parameters: Record<string, string | number>) =>
  tool.handle(searchEvent(fn, parameters)).then(readActionGroupResponse);

beforeAll(async () => {
  server = await startLocalSearchServer({ dataset, apiKey: 'tvly-test-key' });
  tool = createWebSearchTool({
    provider: createTavilyProvider({
      baseUrl: server.url,
      apiKey: async () => 'tvly-test-key',
      http: fast,
    }),
    logger: silentLogger,
  });
});
afterAll(async () => {
  await server.close();
});

describe('the Tavily provider against a local Tavily API', () => {
  const provider = () =>
    createTavilyProvider({ baseUrl: server.url, apiKey: async () => 'tvly-test-key', http: fast });

  it('sends the documented request and maps results to title, URL, snippet and date', async () => {
    const found = await provider().search('Acme Corp tool consolidation', {
      maxResults: 3,
      topic: 'news',
      days: 90,
      includeAnswer: true,
    });
    expect(server.requests.at(-1)).toMatchObject({
      path: '/search',
      authorization: 'Bearer tvly-test-key',
      body: {
        query: 'Acme Corp tool consolidation',
        topic: 'news',
        max_results: 3,
        days: 90,
        include_answer: true,
        search_depth: 'basic',
      },
    });
    expect(found.results[0]).toMatchObject({
      title: 'Acme Corp launches tool consolidation program',
      url: 'https://news.example/acme-consolidation',
      snippet: expect.stringContaining('Grace Liu'),
    });
    expect(Date.parse(String(found.results[0]?.date))).toBeLessThan(Date.parse('2026-11-24'));
    expect(found.answer).toContain('Acme Corp launches tool consolidation program');
  });

  it('refuses a rejected key without retrying', async () => {
    const before = server.requests.length;
    const wrong = createTavilyProvider({
      baseUrl: server.url,
      apiKey: async () => 'tvly-wrong',
      http: fast,
    });
    const error = await wrong.search('IXIS', { maxResults: 1 }).catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).not.toContain('tvly-wrong');
    expect(server.requests.length).toBe(before + 1);
  });

  it('retries after 429 honouring Retry-After', async () => {
    const waits: number[] = [];
    const patient = createTavilyProvider({
      baseUrl: server.url,
      apiKey: async () => 'tvly-test-key',
      http: { ...fast, sleep: async (ms) => void waits.push(ms) },
    });
    server.injectResponse({
      status: 429,
      body: { detail: { error: 'Your request has been blocked due to excessive requests.' } },
      headers: { 'retry-after': '1' },
    });
    const found = await patient.search('TechCorp analytics team', { maxResults: 2 });
    expect(found.results[0]?.title).toBe(
      'TechCorp doubles its analytics team after a record quarter',
    );
    expect(waits).toEqual([1_000]);
  });

  it('reports the plan limit (HTTP 432) as temporarily unavailable', async () => {
    server.injectResponse({
      status: 432,
      body: { detail: { error: "This request exceeds your plan's set usage limit." } },
    });
    const error = await provider()
      .search('IXIS', { maxResults: 1 })
      .catch((e) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect(error.message).toBe('The web search usage limit for this period is reached');
  });

  it('enforces a real per-minute rate limit with 429 and a Retry-After the client will not wait out', async () => {
    const limited = await startLocalSearchServer({ dataset, apiKey: 'k', rateLimitPerMinute: 2 });
    try {
      const client = createTavilyProvider({
        baseUrl: limited.url,
        apiKey: async () => 'k',
        http: fast,
      });
      await client.search('IXIS', { maxResults: 1 });
      await client.search('IXIS', { maxResults: 1 });
      const error = await client.search('IXIS', { maxResults: 1 }).catch((e) => e);
      expect(error).toBeInstanceOf(RetryableError);
      expect(error.message).toContain('asked to wait 60 s');
    } finally {
      await limited.close();
    }
  });
});

describe('web_search tool functions', () => {
  it('search_web returns results with title, URL, snippet and date', async () => {
    const { body, responseState } = await call('search_web', {
      query: 'DataCorp real-time analytics',
      max_results: 3,
    });
    expect(responseState).toBeUndefined();
    const result = JSON.parse(body);
    expect(result.provider).toBe('tavily');
    expect(result.results.length).toBeGreaterThan(0);
    for (const r of result.results)
      expect(Object.keys(r)).toEqual(['title', 'url', 'snippet', 'date']);
    expect(result.results.map((r: { url: string }) => r.url)).toContain(
      'https://news.example/datacorp-real-time',
    );
  });

  it('research_company gathers an overview and recent news with their sources', async () => {
    const result = JSON.parse((await call('research_company', { company_name: 'DataCorp' })).body);
    expect(result.sections.map((s: { focus: string }) => s.focus)).toEqual(['overview', 'news']);
    expect(result.summary).toContain('DataCorp');
    const news = result.sections[1].results;
    expect(news.length).toBeGreaterThan(0);
    for (const item of news) expect(item.date).not.toBeNull();
    expect(news.map((n: { title: string }) => n.title)).not.toContain(
      'DataCorp raises $80M Series D',
    );
    expect(result.sources).toContain('https://datacorp.example/about');
  });

  it('research_company with a focus runs that search only', async () => {
    const before = server.requests.length;
    const result = JSON.parse(
      (await call('research_company', { company_name: 'IXIS', focus: 'funding' })).body,
    );
    expect(server.requests.length).toBe(before + 1);
    expect(result.sections[0].results[0].title).toBe(
      'IXIS raises $60M to expand its digital analytics platform',
    );
  });

  it('reprompts on an unknown focus and on too many results', async () => {
    expect(
      (await call('research_company', { company_name: 'IXIS', focus: 'gossip' })).body,
    ).toContain(
      'focus must be one of overview, news, funding, tech_stack, competitors (got "gossip")',
    );
    expect((await call('search_web', { query: 'x', max_results: 50 })).body).toContain(
      'max_results must be an integer from 1 to 10',
    );
  });

  it('reprompts with the provider message when it refuses the query', async () => {
    server.injectResponse({
      status: 400,
      body: { detail: { error: 'Query is too long. Max query length is 400 characters.' } },
    });
    const { body, responseState } = await call('search_web', { query: 'IXIS' });
    expect(responseState).toBe('REPROMPT');
    expect(body).toBe(
      'The search provider refused the query: Query is too long. Max query length is 400 characters.',
    );
  });
});

describe('the web-search Lambda handler', () => {
  toolHandlerEnvironment(
    { id: 'revops-test/tools/web-search', value: { api_key: 'tvly-test-key' } },
    () => ({ SEARCH_SECRET_ID: 'revops-test/tools/web-search', SEARCH_BASE_URL: server.url }),
  );

  it('reads its key from its secret and answers', async () => {
    const { handler } = await import('../../../tools/web-search/handler');
    const response = await handler(
      searchEvent('search_web', { query: 'Microsoft telemetry platform' }),
    );
    const result = JSON.parse(readActionGroupResponse(response).body);
    expect(result.results[0].url).toBe('https://news.example/microsoft-telemetry');
  });
});
