import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { ADAPTER_KEY_HEADER, MAX_ADAPTER_BODY_BYTES } from '../../../../lib/adapter-protocol.js';

export type AdapterReply =
  | { readonly ok: true; readonly status: number; readonly headers: IncomingHttpHeaders; readonly body: unknown }
  | { readonly ok: false; readonly reason: string };

export interface AdapterCall {
  readonly method: 'GET' | 'POST';
  /** Below the adapter's path, e.g. `/session`. */
  readonly endpoint: string;
  readonly cookieHeader: string | undefined;
  readonly body?: unknown;
}

export interface AdapterClient {
  call(call: AdapterCall): Promise<AdapterReply>;
  close(): void;
}

/**
 * HTTP to the legacy adapter: a keep-alive pool, the key on every call, a deadline for the
 * whole exchange (a slow app must not hold the request that asked), JSON both ways, bounded.
 * Failures are values with a reason a person can act on; nothing here throws.
 */
export function createAdapterClient(options: { base: URL; path: string; key: string; timeoutMs: number; forwardedProto?: 'https' }): AdapterClient {
  // Free sockets go before the app's own keep-alive timeout (Node's default is 5 s), so a
  // reused socket is rarely one the app is closing; the rare race is retried once below.
  const { base, path, key, timeoutMs } = options;
  const secure = base.protocol === 'https:';
  const agentOptions = { keepAlive: true, maxSockets: 64, maxFreeSockets: 16, timeout: 4000 };
  const agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  const request = secure ? httpsRequest : httpRequest;
  // URL keeps an IPv6 literal's brackets; the socket layer wants the bare address.
  const hostname = base.hostname.replace(/^\[(.*)\]$/, '$1');

  function once(call: AdapterCall): Promise<AdapterReply & { reusedReset?: boolean }> {
    return new Promise((resolve) => {
      let settled = false;
      const settle = (reply: AdapterReply & { reusedReset?: boolean }) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(reply);
      };
      const body = call.body === undefined ? undefined : JSON.stringify(call.body);
      const headers: Record<string, string> = { [ADAPTER_KEY_HEADER]: key, accept: 'application/json' };
      if (call.cookieHeader) headers.cookie = call.cookieHeader;
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(Buffer.byteLength(body));
      }
      if (options.forwardedProto) headers['x-forwarded-proto'] = options.forwardedProto;
      const req = request({ hostname, port: base.port, method: call.method, path: path + call.endpoint, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ADAPTER_BODY_BYTES) {
            req.destroy();
            settle({ ok: false, reason: `its answer is larger than ${MAX_ADAPTER_BODY_BYTES} bytes` });
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (err) => settle({ ok: false, reason: describe(err) }));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          // Not JSON (an app's own 404 page): the status still says what happened; the text is kept for a log line.
          let parsed: unknown = text.slice(0, 200);
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch { /* kept as text */ }
          settle({ ok: true, status: res.statusCode ?? 0, headers: res.headers, body: parsed });
        });
      });
      const timer = setTimeout(() => {
        settle({ ok: false, reason: `no answer within ${timeoutMs} ms` });
        req.destroy();
      }, timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive socket the app closed just as it was reused: nothing was processed.
        settle({ ok: false, reason: describe(err), reusedReset: req.reusedSocket && err.code === 'ECONNRESET' });
      });
      req.end(body);
    });
  }

  return {
    async call(call) {
      const first = await once(call);
      if (!first.ok && first.reusedReset) return once(call);
      return first;
    },
    close() {
      agent.destroy();
    },
  };
}

function describe(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'connection refused (is the app running?)';
  return code ?? err.message;
}
