/**
 * The viewer on its own HTTP server (`revbot conversations serve`): the viewer under
 * `/conversations`, `/` redirecting there. Binds to 127.0.0.1 unless a host is given, since
 * the records it shows are the team's conversations.
 */
import { createServer } from 'node:http';
import { listenOnLoopback } from '@revbot/testing/listen-on-loopback';
import { type ConversationViewerOptions, createConversationViewer } from './conversation-viewer';

export interface RunningViewer {
  /** The viewer's own URL, e.g. `http://127.0.0.1:4400/conversations`. */
  url: string;
  close(): Promise<void>;
}

export async function startViewerServer(
  options: ConversationViewerOptions & { port?: number; host?: string },
): Promise<RunningViewer> {
  const viewer = createConversationViewer(options);
  const server = createServer((req, res) => {
    void viewer.handle(req, res).then((handled) => {
      if (handled) return;
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === '/') {
        res.writeHead(302, { location: viewer.basePath }).end();
      } else {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      }
    });
  });
  const listening = await listenOnLoopback(server, {
    port: options.port,
    host: options.host ?? '127.0.0.1',
  });
  return { url: `${listening.url}${viewer.basePath}`, close: listening.close };
}
