import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * A browser always sends Origin on a WebSocket; it must name this server as the client
 * reached it (Host, or X-Forwarded-Host set by the proxy) or be listed. No Origin (a
 * program, not a page) passes: it carries no ambient cookie risk.
 */
export function originAllowed(req: IncomingMessage, allowed: ReadonlySet<string>): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (allowed.has(origin)) return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  const forwarded = req.headers['x-forwarded-host'];
  const candidates = [req.headers.host, ...(typeof forwarded === 'string' ? forwarded.split(',').map((h) => h.trim()) : [])];
  return candidates.some((h) => h !== undefined && h.toLowerCase() === host.toLowerCase());
}

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * A backend's upgrade listener: `/mcp` and `/mcp/*` go to the MCP feature's handler when it
 * has one; any other upgrade gets the contract's 404 JSON (a socket error while refusing
 * only destroys it).
 */
export function mcpUpgrades(mcp: { readonly upgrade?: UpgradeHandler } | undefined): UpgradeHandler {
  return (req, socket, head) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (mcp?.upgrade && (path === '/mcp' || path.startsWith('/mcp/'))) {
      mcp.upgrade(req, socket, head);
      return;
    }
    socket.on('error', () => socket.destroy());
    refuseUpgrade(socket, 404, 'Not found');
  };
}

/** Answers an upgrade with a plain HTTP error (the contract's JSON shape) and closes the socket. */
export function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ error: message });
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}
