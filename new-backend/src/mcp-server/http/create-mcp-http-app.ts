import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../../../lib/logger.js';
import type { CommandService } from '../command-service.js';
import type { Identity } from '../identity/identity.js';
import { createTerminalServer } from '../terminal-server.js';
import { authenticate, type AuthDeps } from './authenticate.js';
import { sendJsonRpcError } from './json-rpc-error.js';
import { hostGuard, originGuard, queryTokenGuard } from './request-guards.js';
import { createSessionRegistry, type SessionLimits } from './session-registry.js';

export const MCP_PATH = '/mcp';
export const BODY_LIMIT = '256kb';
const BODY_LIMIT_BYTES = 256 * 1024;

export interface McpHttpDeps extends AuthDeps {
  readonly commands: CommandService;
  /** Hostnames accepted in the Host header (port-agnostic), e.g. ['localhost', '127.0.0.1', '[::1]']. */
  readonly allowedHosts: readonly string[];
  /** Exact Origin values accepted when a browser sends one. */
  readonly allowedOrigins: readonly string[];
  /** Also accept any loopback Origin: set when the server is bound to a loopback address. */
  readonly allowLoopbackOrigins?: boolean;
  readonly logger: Logger;
  readonly sessions?: Partial<SessionLimits>;
}

export interface McpHttpApp {
  /** The express app: mount it or hand it to http.createServer. It does not listen. */
  readonly app: express.Express;
  /** Live sessions. */
  sessionCount(): number;
  /** Closes every session (aborting its calls, which kills their process groups). */
  close(): Promise<void>;
}

type Authed = Request & { identity?: Identity };

/**
 * The MCP server over Streamable HTTP at /mcp. Order matters: Host, Origin, URL-token and
 * bearer checks run on headers alone, before any body is parsed (M2–M5); then a 256 kB
 * JSON parser; then the session — its own McpServer and transport (M9), owned by the
 * identity that opened it (M8). Responses are plain JSON, so a dying server fails the
 * client's request at once instead of leaving an open stream.
 *
 * @example
 * const { app, close } = createMcpHttpApp({ commands, serviceTokens: [env.MCP_TOKEN], tokens, users,
 *   allowedHosts: ['localhost', '127.0.0.1', '[::1]'], allowedOrigins: [], logger });
 * http.createServer(app).listen(5000, '127.0.0.1');
 */
export function createMcpHttpApp(deps: McpHttpDeps): McpHttpApp {
  const limits: SessionLimits = { idleMs: 30 * 60_000, maxPerIdentity: 8, maxTotal: 512, ...deps.sessions };
  const registry = createSessionRegistry(limits);
  const sweeper = setInterval(() => void registry.sweep(), Math.min(60_000, Math.max(1000, limits.idleMs / 2)));
  sweeper.unref();

  // Answers still owed when the app closes: a closed transport never writes them, and a
  // caller would wait for its own timeout (minutes) for a server that is gone.
  const owed = new Set<Response>();

  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    owed.add(res);
    res.on('close', () => owed.delete(res));
    next();
  });
  app.use(hostGuard(deps.allowedHosts));
  app.use(originGuard(deps.allowedOrigins, { loopback: deps.allowLoopbackOrigins === true }));
  app.use(queryTokenGuard());
  app.use(async (req: Authed, res, next) => {
    const result = await authenticate(req.headers, deps);
    if (!result.ok) {
      const challenge: Record<string, string> = result.status === 401 ? { 'WWW-Authenticate': 'Bearer error="invalid_token"' } : {};
      return sendJsonRpcError(res, result.status, result.message, challenge);
    }
    req.identity = result.identity;
    next();
  });
  app.use(express.json({ limit: BODY_LIMIT }));

  app.post(MCP_PATH, async (req: Authed, res) => {
    const identity = req.identity as Identity;
    const sessionId = req.header('mcp-session-id');
    if (sessionId !== undefined) {
      const entry = registry.lookup(sessionId, identity);
      if (!entry) return sendJsonRpcError(res, 404, 'Session not found: initialize a new session', {}, -32001);
      cancelIfAbandoned(req.body, res, entry.transport);
      return entry.transport.handleRequest(req, res, req.body);
    }
    if (!isInitializeRequest(req.body)) {
      return sendJsonRpcError(res, 400, 'Bad Request: send initialize first, or the Mcp-Session-Id of an open session');
    }
    if (registry.full()) return sendJsonRpcError(res, 503, 'Too many open MCP sessions: try again later');
    const server = createTerminalServer(deps.commands, { identity, transport: 'http' });
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      enableJsonResponse: true,
      maxRequestBodySize: BODY_LIMIT_BYTES,
      onsessioninitialized: (id) => {
        registry.add({ id, owner: identity, transport, server, lastSeen: Date.now() });
        deps.logger.info({ session: id, identity: identity.key }, 'mcp session opened');
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) registry.remove(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
    if (transport.sessionId === undefined) await server.close();
  });

  // This server sends nothing unprompted, so it offers no GET stream: 405 tells clients
  // so (a 404 would read as "session gone"). Another identity's session is still 404 (M8).
  app.get(MCP_PATH, (req: Authed, res) => {
    const sessionId = req.header('mcp-session-id');
    if (sessionId !== undefined && !registry.lookup(sessionId, req.identity as Identity)) {
      return sendJsonRpcError(res, 404, 'Session not found', {}, -32001);
    }
    sendJsonRpcError(res, 405, 'Method not allowed: this server offers no SSE stream; POST JSON-RPC to /mcp', { Allow: 'POST, DELETE' });
  });

  app.delete(MCP_PATH, async (req: Authed, res) => {
    const sessionId = req.header('mcp-session-id');
    if (sessionId === undefined) return sendJsonRpcError(res, 400, 'Bad Request: Mcp-Session-Id header is required');
    const entry = registry.lookup(sessionId, req.identity as Identity);
    if (!entry) return sendJsonRpcError(res, 404, 'Session not found', {}, -32001);
    await entry.transport.handleRequest(req, res);
    await registry.close(entry);
  });

  app.all(MCP_PATH, (_req, res) => sendJsonRpcError(res, 405, 'Method not allowed', { Allow: 'POST, DELETE' }));
  app.use((_req, res) => sendJsonRpcError(res, 404, `Not found: the MCP endpoint is ${MCP_PATH}`));
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (err.type === 'entity.too.large') return sendJsonRpcError(res, 413, `Request body too large: at most ${BODY_LIMIT}`);
    if (err.type === 'entity.parse.failed') return sendJsonRpcError(res, 400, 'Parse error: the body is not valid JSON', {}, -32700);
    if (err.status && err.status >= 400 && err.status < 500) return sendJsonRpcError(res, err.status, err.message);
    deps.logger.error({ err }, 'mcp request failed');
    if (!res.headersSent) sendJsonRpcError(res, 500, 'Internal error', {}, -32603);
  });

  return {
    app,
    sessionCount: () => registry.size(),
    close: async () => {
      clearInterval(sweeper);
      await registry.closeAll();
      for (const res of owed) {
        if (res.headersSent) res.destroy();
        else sendJsonRpcError(res, 503, 'The MCP server is shutting down: the command was stopped; try again once it is back', {}, -32603);
      }
    },
  };
}

/**
 * A caller that hangs up before its answer (a backend that died) cancels its requests,
 * through the SDK's own `notifications/cancelled`: the tool's abort signal fires and the
 * command's process group is killed instead of running on to its timeout.
 */
function cancelIfAbandoned(body: unknown, res: Response, transport: StreamableHTTPServerTransport): void {
  const messages = Array.isArray(body) ? body : [body];
  const ids = messages
    .filter((m): m is { id: string | number; method: string } => typeof m === 'object' && m !== null && 'id' in m && 'method' in m)
    .map((m) => m.id);
  if (ids.length === 0) return;
  res.on('close', () => {
    if (res.writableEnded) return;
    for (const requestId of ids) {
      transport.onmessage?.({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId, reason: 'the client went away' } });
    }
  });
}
