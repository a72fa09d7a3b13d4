import type { RequestHandler } from 'express';
import { hostHeaderValidation } from '@modelcontextprotocol/sdk/server/middleware/hostHeaderValidation.js';
import { isLoopback } from '../config.js';
import { sendJsonRpcError } from './json-rpc-error.js';

/** Host check (M2): a foreign Host gets 403, so DNS rebinding cannot reach us. Port-agnostic, via the SDK. */
export function hostGuard(allowedHostnames: readonly string[]): RequestHandler {
  return hostHeaderValidation([...allowedHostnames]);
}

/**
 * Origin check (M3): a present Origin must be one of `allowed` exactly, or, when
 * `loopback` is set (the server is bound to a loopback address), any http(s) page served
 * from a loopback host. Such a page runs on the user's own machine, where the server
 * already is; a rebinding page's Origin names the attacker's host, never a loopback one,
 * and a bearer token is still required. The official MCP conformance suite expects a
 * localhost Origin to be accepted by a localhost server. An absent Origin passes
 * (server-to-server clients send none). The SDK v1 checks Host only.
 */
export function originGuard(allowed: readonly string[], options: { loopback?: boolean } = {}): RequestHandler {
  const set = new Set(allowed);
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin === undefined || set.has(origin) || (options.loopback === true && isLoopbackOrigin(origin))) return next();
    sendJsonRpcError(res, 403, `Origin ${origin} is not allowed: add it to MCP_ALLOWED_ORIGINS if this page should reach the MCP server`);
  };
}

/** `http://localhost:6274`, `https://127.0.0.1`, `http://[::1]:3000`; never `null` or another scheme. */
export function isLoopbackOrigin(origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopback(url.hostname) && url.origin === origin;
}

const TOKEN_PARAMS = new Set(['access_token', 'token', 'bearer', 'auth', 'authorization', 'jwt', 'api_key', 'apikey', 'key', 'mcp_token']);

/** Tokens in URLs end up in logs and histories (M5): refused, even next to a valid header. */
export function queryTokenGuard(): RequestHandler {
  return (req, res, next) => {
    const query = req.originalUrl.indexOf('?');
    if (query === -1) return next();
    const params = new URLSearchParams(req.originalUrl.slice(query + 1));
    for (const name of params.keys()) {
      if (TOKEN_PARAMS.has(name.toLowerCase())) {
        return sendJsonRpcError(res, 401, 'Tokens in the URL are refused: send Authorization: Bearer <token> instead', { 'WWW-Authenticate': 'Bearer error="invalid_request"' });
      }
    }
    next();
  };
}
