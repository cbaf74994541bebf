/**
 * Gong REST API v2 client: `GET /v2/calls`, `POST /v2/calls/extensive` and
 * `POST /v2/calls/transcript`, with Basic auth (access key and secret), cursor paging (query
 * string for GET, request body for POST) and back-off on 429 honouring Retry-After. Responses are
 * validated with zod at the boundary. The base URL is the customer's own API host
 * (`https://<id>.api.gong.io`), or a local stand-in.
 */

import { ToolInputError } from '@revbot/agents/action-group';
import { AuthenticationError, ConfigError, RetryableError } from '@revbot/core';
import { z } from 'zod';
import {
  createHttpJsonClient,
  type HttpJsonClient,
  type HttpJsonClientOptions,
} from '../../shared/http-json-client';

export interface GongCredentials {
  accessKey: string;
  accessKeySecret: string;
}

export interface GongClientOptions {
  baseUrl: string;
  credentials: () => Promise<GongCredentials>;
  /** Pages fetched at most per request (Gong pages hold 100 records). Default 10. */
  maxPages?: number;
  http?: Omit<HttpJsonClientOptions, 'service'>;
}

const records = z.object({
  totalRecords: z.number().optional(),
  currentPageSize: z.number().optional(),
  currentPageNumber: z.number().optional(),
  cursor: z.string().optional(),
});

export const gongCallSchema = z.object({
  id: z.string(),
  url: z.string().optional(),
  title: z.string().nullish(),
  scheduled: z.string().nullish(),
  started: z.string(),
  duration: z.number().nullish(),
  primaryUserId: z.string().nullish(),
  direction: z.string().nullish(),
  system: z.string().nullish(),
  scope: z.string().nullish(),
  media: z.string().nullish(),
  language: z.string().nullish(),
});
export type GongCall = z.infer<typeof gongCallSchema>;

const contextObjectSchema = z.object({
  objectType: z.string(),
  objectId: z.string().nullish(),
  fields: z.array(z.object({ name: z.string(), value: z.unknown() })).default([]),
});

export const gongPartySchema = z.object({
  id: z.string().nullish(),
  emailAddress: z.string().nullish(),
  name: z.string().nullish(),
  title: z.string().nullish(),
  userId: z.string().nullish(),
  speakerId: z.string().nullish(),
  affiliation: z.string().nullish(),
});
export type GongParty = z.infer<typeof gongPartySchema>;

export const gongExtensiveCallSchema = z.object({
  metaData: gongCallSchema,
  context: z
    .array(
      z.object({ system: z.string().nullish(), objects: z.array(contextObjectSchema).default([]) }),
    )
    .default([]),
  parties: z.array(gongPartySchema).default([]),
  content: z
    .object({
      brief: z.string().nullish(),
      topics: z.array(z.object({ name: z.string(), duration: z.number().nullish() })).nullish(),
      trackers: z
        .array(
          z.object({
            id: z.string().nullish(),
            name: z.string(),
            count: z.number().nullish(),
            type: z.string().nullish(),
            phrases: z
              .array(z.object({ phrase: z.string(), count: z.number().nullish() }))
              .nullish(),
          }),
        )
        .nullish(),
      keyPoints: z.array(z.object({ text: z.string() })).nullish(),
    })
    .nullish(),
});
export type GongExtensiveCall = z.infer<typeof gongExtensiveCallSchema>;

export const gongTranscriptSchema = z.object({
  callId: z.string(),
  transcript: z
    .array(
      z.object({
        speakerId: z.string().nullish(),
        topic: z.string().nullish(),
        sentences: z
          .array(z.object({ start: z.number(), end: z.number().nullish(), text: z.string() }))
          .default([]),
      }),
    )
    .default([]),
});
export type GongTranscript = z.infer<typeof gongTranscriptSchema>;

const callsPage = z.object({
  records: records.optional(),
  calls: z.array(gongCallSchema).default([]),
});
const extensivePage = z.object({
  records: records.optional(),
  calls: z.array(gongExtensiveCallSchema).default([]),
});
const transcriptPage = z.object({
  records: records.optional(),
  callTranscripts: z.array(gongTranscriptSchema).default([]),
});

export interface DateRange {
  /** ISO 8601 date-times with a zone, e.g. `2026-10-01T00:00:00Z`. */
  fromDateTime?: string;
  toDateTime?: string;
}

export interface Paged<T> {
  items: T[];
  /** More records existed than the page budget allowed fetching. */
  incomplete: boolean;
  /** Requests (pages) it took. */
  pages: number;
}

export interface PageOptions {
  /** Overrides the client's page budget for this request. */
  maxPages?: number;
}

export class GongClient {
  private readonly http: HttpJsonClient;
  private readonly baseUrl: string;

  constructor(private readonly options: GongClientOptions) {
    if (!/^https?:\/\//.test(options.baseUrl))
      throw new ConfigError('GONG_BASE_URL must be an http(s) URL');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.http = createHttpJsonClient({ service: 'Gong', ...options.http });
  }

  /** `GET /v2/calls` over a date range, following the cursor. */
  async listCalls(range: DateRange, options: PageOptions = {}): Promise<Paged<GongCall>> {
    return this.paginate(options, async (cursor) => {
      const query = new URLSearchParams();
      if (range.fromDateTime) query.set('fromDateTime', range.fromDateTime);
      if (range.toDateTime) query.set('toDateTime', range.toDateTime);
      if (cursor) query.set('cursor', cursor);
      const body = await this.call('GET', `/v2/calls?${query}`);
      const page = parse(callsPage, body, 'calls');
      return { items: page.calls, cursor: page.records?.cursor };
    });
  }

  /** `POST /v2/calls/extensive` with parties, CRM context, brief, topics and trackers. */
  async extensiveCalls(
    filter: DateRange & { callIds?: string[] },
    options: PageOptions = {},
  ): Promise<Paged<GongExtensiveCall>> {
    return this.paginate(options, async (cursor) => {
      const body = await this.call('POST', '/v2/calls/extensive', {
        ...(cursor ? { cursor } : {}),
        filter,
        contentSelector: {
          context: 'Extended',
          exposedFields: {
            parties: true,
            content: { brief: true, topics: true, trackers: true, keyPoints: true },
          },
        },
      });
      const page = parse(extensivePage, body, 'calls/extensive');
      return { items: page.calls, cursor: page.records?.cursor };
    });
  }

  /** `POST /v2/calls/transcript` for up to 100 call ids per request. */
  async transcripts(callIds: string[]): Promise<GongTranscript[]> {
    const out: GongTranscript[] = [];
    for (let i = 0; i < callIds.length; i += 100) {
      const batch = callIds.slice(i, i + 100);
      const { items } = await this.paginate({}, async (cursor) => {
        const body = await this.call('POST', '/v2/calls/transcript', {
          ...(cursor ? { cursor } : {}),
          filter: { callIds: batch },
        });
        const page = parse(transcriptPage, body, 'calls/transcript');
        return { items: page.callTranscripts, cursor: page.records?.cursor };
      });
      out.push(...items);
    }
    return out;
  }

  private async paginate<T>(
    options: PageOptions,
    fetchPage: (cursor?: string) => Promise<{ items: T[]; cursor?: string }>,
  ): Promise<Paged<T>> {
    const items: T[] = [];
    let cursor: string | undefined;
    const maxPages = Math.max(1, options.maxPages ?? this.options.maxPages ?? 10);
    for (let page = 1; page <= maxPages; page++) {
      const result = await fetchPage(cursor);
      items.push(...result.items);
      cursor = result.cursor;
      if (!cursor) return { items, incomplete: false, pages: page };
    }
    return { items, incomplete: true, pages: maxPages };
  }

  /** One request; 404 "no calls found" is an empty page, other errors are typed. */
  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const { accessKey, accessKeySecret } = await this.options.credentials();
    const authorization = `Basic ${Buffer.from(`${accessKey}:${accessKeySecret}`).toString('base64')}`;
    const response = await this.http({
      method,
      url: `${this.baseUrl}${path}`,
      headers: { authorization },
      body,
    });
    if (response.status >= 200 && response.status < 300) return response.body;
    const detail = gongErrors(response.body);
    if (response.status === 404) return {};
    if (response.status === 401 || response.status === 403) {
      throw new AuthenticationError(
        `Gong rejected RevBot's API credentials (HTTP ${response.status})`,
        'GONG_UNAUTHORIZED',
      );
    }
    if (response.status === 400) throw new ToolInputError(`Gong refused the request: ${detail}`);
    throw new RetryableError(
      `Gong answered HTTP ${response.status}: ${detail}`,
      'GONG_UNAVAILABLE',
    );
  }
}

/** Gong's error body is `{requestId, errors: [string]}`. */
function gongErrors(body: unknown): string {
  if (
    typeof body === 'object' &&
    body !== null &&
    Array.isArray((body as { errors?: unknown }).errors)
  ) {
    return (body as { errors: unknown[] }).errors.map(String).join('; ');
  }
  return typeof body === 'string' && body ? body.slice(0, 200) : 'no details';
}

function parse<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) {
    throw new RetryableError(`Gong returned an unexpected ${what} response`, 'GONG_BAD_RESPONSE');
  }
  return parsed.data;
}
