/**
 * A local stand-in for Firebolt's API, for tests of the real `firebolt-sdk` client: the service
 * account token endpoint (`POST /oauth/token`, form-encoded client credentials), the system engine
 * URL lookup (`GET /web/v3/account/<account>/engineUrl`), and the query endpoints (`POST` a SQL
 * body; `USE DATABASE` answers with `Firebolt-Update-Parameters`, `USE ENGINE` with
 * `Firebolt-Update-Endpoint`; results in `JSON_Compact`; errors as `{"errors":[…]}`), with
 * `max_result_rows`, `statement_timeout` and server-side `query_parameters` honoured. SQL runs on
 * an embedded DuckDB warehouse. The SDK only speaks HTTPS, so this serves HTTPS with a
 * throw-away self-signed certificate made by openssl; the test disables certificate checks for
 * its own process only.
 */
import { createServer, type Server } from 'node:https';
import type { EmbeddedWarehouse, SqlValue } from '@revbot/lambdas/warehouse';
import { listenOnLoopback } from './listen-on-loopback';
import { selfSignedCertificateFor } from './test-certificate';

export interface FireboltApiServerOptions {
  warehouse: EmbeddedWarehouse;
  clientId: string;
  clientSecret: string;
  account: string;
  database: string;
  engine: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  body: string;
}

export interface InjectedResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface FireboltApiServer {
  /** `https://127.0.0.1:<port>`, to pass as the SDK's `apiEndpoint`. */
  url: string;
  requests: RecordedRequest[];
  /** Answer the next query (to an engine) with this instead of running it. */
  failNextQuery(response: InjectedResponse): void;
  /** Make the token endpoint issue tokens the query endpoints reject (expired). */
  expireTokens(): void;
  close(): Promise<void>;
}

/** Firebolt's type names for the DuckDB types the embedded warehouse returns. */
function fireboltType(duckDbType: string): string {
  const type = duckDbType.toUpperCase();
  if (type === 'VARCHAR') return 'text null';
  if (type === 'INTEGER') return 'integer null';
  if (type === 'BIGINT' || type === 'HUGEINT') return 'bigint null';
  if (type === 'DOUBLE' || type === 'FLOAT') return 'double precision null';
  if (type.startsWith('DECIMAL'))
    return `${type.replace('DECIMAL', 'numeric').replace(',', ', ')} null`;
  if (type === 'DATE') return 'date null';
  if (type.startsWith('TIMESTAMP')) return 'timestamp null';
  if (type === 'BOOLEAN') return 'boolean null';
  return 'text null';
}

/** Firebolt writes timestamps as `YYYY-MM-DD HH:MM:SS.ffffff`. */
function fireboltValue(value: SqlValue, type: string): SqlValue {
  if (typeof value === 'string' && type.startsWith('timestamp')) {
    return value.replace('T', ' ').replace(/\.(\d{3})Z$/, '.$1000');
  }
  return value;
}

export async function startFireboltApiServer(
  options: FireboltApiServerOptions,
): Promise<FireboltApiServer> {
  const requests: RecordedRequest[] = [];
  const injected: InjectedResponse[] = [];
  const validTokens = new Set<string>();
  let tokenCounter = 0;

  const server: Server = createServer(selfSignedCertificateFor('127.0.0.1'), (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'https://127.0.0.1');
        const body = Buffer.concat(chunks).toString('utf8');
        const query = Object.fromEntries(url.searchParams.entries());
        requests.push({
          method: req.method ?? '',
          path: url.pathname,
          query,
          authorization: req.headers.authorization,
          body,
        });
        const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
        };
        const authorized = () => {
          const token = req.headers.authorization?.replace(/^Bearer /, '');
          return token !== undefined && validTokens.has(token);
        };

        if (req.method === 'POST' && url.pathname === '/oauth/token') {
          const form = new URLSearchParams(body);
          if (
            form.get('grant_type') !== 'client_credentials' ||
            form.get('audience') !== 'https://api.firebolt.io' ||
            form.get('client_id') !== options.clientId ||
            form.get('client_secret') !== options.clientSecret
          ) {
            send(401, { error: 'access_denied', error_description: 'Unauthorized' });
            return;
          }
          tokenCounter += 1;
          const token = `token-${tokenCounter}`;
          validTokens.add(token);
          send(200, { access_token: token, token_type: 'Bearer', expires_in: 86_400 });
          return;
        }

        const engineUrl = /^\/web\/v3\/account\/([^/]+)\/engineUrl$/.exec(url.pathname);
        if (req.method === 'GET' && engineUrl) {
          if (!authorized()) return send(401, { message: 'Unauthorized', code: 16 });
          if (decodeURIComponent(engineUrl[1] as string) !== options.account) {
            return send(404, { message: `Account '${engineUrl[1]}' does not exist`, code: 5 });
          }
          return send(200, { engineUrl: `127.0.0.1:${port}` });
        }

        if (req.method === 'POST' && (url.pathname === '/query' || url.pathname === '/engine')) {
          if (!authorized()) return send(401, { message: 'Unauthorized', code: 16 });
          const sql = body.trim();
          const useDatabase = /^USE DATABASE "([^"]+)"$/i.exec(sql);
          if (useDatabase) {
            if (useDatabase[1] !== options.database) {
              return send(400, {
                errors: [{ description: `Database '${useDatabase[1]}' does not exist` }],
              });
            }
            return send(200, {}, { 'Firebolt-Update-Parameters': `database=${options.database}` });
          }
          const useEngine = /^USE ENGINE "([^"]+)"$/i.exec(sql);
          if (useEngine) {
            if (useEngine[1] !== options.engine) {
              return send(400, {
                errors: [{ description: `Engine '${useEngine[1]}' does not exist` }],
              });
            }
            return send(
              200,
              {},
              {
                'Firebolt-Update-Endpoint': `https://127.0.0.1:${port}/engine?engine=${options.engine}`,
              },
            );
          }
          if (
            url.pathname !== '/engine' ||
            query.engine !== options.engine ||
            query.database !== options.database
          ) {
            return send(400, { errors: [{ description: 'No engine or database selected' }] });
          }
          const fault = injected.shift();
          if (fault) return send(fault.status, fault.body, fault.headers);
          const parameters = query.query_parameters
            ? (JSON.parse(query.query_parameters) as { name: string; value: SqlValue }[])
            : [];
          const params = parameters
            .sort((a, b) => Number(a.name.slice(1)) - Number(b.name.slice(1)))
            .map((p) => p.value);
          try {
            const result = await options.warehouse.runUnguarded(sql, params, {
              maxRows: Number(query.max_result_rows ?? 0),
              timeoutMs: Number(query.statement_timeout ?? 0),
            });
            const meta = result.columns.map((c) => ({ name: c.name, type: fireboltType(c.type) }));
            return send(200, {
              query: { query_id: `q-${requests.length}` },
              meta,
              data: result.rows.map((row) =>
                row.map((v, i) => fireboltValue(v, meta[i]?.type ?? '')),
              ),
              rows: result.rows.length,
              statistics: { elapsed: 0.001, rows_read: result.rows.length, bytes_read: 0 },
            });
          } catch (error) {
            const description = (error as Error).message.includes('cancelled after')
              ? 'Query was cancelled: statement timeout exceeded'
              : (error as Error).message
                  .replace(/^The warehouse rejected the query: /, '')
                  .replace(/\. Check table.*$/, '');
            return send(400, { errors: [{ severity: 'ERROR', name: 'QueryError', description }] });
          }
        }
        send(404, { message: `No route for ${req.method} ${url.pathname}` });
      })();
    });
  });

  const listening = await listenOnLoopback(server);
  const port = listening.port;
  return {
    url: listening.url.replace(/^http:/, 'https:'),
    requests,
    failNextQuery(response) {
      injected.push(response);
    },
    expireTokens() {
      validTokens.clear();
    },
    close: listening.close,
  };
}
