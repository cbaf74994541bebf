/** The web search provider interface the web_search tool codes against. */

export interface WebSearchResult {
  title: string;
  url: string;
  snippet: string;
  /** Publication date (ISO 8601) when the provider knows it, typically for news. */
  date: string | null;
  /** Relevance 0-1 as the provider ranks it. */
  score: number | null;
}

export interface WebSearchOptions {
  maxResults: number;
  /** `news` restricts to recent news articles. */
  topic?: 'general' | 'news';
  /** For news: how many days back. */
  days?: number;
  /** Ask the provider for a short synthesized answer as well. */
  includeAnswer?: boolean;
}

export interface WebSearchResponse {
  answer: string | null;
  results: WebSearchResult[];
}

export interface WebSearchProvider {
  readonly name: string;
  search(query: string, options: WebSearchOptions): Promise<WebSearchResponse>;
}
