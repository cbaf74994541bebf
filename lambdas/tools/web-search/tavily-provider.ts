/**
 * Tavily (https://tavily.com) as RevBot's web search provider: `POST /search` with a Bearer API
 * key, a free tier, and results made for LLM use (title, URL, content snippet, score, and a
 * publication date for news). The base URL is configurable for a local stand-in.
 */

import { ToolInputError } from '@revbot/agents/action-group';
import { AuthenticationError, ConfigError, RetryableError } from '@revbot/core';
import { z } from 'zod';
import { createHttpJsonClient, type HttpJsonClientOptions } from '../../shared/http-json-client';
import type { WebSearchOptions, WebSearchProvider, WebSearchResponse } from './search-provider';

export const DEFAULT_TAVILY_BASE_URL = 'https://api.tavily.com';
const MAX_SNIPPET_CHARS = 500;

export interface TavilyProviderOptions {
  baseUrl?: string;
  apiKey: () => Promise<string>;
  /** `basic` (1 credit) or `advanced` (2 credits). Default basic. */
  searchDepth?: 'basic' | 'advanced';
  http?: Omit<HttpJsonClientOptions, 'service'>;
}

const tavilyResponseSchema = z.object({
  query: z.string().optional(),
  answer: z.string().nullish(),
  results: z
    .array(
      z.object({
        title: z.string().nullish(),
        url: z.string(),
        content: z.string().nullish(),
        score: z.number().nullish(),
        published_date: z.string().nullish(),
      }),
    )
    .default([]),
});

export function createTavilyProvider(options: TavilyProviderOptions): WebSearchProvider {
  const baseUrl = (options.baseUrl ?? DEFAULT_TAVILY_BASE_URL).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(baseUrl))
    throw new ConfigError('SEARCH_BASE_URL must be an http(s) URL');
  const http = createHttpJsonClient({ service: 'Tavily', timeoutMs: 15_000, ...options.http });

  return {
    name: 'tavily',
    async search(query: string, search: WebSearchOptions): Promise<WebSearchResponse> {
      const apiKey = await options.apiKey();
      const response = await http({
        method: 'POST',
        url: `${baseUrl}/search`,
        headers: { authorization: `Bearer ${apiKey}` },
        body: {
          query,
          search_depth: options.searchDepth ?? 'basic',
          topic: search.topic ?? 'general',
          max_results: search.maxResults,
          include_answer: search.includeAnswer ?? false,
          include_raw_content: false,
          include_images: false,
          ...(search.topic === 'news' && search.days ? { days: search.days } : {}),
        },
      });
      if (response.status !== 200) throw tavilyError(response.status, response.body);
      const parsed = tavilyResponseSchema.safeParse(response.body);
      if (!parsed.success)
        throw new RetryableError('Tavily returned an unexpected response', 'SEARCH_BAD_RESPONSE');
      return {
        answer: parsed.data.answer ?? null,
        results: parsed.data.results.map((r) => ({
          title: r.title ?? r.url,
          url: r.url,
          snippet: shorten(r.content ?? ''),
          date: r.published_date ?? null,
          score: r.score ?? null,
        })),
      };
    },
  };
}

/** Tavily errors are `{"detail": {"error": "…"}}`. */
function tavilyError(status: number, body: unknown): Error {
  const detail =
    typeof body === 'object' && body !== null
      ? String(
          (body as { detail?: { error?: unknown } }).detail?.error ??
            JSON.stringify(body).slice(0, 200),
        )
      : String(body ?? '').slice(0, 200);
  if (status === 400 || status === 422)
    return new ToolInputError(`The search provider refused the query: ${detail}`);
  if (status === 401 || status === 403) {
    return new AuthenticationError(
      `The web search provider rejected RevBot's API key (HTTP ${status})`,
      'SEARCH_UNAUTHORIZED',
    );
  }
  if (status === 432 || status === 433) {
    return new RetryableError(
      'The web search usage limit for this period is reached',
      'SEARCH_QUOTA_EXCEEDED',
    );
  }
  return new RetryableError(
    `The web search provider answered HTTP ${status}: ${detail}`,
    'SEARCH_UNAVAILABLE',
  );
}

function shorten(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean.length <= MAX_SNIPPET_CHARS ? clean : `${clean.slice(0, MAX_SNIPPET_CHARS - 1)}…`;
}
