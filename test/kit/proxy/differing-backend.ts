import type { IncomingMessage, RequestListener } from 'node:http';
import { startServer, type RunningServer } from '../server.js';

export interface Hit {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** A JSON answer, or a backend that never answers (`hang`) or drops the connection (`die`). */
export type Answer = { status?: number; body: unknown; headers?: Record<string, string> } | 'hang' | 'die';

export interface DifferingBackend extends RunningServer {
  readonly hits: Hit[];
}

/** A real backend whose answers a test scripts, recording every request it gets. */
export function differingHandler(answer: (req: IncomingMessage, body: string, n: number) => Answer): { hits: Hit[]; handler: RequestListener } {
  const hits: Hit[] = [];
  return {
    hits,
    handler: (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const a = answer(req, body, hits.length);
        if (a === 'hang') return;
        if (a === 'die') {
          req.socket.destroy();
          return;
        }
        res.writeHead(a.status ?? 200, { 'content-type': 'application/json; charset=utf-8', ...a.headers });
        res.end(a.status === 204 ? undefined : JSON.stringify(a.body));
      });
    },
  };
}

export async function startDifferingBackend(answer: (req: IncomingMessage, body: string, n: number) => Answer): Promise<DifferingBackend> {
  const { hits, handler } = differingHandler(answer);
  const running = await startServer(handler);
  return { ...running, hits };
}
