/**
 * A local stand-in for Tavily's search API, for the local stack and the tests. It speaks
 * `POST /search` as Tavily documents it (Bearer key, `query`, `topic`, `max_results`, `days`,
 * `include_answer`; `{"detail": {"error": …}}` errors with 400, 401 and 429 plus Retry-After)
 * over a small corpus consistent with the embedded warehouse: a company page for every account
 * of the generated dataset, plus dated news about the companies of RevBot's documented examples
 * and the main competitors. Ranking is plain term matching; the answer, when asked for, is taken
 * from the best result and says so.
 */
import { createServer, type Server } from 'node:http';
import type { RevenueDataset } from '@revbot/lambdas/warehouse';
import { type InjectedResponse, type LocalApiServer, listenAsLocalApi } from './local-api-server';

export interface LocalSearchServerOptions {
  dataset: RevenueDataset;
  apiKey: string;
  port?: number;
  host?: string;
  /** Requests per minute before answering 429 (default: unlimited). */
  rateLimitPerMinute?: number;
}

export type LocalSearchServer = LocalApiServer<{
  path: string;
  body: unknown;
  authorization?: string;
}>;

export interface SearchDocument {
  title: string;
  url: string;
  content: string;
  /** ISO date for news. */
  published?: string;
}

const STOPWORDS = new Set([
  'a',
  'an',
  'and',
  'the',
  'of',
  'in',
  'on',
  'for',
  'to',
  'is',
  'what',
  'who',
  'about',
  'with',
  'news',
  'company',
]);

export async function startLocalSearchServer(
  options: LocalSearchServerOptions,
): Promise<LocalSearchServer> {
  const corpus = buildSearchCorpus(options.dataset);
  const asOf = Date.parse(`${options.dataset.asOf}T23:59:59Z`);
  const requests: LocalSearchServer['requests'] = [];
  const injected: InjectedResponse[] = [];
  const recent: number[] = [];
  let counter = 0;

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const started = performance.now();
      const text = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      let parseFailed = false;
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        parseFailed = true;
      }
      const url = new URL(req.url ?? '/', 'http://localhost');
      requests.push({ path: url.pathname, body, authorization: req.headers.authorization });
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(payload));
      };
      const error = (status: number, message: string, headers?: Record<string, string>) =>
        send(status, { detail: { error: message } }, headers);

      const fault = injected.shift();
      if (fault) return send(fault.status, fault.body, fault.headers);
      if (req.method !== 'POST' || url.pathname !== '/search') return error(404, 'Not Found');
      if (options.rateLimitPerMinute) {
        const now = Date.now();
        while (recent.length > 0 && (recent[0] as number) < now - 60_000) recent.shift();
        if (recent.length >= options.rateLimitPerMinute) {
          return error(
            429,
            'Your request has been blocked due to excessive requests. Please reduce rate of requests.',
            {
              'retry-after': '60',
            },
          );
        }
        recent.push(now);
      }
      const key =
        req.headers.authorization?.replace(/^Bearer /, '') ??
        (typeof body.api_key === 'string' ? body.api_key : undefined);
      if (key !== options.apiKey) return error(401, 'Unauthorized: missing or invalid API key.');
      if (parseFailed) return error(400, 'Invalid JSON body.');

      const query = typeof body.query === 'string' ? body.query.trim() : '';
      if (!query) return error(400, 'Query is missing.');
      if (query.length > 400)
        return error(400, 'Query is too long. Max query length is 400 characters.');
      const topic = body.topic ?? 'general';
      if (topic !== 'general' && topic !== 'news' && topic !== 'finance')
        return error(400, 'Invalid topic. Must be general, news or finance.');
      const maxResults = body.max_results ?? 5;
      if (
        typeof maxResults !== 'number' ||
        !Number.isInteger(maxResults) ||
        maxResults < 0 ||
        maxResults > 20
      ) {
        return error(400, 'max_results must be an integer between 0 and 20.');
      }
      const depth = body.search_depth ?? 'basic';
      if (!['basic', 'advanced', 'fast', 'ultra-fast'].includes(String(depth)))
        return error(400, 'Invalid search_depth.');
      const days = typeof body.days === 'number' ? body.days : 7;

      const terms = tokenize(query).filter((t) => !STOPWORDS.has(t));
      const ranked = corpus
        .filter(
          (doc) =>
            topic !== 'news' ||
            (doc.published && Date.parse(doc.published) >= asOf - days * 86_400_000),
        )
        .map((doc) => ({ doc, score: score(doc, terms) }))
        .filter((hit) => hit.score > 0)
        .sort(
          (a, b) =>
            b.score - a.score || (b.doc.published ?? '').localeCompare(a.doc.published ?? ''),
        )
        .slice(0, maxResults);
      const best = ranked[0]?.score ?? 1;
      const results = ranked.map(({ doc, score: s }) => ({
        title: doc.title,
        url: doc.url,
        content: doc.content,
        score: Math.round((s / best) * 0.9 * 1000) / 1000,
        raw_content: null,
        ...(topic === 'news' && doc.published
          ? { published_date: new Date(doc.published).toUTCString() }
          : {}),
      }));
      const includeAnswer =
        body.include_answer === true ||
        body.include_answer === 'basic' ||
        body.include_answer === 'advanced';
      send(200, {
        query,
        ...(includeAnswer
          ? {
              answer: ranked[0]
                ? `According to ${ranked[0].doc.title}: ${firstSentence(ranked[0].doc.content)}`
                : null,
            }
          : {}),
        images: [],
        results,
        response_time: Math.round(performance.now() - started) / 1000,
        request_id: `local-${++counter}`,
      });
    });
  });

  return listenAsLocalApi(server, requests, injected, options);
}

const tokenize = (text: string) =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);

function score(doc: SearchDocument, terms: string[]): number {
  const title = new Set(tokenize(doc.title));
  const content = tokenize(doc.content);
  let total = 0;
  for (const term of terms) {
    if (title.has(term)) total += 3;
    total += content.filter((word) => word === term).length;
  }
  return total;
}

const firstSentence = (text: string) => (/^.*?[.!?](\s|$)/.exec(text)?.[0] ?? text).trim();

/** Company pages for every account, plus dated news for the documented examples and competitors. */
export function buildSearchCorpus(dataset: RevenueDataset): SearchDocument[] {
  const asOf = Date.parse(`${dataset.asOf}T12:00:00Z`);
  const daysAgo = (n: number) => new Date(asOf - n * 86_400_000).toISOString();
  const docs: SearchDocument[] = dataset.tables.accounts.map((a) => ({
    title: `${a.account_name} — company profile`,
    url: `https://${a.website}/about`,
    content: `${a.account_name} is a ${String(a.industry).toLowerCase()} company headquartered in ${a.country} with about ${Number(a.employee_count).toLocaleString('en-US')} employees. Its engineering teams work with ${a.tech_stack}.`,
  }));
  const news = (title: string, url: string, content: string, ago: number): SearchDocument => ({
    title,
    url,
    content,
    published: daysAgo(ago),
  });
  docs.push(
    {
      title: 'DataCorp — company profile',
      url: 'https://datacorp.example/about',
      content:
        'DataCorp is a B2B software company in the United States with about 1,200 employees and roughly $250 million in annual revenue. It builds customer data products on AWS, Snowflake, dbt, Looker and Kafka.',
    },
    news(
      'DataCorp hires John Smith as VP of Data Engineering',
      'https://news.example/datacorp-john-smith',
      'DataCorp appointed John Smith as VP of Data Engineering to lead its move to real-time customer analytics. Smith previously ran data platforms at two SaaS companies.',
      35,
    ),
    news(
      'DataCorp launches real-time analytics initiative',
      'https://news.example/datacorp-real-time',
      'DataCorp announced a real-time customer analytics initiative and is reviewing its data warehouse costs, which grew sharply with Snowflake usage this year.',
      9,
    ),
    news(
      'DataCorp raises $80M Series D',
      'https://news.example/datacorp-series-d',
      'DataCorp raised $80 million in a Series D funding round led by Northgate Ventures, with existing investors joining, to expand its data products internationally.',
      120,
    ),
    news(
      'IXIS raises $60M to expand its digital analytics platform',
      'https://news.example/ixis-funding',
      'IXIS, a digital analytics software company with about 5,200 employees, closed a $60 million Series C funding round led by growth investors at a reported $1.1 billion valuation. It plans to replace its on-premise Vertica cluster with a cloud data platform.',
      150,
    ),
    news(
      'IXIS CFO Lisa Park on cutting analytics infrastructure costs',
      'https://news.example/ixis-cfo-interview',
      'In an interview, IXIS CFO Lisa Park said analytics infrastructure costs grew 60% this year and that dashboard performance at month end is a board-level topic.',
      14,
    ),
    news(
      'TechCorp doubles its analytics team after a record quarter',
      'https://news.example/techcorp-record-quarter',
      'TechCorp, a 2,400-person software company, reported record revenue and is doubling its analytics team, with finance and product analysts getting self-service dashboards.',
      20,
    ),
    news(
      'Acme Corp launches tool consolidation program',
      'https://news.example/acme-consolidation',
      'Acme Corp CIO Grace Liu announced a program to consolidate data and analytics tools to cut costs by 20% next year; the manufacturer is reviewing every major software contract.',
      25,
    ),
    news(
      'Acme Corp evaluates cloud data warehouse alternatives',
      'https://news.example/acme-warehouse-review',
      'Acme Corp is evaluating Snowflake and Databricks as alternatives for its analytics workloads as part of its cost program, according to people familiar with the matter.',
      12,
    ),
    news(
      'Microsoft expands its internal telemetry analytics platform',
      'https://news.example/microsoft-telemetry',
      'Microsoft is expanding the internal platform its engineering teams use to analyse service telemetry, serving thousands of analysts on hundreds of terabytes.',
      40,
    ),
    news(
      'Snowflake announces new pricing for interactive workloads',
      'https://news.example/snowflake-pricing',
      'Snowflake introduced new pricing options aimed at interactive, high-concurrency analytics workloads.',
      6,
    ),
    news(
      'Databricks adds serverless SQL features',
      'https://news.example/databricks-sql',
      'Databricks announced serverless SQL warehouse features aimed at business intelligence teams.',
      8,
    ),
    {
      title:
        'Cloud data warehouse market: Snowflake, Databricks, BigQuery, Redshift and ClickHouse compared',
      url: 'https://research.example/cloud-warehouse-market',
      content:
        'The cloud data warehouse market is led by Snowflake, Databricks, Google BigQuery and Amazon Redshift, with ClickHouse and Firebolt competing on low-latency, high-concurrency analytics. Buyers compare concurrency, cost predictability and migration effort.',
    },
  );
  return docs;
}
