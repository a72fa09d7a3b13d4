import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';

/** The name in `X-Backend` on answers the proxy gives itself (admin, 400 on a hostile path). */
export const PROXY_SELF = 'proxy';

/** Answers with the contract's error shape, `{"error": "<message>"}`. */
export function sendJsonError(res: ServerResponse, status: number, message: string, headers: Record<string, string>): void {
  const body = JSON.stringify({ error: message });
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(body);
}

/**
 * The same error written as a raw HTTP/1.1 response on an upgrade socket (there is no
 * ServerResponse before a WebSocket handshake), then the socket is closed.
 */
export function writeSocketError(socket: Duplex, status: number, message: string, headers: Record<string, string>): void {
  if (!socket.writable || socket.destroyed) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: message });
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push('content-type: application/json; charset=utf-8', `content-length: ${Buffer.byteLength(body)}`, 'connection: close');
  socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
}
