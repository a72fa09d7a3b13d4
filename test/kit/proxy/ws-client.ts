import { WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';

export interface OpenSocket {
  readonly ws: WebSocket;
  /** The backend's greeting: `{hello, url, headers}`. */
  readonly hello: { hello: string; url: string; headers: Record<string, string> };
  /** Headers of the 101 answer. */
  readonly upgradeHeaders: IncomingMessage['headers'];
  /** Sends a text message and resolves with the next message received. */
  roundTrip(text: string): Promise<string>;
  close(): void;
}

/** Opens a WebSocket and waits for the backend's greeting; rejects with the status of a refused upgrade. */
export function openSocket(url: string, headers: Record<string, string> = {}): Promise<OpenSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    let upgradeHeaders: IncomingMessage['headers'] = {};
    ws.once('upgrade', (res) => (upgradeHeaders = res.headers));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, body, headers: res.headers })));
      res.on('error', () => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, body, headers: res.headers })));
    });
    ws.once('error', reject);
    ws.once('message', (data) => {
      ws.off('error', reject);
      ws.on('error', () => undefined);
      resolve({
        ws,
        hello: JSON.parse(String(data)) as OpenSocket['hello'],
        upgradeHeaders,
        roundTrip: (text) =>
          new Promise((res, rej) => {
            ws.once('message', (d) => res(String(d)));
            ws.once('close', () => rej(new Error('socket closed')));
            ws.send(text);
          }),
        close: () => ws.terminate(),
      });
    });
  });
}
