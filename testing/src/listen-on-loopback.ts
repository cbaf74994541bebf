/**
 * Starts a local stand-in server on loopback (a free port unless one is given) and returns its
 * base URL and a `close` that ends open connections first, so tests and `pnpm dev` never hang
 * on keep-alive sockets. Shared by every local API server RevBot ships.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ListeningServer {
  /** `http://<host>:<port>`, without a trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function listenOnLoopback(
  server: Server,
  options: { port?: number; host?: string } = {},
): Promise<ListeningServer> {
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
