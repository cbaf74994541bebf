/**
 * A local Gong API for the local stack and the tests, serving the calls of the generated revenue
 * dataset, so what Gong says matches what the embedded warehouse holds. It speaks Gong's REST v2:
 * Basic auth, `GET /v2/calls` (cursor in the query string), `POST /v2/calls/extensive` and
 * `POST /v2/calls/transcript` (cursor in the body), pages of 100 records, 404 "No calls found",
 * 400 for malformed filters, and 429 with Retry-After when the configured rate (Gong's default is
 * 3 requests per second) is exceeded. Tests can also inject a response for the next request.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { GongCallDetail, RevenueDataset } from '@revbot/lambdas/warehouse';
import { type InjectedResponse, type LocalApiServer, listenAsLocalApi } from './local-api-server';

export interface LocalGongServerOptions {
  dataset: RevenueDataset;
  accessKey: string;
  accessKeySecret: string;
  port?: number;
  host?: string;
  /** Records per page (Gong: 100). */
  pageSize?: number;
  /** Requests per second before answering 429 (default: unlimited). */
  rateLimitPerSecond?: number;
}

export interface LocalGongRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  authorization?: string;
}

export type LocalGongServer = LocalApiServer<LocalGongRequest>;

interface GongRecord {
  metaData: Record<string, unknown>;
  context: unknown[];
  parties: Record<string, unknown>[];
  content: Record<string, unknown>;
  transcript: {
    speakerId: string;
    topic: string | null;
    sentences: { start: number; end: number; text: string }[];
  }[];
}

export async function startLocalGongServer(
  options: LocalGongServerOptions,
): Promise<LocalGongServer> {
  const calls = toGongRecords(options.dataset).sort((a, b) =>
    String(a.metaData.started).localeCompare(String(b.metaData.started)),
  );
  const pageSize = options.pageSize ?? 100;
  const expected = `Basic ${Buffer.from(`${options.accessKey}:${options.accessKeySecret}`).toString('base64')}`;
  const requests: LocalGongRequest[] = [];
  const injected: InjectedResponse[] = [];
  let windowStart = 0;
  let windowCount = 0;
  let requestCounter = 0;

  const server: Server = createServer((req, res) => {
    void readJson(req).then((body) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const query = Object.fromEntries(url.searchParams.entries());
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query,
        body,
        authorization: req.headers.authorization,
      });
      const requestId = `local-${++requestCounter}`;
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(JSON.stringify(payload));
      };
      const fail = (status: number, message: string, headers?: Record<string, string>) =>
        send(status, { requestId, errors: [message] }, headers);

      function page(
        selected: GongRecord[],
        cursor: string | undefined,
        respond: (items: GongRecord[], records: Record<string, unknown>) => void,
      ) {
        if (selected.length === 0)
          return fail(404, 'No calls found corresponding to the provided filters');
        const offset = cursor ? Number(Buffer.from(cursor, 'base64url').toString('utf8')) : 0;
        if (!Number.isInteger(offset) || offset < 0 || offset >= selected.length)
          return fail(400, 'Invalid cursor');
        const items = selected.slice(offset, offset + pageSize);
        const next =
          offset + pageSize < selected.length
            ? Buffer.from(String(offset + pageSize)).toString('base64url')
            : undefined;
        respond(items, {
          totalRecords: selected.length,
          currentPageSize: items.length,
          currentPageNumber: Math.floor(offset / pageSize),
          ...(next ? { cursor: next } : {}),
        });
      }

      const fault = injected.shift();
      if (fault) return send(fault.status, fault.body, fault.headers);
      if (options.rateLimitPerSecond) {
        const now = Date.now();
        if (now - windowStart >= 1000) {
          windowStart = now;
          windowCount = 0;
        }
        if (++windowCount > options.rateLimitPerSecond) {
          return fail(429, 'Too many requests', {
            'retry-after': String(Math.max(1, Math.ceil((1000 - (now - windowStart)) / 1000))),
          });
        }
      }
      if (req.headers.authorization !== expected) return fail(401, 'Invalid credentials');
      if (body === INVALID_JSON) return fail(400, 'Request body is not valid JSON');

      if (req.method === 'GET' && url.pathname === '/v2/calls') {
        const range = readRange(query.fromDateTime, query.toDateTime);
        if (typeof range === 'string') return fail(400, range);
        const selected = calls.filter((c) => inRange(c, range));
        return page(selected, query.cursor, (items, records) =>
          send(200, { requestId, records, calls: items.map((c) => c.metaData) }),
        );
      }
      if (
        req.method === 'POST' &&
        (url.pathname === '/v2/calls/extensive' || url.pathname === '/v2/calls/transcript')
      ) {
        const request = (body ?? {}) as {
          cursor?: string;
          filter?: { fromDateTime?: string; toDateTime?: string; callIds?: unknown };
        };
        const filter = request.filter ?? {};
        const range = readRange(filter.fromDateTime, filter.toDateTime);
        if (typeof range === 'string') return fail(400, range);
        if (filter.callIds !== undefined && !Array.isArray(filter.callIds))
          return fail(400, 'filter.callIds must be an array');
        const ids = Array.isArray(filter.callIds) ? new Set(filter.callIds.map(String)) : undefined;
        const selected = calls.filter(
          (c) => inRange(c, range) && (!ids || ids.has(String(c.metaData.id))),
        );
        return page(selected, request.cursor, (items, records) =>
          url.pathname === '/v2/calls/extensive'
            ? send(200, {
                requestId,
                records,
                calls: items.map(({ metaData, context, parties, content }) => ({
                  metaData,
                  context,
                  parties,
                  content,
                })),
              })
            : send(200, {
                requestId,
                records,
                callTranscripts: items.map((c) => ({
                  callId: c.metaData.id,
                  transcript: c.transcript,
                })),
              }),
        );
      }
      return fail(404, `No route for ${req.method} ${url.pathname}`);
    });
  });

  return listenAsLocalApi(server, requests, injected, options);
}

const INVALID_JSON = Symbol('invalid json');

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text) return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        resolve(INVALID_JSON);
      }
    });
  });
}

type Range = { from?: number; to?: number };

function readRange(from?: string, to?: string): Range | string {
  const parse = (value: string | undefined, name: string) => {
    if (value === undefined) return undefined;
    // Gong wants ISO-8601 date-times with a zone.
    if (
      !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ||
      Number.isNaN(Date.parse(value))
    ) {
      return `${name} must be an ISO-8601 date-time with a time zone, got ${value}`;
    }
    return Date.parse(value);
  };
  const fromMs = parse(from, 'fromDateTime');
  const toMs = parse(to, 'toDateTime');
  if (typeof fromMs === 'string') return fromMs;
  if (typeof toMs === 'string') return toMs;
  return { from: fromMs, to: toMs };
}

function inRange(call: GongRecord, range: Range): boolean {
  const started = Date.parse(String(call.metaData.started));
  return (
    (range.from === undefined || started >= range.from) &&
    (range.to === undefined || started < range.to)
  );
}

/** The dataset's calls in Gong's shapes. */
export function toGongRecords(dataset: RevenueDataset): GongRecord[] {
  const opportunities = new Map(
    dataset.tables.opportunities.map((o) => [String(o.opportunity_id), o]),
  );
  const gongUserId = (salesforceId: string) =>
    `70${String(Number.parseInt(salesforceId.slice(5, 15), 10)).padStart(16, '0')}`;
  return dataset.gongCalls.map((detail: GongCallDetail): GongRecord => {
    const row = detail.row;
    const started = `${String(row.started_at).replace(' ', 'T')}Z`;
    const opportunity = row.opportunity_id
      ? opportunities.get(String(row.opportunity_id))
      : undefined;
    const objects: unknown[] = [];
    if (row.account_id) {
      objects.push({
        objectType: 'Account',
        objectId: row.account_id,
        fields: [{ name: 'Name', value: row.account_name }],
      });
    }
    if (opportunity) {
      objects.push({
        objectType: 'Opportunity',
        objectId: opportunity.opportunity_id,
        fields: [
          { name: 'Name', value: opportunity.opportunity_name },
          { name: 'StageName', value: opportunity.stage },
          { name: 'Amount', value: opportunity.amount },
        ],
      });
    }
    const speakers = detail.parties.map((party, index) => ({
      id: `${String(row.call_id).slice(-8)}${index}`,
      emailAddress: party.email,
      name: party.name,
      title: party.title,
      userId: party.userId ? gongUserId(party.userId) : undefined,
      speakerId: party.speakerId,
      affiliation: party.affiliation,
      methods: ['Invitee', 'Attendee'],
    }));
    const transcript = detail.turns.map((turn, index) => {
      const next = detail.turns[index + 1]?.startSeconds ?? turn.startSeconds + 30;
      const pieces = turn.text.split(/(?<=[.?!])\s+/).filter(Boolean);
      const span = (next - turn.startSeconds) * 1000;
      return {
        speakerId: turn.speakerId,
        topic: null,
        sentences: pieces.map((text, i) => ({
          start: turn.startSeconds * 1000 + Math.floor((span * i) / pieces.length),
          end: turn.startSeconds * 1000 + Math.floor((span * (i + 1)) / pieces.length),
          text,
        })),
      };
    });
    return {
      metaData: {
        id: String(row.call_id),
        url: row.call_url,
        title: row.title,
        scheduled: started,
        started,
        duration: row.duration_seconds,
        primaryUserId: gongUserId(String(row.primary_user_id)),
        direction: row.direction,
        system: 'Zoom',
        scope: row.scope,
        media: 'Video',
        language: 'eng',
        workspaceId: '5000000000000000001',
        isPrivate: false,
      },
      context: objects.length > 0 ? [{ system: 'Salesforce', objects }] : [],
      parties: speakers,
      content: {
        brief: row.summary,
        topics: String(row.topics ?? '')
          .split(',')
          .map((name) => name.trim())
          .filter(Boolean)
          .map((name, i) => ({ name, duration: 120 + i * 45 })),
        trackers: [
          {
            id: '9100000000000000001',
            name: 'Competitors',
            count: detail.competitors.length,
            type: 'KEYWORD',
            phrases: detail.competitors.map((phrase) => ({
              phrase,
              count: detail.turns.filter((t) => t.text.includes(phrase)).length,
            })),
          },
        ],
        keyPoints: row.next_steps ? [{ text: String(row.next_steps) }] : [],
      },
      transcript,
    };
  });
}
