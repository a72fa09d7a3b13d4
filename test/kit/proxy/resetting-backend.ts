import { createServer, type Socket } from 'node:net';

export interface ResettingBackend {
  readonly url: string;
  /** Connections accepted so far. */
  connections(): number;
  /** Requests answered so far (a reset request is not answered). */
  answered(): number;
  close(): Promise<void>;
}

/**
 * A raw TCP HTTP/1.1 server that answers the first request on each connection (keep-alive)
 * and resets the connection (RST) when a second request arrives on it: exactly what a
 * backend closing an idle keep-alive socket looks like to a proxy reusing it at that moment.
 */
export async function startResettingBackend(): Promise<ResettingBackend> {
  let connections = 0;
  let answered = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let served = 0;
    let buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        buffer = buffer.subarray(end + 4 + length);
        if (served >= 1) {
          socket.resetAndDestroy();
          return;
        }
        served += 1;
        answered += 1;
        const body = JSON.stringify({ connection: connections, method: head.split(' ')[0] });
        socket.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: keep-alive\r\n\r\n${body}`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    answered: () => answered,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
