import { createServer, type RequestListener, type Server } from 'node:http';
import { listen, closeServer } from '../../lib/listen.js';

export interface RunningServer {
  readonly server: Server;
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

/** Starts an app (express or a plain handler) on 127.0.0.1 and a free port. */
export async function startServer(handlerOrServer: RequestListener | Server): Promise<RunningServer> {
  const server = typeof handlerOrServer === 'function' ? createServer(handlerOrServer) : handlerOrServer;
  const port = await listen(server, 0, '127.0.0.1', 'PORT');
  let closed: Promise<void> | undefined;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () => (closed ??= closeServer(server)),
  };
}
