import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Logger } from '../logger.js';
import { toCommand } from './command.js';
import { checkExecuteRequest } from './command-input.js';
import { MCP_MESSAGES, tooManySockets, unknownMessageType } from './command-messages.js';
import type { CommandFeed } from './command-feed.js';
import type { Actor, CommandWorkflow } from './command-workflow.js';
import { originAllowed, refuseUpgrade } from './upgrade-guards.js';

/** Who opened a socket, and how to ask later whether that still holds. */
export interface SocketIdentity {
  readonly actor: Actor;
  /**
   * Re-checks the credential the socket was opened with (session alive, token not
   * revoked, user not deleted): the user as they are now, or undefined once it no
   * longer holds.
   */
  recheck(): Promise<Actor | undefined>;
}

export interface CommandSocketOptions {
  /** The one path served, e.g. `/mcp/ws`. */
  readonly path: string;
  /** Reads the upgrade request's credential (cookie or bearer); undefined when there is none that holds. */
  readonly authenticate: (req: IncomingMessage) => Promise<SocketIdentity | undefined>;
  readonly workflow: Pick<CommandWorkflow, 'execute'>;
  readonly feed: Pick<CommandFeed, 'subscribe'>;
  readonly logger: Logger;
  /** Origins allowed besides the request's own host (X-Forwarded-Host behind the proxy). */
  readonly allowedOrigins?: readonly string[];
  /** Largest message accepted; a bigger one closes the socket with 1009. Default 64 KiB. */
  readonly maxPayloadBytes?: number;
  /** Ping every this often; a socket that did not answer the last ping is dropped. Default 30 s. */
  readonly pingIntervalMs?: number;
  /** Commands one socket may have running at once. Default 4. */
  readonly maxInFlight?: number;
  /** Sockets one user may hold open at once; the next is closed with 1013. Default 8. */
  readonly maxSocketsPerUser?: number;
}

/**
 * 1013 "Try Again Later" (IANA WebSocket close codes), not 1008: the login holds, so the
 * page should retry later rather than send the user back to log in.
 */
export const TOO_MANY_SOCKETS = 1013;

interface Connection {
  readonly ws: WebSocket;
  readonly identity: SocketIdentity;
  alive: boolean;
  inFlight: number;
  unsubscribe: () => void;
}

/** A consumer this far behind is not reading: it is dropped rather than buffered for. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
type ClientId = string | number | null;

/**
 * GET /mcp/ws (DESIGN §2): `execute_command` in, `command_result` out, and
 * `command_update` pushed to every socket of a command's owner from the change feed.
 * The credential is read at the upgrade; a request without one is accepted and closed
 * with 1008, as the contract says. Bad input gets an `error` message and the socket
 * stays open. Origin is checked (a browser page elsewhere cannot use the user's cookie).
 *
 * @example
 * const sockets = createCommandSocketServer({ path: '/mcp/ws', authenticate, workflow, feed, logger });
 * server.on('upgrade', (req, socket, head) => sockets.upgrade(req, socket, head));
 */
export function createCommandSocketServer(options: CommandSocketOptions) {
  const { logger, workflow, feed } = options;
  const maxInFlight = options.maxInFlight ?? 4;
  const maxPerUser = options.maxSocketsPerUser ?? 8;
  const perUser = new Map<number, number>();
  const allowedOrigins = new Set(options.allowedOrigins ?? []);
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayloadBytes ?? 64 * 1024, clientTracking: false });
  const connections = new Set<Connection>();
  let closed = false;

  const keepalive = setInterval(() => {
    for (const conn of connections) {
      if (!conn.alive) {
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
      void conn.identity.recheck().then(
        (actor) => {
          if (!actor) conn.ws.close(1008, MCP_MESSAGES.sessionEnded);
        },
        (err: unknown) => logger.warn({ err }, 'mcp socket: could not re-check a credential'),
      );
    }
  }, options.pingIntervalMs ?? 30_000);
  keepalive.unref();

  function send(conn: Connection, message: object): void {
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    if (conn.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      logger.warn({ user: conn.identity.actor.id }, 'mcp socket: the client is not reading; dropping it');
      conn.ws.terminate();
      return;
    }
    conn.ws.send(JSON.stringify(message));
  }

  const sendError = (conn: Connection, id: ClientId, error: string) => send(conn, { type: 'error', id, error });

  async function onMessage(conn: Connection, data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) return sendError(conn, null, MCP_MESSAGES.binary);
    let message: unknown;
    try {
      message = JSON.parse(rawText(data));
    } catch {
      return sendError(conn, null, MCP_MESSAGES.invalidJson);
    }
    if (message === null || typeof message !== 'object' || Array.isArray(message)) return sendError(conn, null, MCP_MESSAGES.notObject);
    const fields = message as Record<string, unknown>;
    const id = clientId(fields.id);
    if (typeof fields.type !== 'string') return sendError(conn, id, MCP_MESSAGES.notObject);
    if (fields.type !== 'execute_command') return sendError(conn, id, unknownMessageType(fields.type));
    const checked = checkExecuteRequest(fields, 'tool');
    if (!checked.ok) return sendError(conn, id, checked.message);
    if (conn.inFlight >= maxInFlight) return sendError(conn, id, MCP_MESSAGES.busy);
    conn.inFlight++;
    try {
      const actor = await conn.identity.recheck();
      if (!actor) {
        sendError(conn, id, MCP_MESSAGES.notAuthenticated);
        conn.ws.close(1008, MCP_MESSAGES.sessionEnded);
        return;
      }
      const reply = await workflow.execute(actor, checked.value);
      if (reply.ok) send(conn, { type: 'command_result', id, command: reply.body });
      else sendError(conn, id, reply.message);
    } catch (err) {
      logger.error({ err }, 'mcp socket: execute_command failed');
      sendError(conn, id, 'Internal server error');
    } finally {
      conn.inFlight--;
    }
  }

  function accept(ws: WebSocket, identity: SocketIdentity | undefined): void {
    ws.on('error', (err) => logger.debug({ err }, 'mcp socket error'));
    if (!identity || closed) {
      ws.close(closed ? 1001 : 1008, closed ? 'Server shutting down' : MCP_MESSAGES.notAuthenticated);
      return;
    }
    const userId = identity.actor.id;
    const open = perUser.get(userId) ?? 0;
    // Each socket holds a feed subscription, a keepalive and a re-check: one user's tabs or
    // script must not hold an unbounded share of them.
    if (open >= maxPerUser) {
      logger.info({ user: userId, open }, 'mcp socket: refused, the user has too many open');
      ws.close(TOO_MANY_SOCKETS, tooManySockets(maxPerUser));
      return;
    }
    perUser.set(userId, open + 1);
    const conn: Connection = { ws, identity, alive: true, inFlight: 0, unsubscribe: () => undefined };
    connections.add(conn);
    conn.unsubscribe = feed.subscribe(identity.actor.id, (row) => send(conn, { type: 'command_update', command: toCommand(row) }));
    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.on('message', (data, isBinary) => void onMessage(conn, data, isBinary));
    ws.on('close', () => {
      conn.unsubscribe();
      connections.delete(conn);
      const left = (perUser.get(userId) ?? 1) - 1;
      if (left > 0) perUser.set(userId, left);
      else perUser.delete(userId);
    });
  }

  return {
    /** Hand `upgrade` events for this path here. */
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      socket.on('error', (err) => logger.debug({ err }, 'mcp socket error during the handshake'));
      const path = (req.url ?? '/').split('?')[0];
      if (path !== options.path) return refuseUpgrade(socket, 404, 'Not found');
      if (closed) return refuseUpgrade(socket, 503, 'Server shutting down');
      if (!originAllowed(req, allowedOrigins)) return refuseUpgrade(socket, 403, 'Cross-origin WebSocket refused: open the page from this server');
      options.authenticate(req).then(
        (identity) => complete(identity),
        (err: unknown) => {
          logger.error({ err }, 'mcp socket: authentication failed');
          complete(undefined);
        },
      );
      function complete(identity: SocketIdentity | undefined): void {
        if (socket.destroyed) return;
        wss.handleUpgrade(req, socket, head, (ws) => accept(ws, identity));
      }
    },

    connectionCount: () => connections.size,

    /** Closes every socket (1001) and stops the keepalive; sockets that do not finish the close in 1 s are cut. */
    close(): void {
      closed = true;
      clearInterval(keepalive);
      for (const conn of connections) conn.ws.close(1001, 'Server shutting down');
      const cut = setTimeout(() => {
        for (const conn of connections) conn.ws.terminate();
      }, 1000);
      cut.unref();
      wss.close();
    },
  };
}

export type CommandSocketServer = ReturnType<typeof createCommandSocketServer>;

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function clientId(value: unknown): ClientId {
  if (typeof value === 'string' && value.length <= 200) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return null;
}
