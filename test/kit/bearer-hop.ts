import { createServer, request } from 'node:http';
import { startServer, type RunningServer } from './server.js';

/**
 * A hop in front of the MCP server that adds `Authorization: Bearer <token>` to every
 * request, as a gateway or `mcp-remote --header` would, for MCP clients that cannot send
 * a header themselves (the Inspector 0.15 CLI, the conformance suite). Everything else
 * passes as sent; with `keepHost` the client's Host header too, so Host checks still
 * see what the client chose (the conformance suite's DNS-rebinding scenario forges one).
 */
export function startBearerHop(target: URL, token: string, options: { keepHost?: boolean } = {}): Promise<RunningServer> {
  return startServer(createServer((req, res) => {
    const upstream = request(target, {
      method: req.method,
      path: req.url,
      headers: { ...req.headers, ...(options.keepHost ? {} : { host: target.host }), authorization: `Bearer ${token}` },
    }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  }));
}
