/**
 * Starts a local stand-in server on loopback (a free port unless one is given) and returns its
 * base URL and a `close` that ends open connections first, so tests and `pnpm dev` never hang
 * on keep-alive sockets or HTTP/2 sessions. Shared by every local server RevBot ships.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface ListeningServer {
  /** `http://<host>:<port>`, without a trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Takes any server built on `net.Server`: HTTP, HTTPS, HTTP/2. */
export async function listenOnLoopback(
  server: Server,
  options: { port?: number; host?: string } = {},
): Promise<ListeningServer> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

/** A loopback port nothing listens on, so a connection to it is refused. */
export async function closedPort(): Promise<number> {
  const { port, close } = await listenOnLoopback(createServer());
  await close();
  return port;
}
