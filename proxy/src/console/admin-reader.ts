import { Agent, request } from 'node:http';

/** An admin endpoint's answer: its status and parsed JSON (undefined when not JSON). */
export interface AdminAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** Reads one admin endpoint (`/__proxy/...`) as an admin. */
export type AdminGet = (path: string) => Promise<AdminAnswer>;

/**
 * Where the proxy that served a console page listens, as that page's connection saw it: an
 * address and port, or (a cluster's primary, which workers reach over a private socket) the
 * socket's path.
 */
export type LocalAddress = { readonly host: string; readonly port: number } | { readonly socketPath: string };

/**
 * Reads the admin API over loopback with the admin token, exactly as any client would:
 * the console shows what the endpoints answer, whoever implements them, and a missing one
 * is a 404 to show as such. The token stays in this process.
 */
export function loopbackAdminGet(token: string, where: () => LocalAddress | undefined, timeoutMs = 3000): { get: AdminGet; close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: 4, timeout: 10_000 });
  return {
    get(path) {
      const address = where();
      if (!address) return Promise.resolve({ status: 503, body: { error: 'the console does not know the proxy\'s address yet' } });
      return new Promise((resolve) => {
        const req = request({ ...address, path, agent, headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, timeout: timeoutMs }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err) => resolve({ status: 502, body: { error: `${path}: ${err.message}` } }));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown;
            try {
              body = JSON.parse(text);
            } catch {
              body = undefined;
            }
            resolve({ status: res.statusCode ?? 502, body });
          });
        });
        req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
        req.on('error', (err) => resolve({ status: 502, body: { error: `${path}: ${err.message}` } }));
        req.end();
      });
    },
    close: () => agent.destroy(),
  };
}
