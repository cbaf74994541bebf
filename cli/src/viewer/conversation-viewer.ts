/**
 * The conversation viewer as one Node request handler, mounted under a base path by the local
 * stack (`pnpm dev`) and by `revbot conversations serve`. Read-only: GET and HEAD only, pages
 * rendered on the server from the in-memory index, records read through the conversation store.
 * A strict Content-Security-Policy (own script and stylesheet only) backs up the escaping.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONVERSATION_FILE, METADATA_FILE } from '@revbot/monitoring';
import {
  type ConversationStore,
  findConversation,
  type LoadedConversation,
  loadConversation,
} from '../ops/conversation-store';
import { type Filters, matchesFilters, parseFilters } from './conversation-filters';
import { ConversationIndex, type ConversationIndexOptions } from './conversation-index';
import { renderConversationPage } from './conversation-page';
import { html } from './html';
import { renderListPage } from './list-page';
import { renderOverviewPage } from './overview-page';
import { overviewStats } from './overview-stats';
import { type PageContext, pageLayout } from './page-layout';
import { VIEWER_CSS, VIEWER_JS } from './viewer-assets';

export const VIEWER_BASE_PATH = '/conversations';

export interface ConversationViewerOptions extends ConversationIndexOptions {
  store: ConversationStore;
  /** @default '/conversations' */
  basePath?: string;
  /** Conversations kept parsed for the conversation page. @default 32 */
  cacheSize?: number;
}

export interface ConversationViewer {
  readonly basePath: string;
  readonly index: ConversationIndex;
  /** Serves the request when its path is under the base path; false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** `YYYY/MM/DD/<folder>` with a folder name the sinks write; nothing else reaches the store. */
const CONVERSATION_PATH = /^(\d{4}\/\d{2}\/\d{2}\/[A-Za-z0-9][A-Za-z0-9._-]{0,200})$/;

export function createConversationViewer(options: ConversationViewerOptions): ConversationViewer {
  const base = (options.basePath ?? VIEWER_BASE_PATH).replace(/\/$/, '');
  const index = new ConversationIndex(options.store, options);
  const context: PageContext = { base, source: options.store.where };
  const cache = new Map<string, LoadedConversation>();
  const cacheSize = options.cacheSize ?? 32;

  const send = (
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    type: string,
    body: string,
  ) => {
    res.writeHead(status, {
      ...SECURITY_HEADERS,
      'content-type': type,
      'content-length': Buffer.byteLength(body),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const page = (req: IncomingMessage, res: ServerResponse, status: number, body: string) =>
    send(req, res, status, 'text/html; charset=utf-8', body);
  const notFound = (req: IncomingMessage, res: ServerResponse, what: string) =>
    page(
      req,
      res,
      404,
      pageLayout(context, {
        title: 'Not found',
        current: 'conversation',
        body: html`<h1>Not found</h1><p>${what}</p><p><a href="${base}">All conversations</a></p>`,
      }),
    );

  async function load(key: string): Promise<LoadedConversation | undefined> {
    const cached = cache.get(key);
    if (cached) return cached;
    const ref = await findConversation(options.store, key, { now: Date.now(), sinceMs: 0 });
    if (!ref) return undefined;
    const loaded = await loadConversation(options.store, ref, { withMetadata: true });
    cache.set(key, loaded);
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
    return loaded;
  }

  async function route(
    req: IncomingMessage,
    res: ServerResponse,
    rest: string,
    query: URLSearchParams,
  ) {
    if (rest === '/assets/viewer.css')
      return send(req, res, 200, 'text/css; charset=utf-8', VIEWER_CSS);
    if (rest === '/assets/viewer.js')
      return send(req, res, 200, 'text/javascript; charset=utf-8', VIEWER_JS);
    await index.ready();
    if (rest === '' || rest === '/' || rest === '/overview') {
      const parsed = parseFilters(query);
      const filters: Filters = parsed.ok ? parsed.filters : { page: 1 };
      const error = parsed.ok ? undefined : parsed.message;
      if (rest === '/overview') {
        const dated = index
          .all()
          .filter((s) => matchesFilters(s, { page: 1, from: filters.from, to: filters.to }));
        return page(
          req,
          res,
          parsed.ok ? 200 : 400,
          renderOverviewPage(context, filters, overviewStats(dated), index.unreadable.size),
        );
      }
      return page(
        req,
        res,
        parsed.ok ? 200 : 400,
        renderListPage(context, filters, index.query(filters), index.facets(), error),
      );
    }
    const conversation = /^\/c\/(.+)$/.exec(rest);
    if (conversation) {
      const path = CONVERSATION_PATH.exec(conversation[1] ?? '')?.[1];
      const summary = path ? index.find(path) : undefined;
      if (!summary) return notFound(req, res, 'No such conversation.');
      const loaded = await load(summary.key);
      if (!loaded) return notFound(req, res, 'No such conversation.');
      return page(req, res, 200, renderConversationPage(context, { summary, ...loaded }));
    }
    const raw = /^\/raw\/(.+)\/(conversation\.json|metadata\.json)$/.exec(rest);
    if (raw) {
      const path = CONVERSATION_PATH.exec(raw[1] ?? '')?.[1];
      const summary = path ? index.find(path) : undefined;
      const ref =
        summary &&
        (await findConversation(options.store, summary.key, { now: Date.now(), sinceMs: 0 }));
      const file = raw[2] === CONVERSATION_FILE ? CONVERSATION_FILE : METADATA_FILE;
      const text = ref ? await options.store.read(ref, file) : undefined;
      if (text === undefined) return notFound(req, res, `No ${file} for this conversation.`);
      return send(req, res, 200, 'application/json; charset=utf-8', text);
    }
    return notFound(req, res, 'No such page.');
  }

  return {
    basePath: base,
    index,
    async handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) return false;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, {
          ...SECURITY_HEADERS,
          allow: 'GET, HEAD',
          'content-type': 'text/plain',
        });
        res.end('read-only: GET or HEAD');
        return true;
      }
      try {
        await route(req, res, url.pathname.slice(base.length), url.searchParams);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (!res.headersSent) {
          page(
            req,
            res,
            500,
            pageLayout(context, {
              title: 'Error',
              current: 'list',
              body: html`<h1>Could not read the records</h1><p role="alert">${message}</p>`,
            }),
          );
        } else res.end();
      }
      return true;
    },
  };
}
