import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { WebSocketServer } from 'ws';
import { startServer, type RunningServer } from '../server.js';

/** What an echo backend answers: who it is and what it received. */
export interface Echo {
  backend: string;
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface EchoBackend extends RunningServer {
  readonly name: string;
  /** Requests received, in order. */
  readonly requests: Echo[];
  /** WebSocket connections accepted so far. */
  wsConnections(): number;
  /** TCP connections accepted so far, and how many of them the peer (the proxy) closed. */
  connections(): { opened: number; closedByPeer: number };
}

/**
 * A real backend for proxy tests. Every answer names the backend (body and `x-served-by`).
 * `…/slow?ms=N` answers after N ms; `…/stream?chunks=N` streams N chunks 20 ms apart;
 * `…/die` sends headers and part of a body, then destroys the socket. A WebSocket at any
 * path sends `{"hello": <name>, "url": …, "headers": …}` and echoes what it receives.
 */
export async function startEchoBackend(name: string, options: { keepAliveTimeoutMs?: number } = {}): Promise<EchoBackend> {
  const requests: Echo[] = [];
  const server = createServer((req, res) => handle(name, requests, req, res));
  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs;
  const tcp = { opened: 0, closedByPeer: 0 };
  server.on('connection', (socket) => {
    tcp.opened += 1;
    // 'end' is the peer's FIN: the other side closed first.
    socket.once('end', () => (tcp.closedByPeer += 1));
  });
  const wss = new WebSocketServer({ server });
  let wsCount = 0;
  wss.on('connection', (ws, req) => {
    wsCount += 1;
    ws.on('error', () => undefined);
    ws.send(JSON.stringify({ hello: name, url: req.url, headers: req.headers }));
    ws.on('message', (data) => ws.send(`${name}:${String(data)}`));
  });
  const running = await startServer(server);
  return {
    ...running,
    name,
    requests,
    wsConnections: () => wsCount,
    connections: () => ({ ...tcp }),
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await running.close();
    },
  };
}

function handle(name: string, requests: Echo[], req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const echo: Echo = { backend: name, method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
    requests.push(echo);
    const url = new URL(req.url ?? '/', 'http://backend');
    // The last path segment picks the behaviour, so it works under any route prefix.
    const action = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
    res.setHeader('x-served-by', name);
    if (action === 'slow') {
      const timer = setTimeout(() => json(res, 200, echo), Number(url.searchParams.get('ms') ?? 1000));
      res.on('close', () => clearTimeout(timer));
      return;
    }
    if (action === 'stream') {
      const total = Number(url.searchParams.get('chunks') ?? 5);
      res.writeHead(200, { 'content-type': 'text/plain' });
      let sent = 0;
      const timer = setInterval(() => {
        res.write(`chunk ${sent}\n`);
        sent += 1;
        if (sent >= total) {
          clearInterval(timer);
          res.end();
        }
      }, 20);
      res.on('close', () => clearInterval(timer));
      return;
    }
    if (action === 'die') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial answer\n');
      setTimeout(() => res.socket?.destroy(), 50);
      return;
    }
    if (action === 'headers-out') {
      res.setHeader('x-auth-token', 'secret-token');
      res.setHeader('x-auth-logout', '1');
      res.setHeader('x-backend', 'forged');
      res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/']);
    }
    json(res, action === 'missing' ? 404 : 200, echo);
  });
}

function json(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
