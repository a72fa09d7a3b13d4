import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeServer, listen } from '../../../lib/listen.js';
import type { Logger } from '../../../lib/logger.js';
import { openSessionBridge, type SessionBridge } from '../bridge/index.js';
import type { SessionBinding } from '../bridge/session-sources.js';
import { parseRouteTable } from '../config/index.js';
import { createProxy, type Proxy } from '../create-proxy.js';
import type { RecordedExchange } from '../record/index.js';
import { sideRoutes, type SideRouting } from './side-routes.js';

export interface SideAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** The request never got an answer (the backend died, refused or timed out). */
  readonly error?: string;
}

export interface ReplaySideOptions {
  /** `legacy`, `new`, `rollback`: used in messages and file names. */
  readonly name: string;
  readonly routesText: string;
  readonly routing: SideRouting;
  /** Backend name → origin of its process on this side. */
  readonly urls: Readonly<Record<string, string>>;
  readonly database: string;
  readonly port: number;
  readonly dir: string;
  readonly sessionSecrets: readonly string[];
  readonly jwtSecrets: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  /** Each request's answer deadline (ms). */
  readonly timeoutMs: number;
}

export interface ReplaySide {
  readonly name: string;
  readonly url: string;
  /** Where the side's bridge publishes its public keys: the new backend's {jwks}. */
  readonly jwksUrl: string;
  send(exchange: RecordedExchange, body: Buffer | undefined): Promise<SideAnswer>;
  close(): Promise<void>;
}

export type OpenSideResult = { ok: true; side: ReplaySide } | { ok: false; errors: string[] };

/**
 * One side of a replay: a proxy of its own in front of that side's processes, with routes.yaml
 * rewritten for the side (side-routes.ts) and the session bridge on the side's database copy.
 * A recorded user is logged in by the bridge's own mechanism (its session source creates the
 * legacy session; the bridge turns it into a token for a jwt backend), so each side sees the
 * same user as a browser would make it. A `Set-Cookie` of the session cookie answered to that
 * user (a logout, a new login) replaces the user's session for the exchanges after it.
 */
export async function openReplaySide(options: ReplaySideOptions): Promise<OpenSideResult> {
  const routesFile = join(options.dir, `routes-${options.name}.yaml`);
  const text = sideRoutes({ text: options.routesText, routing: options.routing, urls: options.urls, database: options.database });
  writeFileSync(routesFile, text, { mode: 0o600 });
  const parsed = parseRouteTable(text, { source: routesFile, env: options.env });
  if (!parsed.ok) return { ok: false, errors: parsed.errors.map((e) => `routes.yaml rewritten for the ${options.name} side: ${e}`) };
  const logger = options.logger.child({ side: options.name });
  let bridge: SessionBridge;
  try {
    bridge = await openSessionBridge({
      databasePath: options.database, sessionSecrets: options.sessionSecrets, jwtSecrets: options.jwtSecrets,
      tokens: parsed.table.tokens,
      signingKeysFile: join(options.dir, `signing-keys-${options.name}.json`), production: false, logger,
    });
  } catch (err) {
    return { ok: false, errors: [`the ${options.name} side's session bridge: ${(err as Error).message}`] };
  }
  const created = createProxy({ routesFile, adminToken: randomBytes(24).toString('base64url'), env: options.env, publicHosts: [] }, { logger, extensions: [bridge], identify: bridge.identify });
  if (!created.ok) {
    await bridge.close?.();
    return { ok: false, errors: created.errors.map((e) => `routes.yaml rewritten for the ${options.name} side: ${e}`) };
  }
  const proxy: Proxy = created.proxy;
  // Users are logged in through the bridge's own session source, the one it reads them back from.
  let binding: SessionBinding | undefined;
  try {
    binding = bridge.open(proxy.table());
  } catch (err) {
    await proxy.close();
    return { ok: false, errors: [`the ${options.name} side's session source: ${(err as Error).message}`] };
  }
  if (binding?.config.source === 'redis') {
    await proxy.close();
    return { ok: false, errors: [`backends.${binding.backend.name}.session.source: redis: a replay cannot copy a Redis session store, so it would log users in on the live one. Use the sqlite or adapter source for replays`] };
  }
  const server: Server = createServer(proxy.handler);
  server.on('upgrade', proxy.upgrade);
  server.on('clientError', (_err, socket) => socket.destroy());
  await listen(server, options.port, '127.0.0.1', 'replay side');
  const url = `http://127.0.0.1:${options.port}`;
  const cookieName = binding?.config.cookie ?? 'connect.sid';
  const sessions = new Map<string, string>();

  async function cookieFor(user: string): Promise<string | undefined> {
    const known = sessions.get(user);
    if (known !== undefined) return known;
    if (!binding) return undefined;
    const made = await binding.source.login(user, {}, { sid: undefined, cookieHeader: undefined, nowMs: Date.now() });
    if (!made.ok) {
      logger.warn({ user, reason: made.reason }, 'a recorded user could not be logged in: their exchanges go anonymous');
      return undefined;
    }
    const value = sessionCookie(made.setCookie, cookieName);
    if (value) sessions.set(user, value);
    return value;
  }

  return {
    ok: true,
    side: {
      name: options.name,
      url,
      jwksUrl: `${url}/__proxy/jwks.json`,
      async send(exchange, body) {
        const headers: Record<string, string> = { ...exchange.request.headers };
        if (exchange.user !== null) {
          const cookie = await cookieFor(exchange.user);
          if (cookie) headers.cookie = `${cookieName}=${cookie}`;
        }
        try {
          const res = await fetch(`${url}${exchange.path}${exchange.query}`, {
            method: exchange.method, headers, body: body && !['GET', 'HEAD'].includes(exchange.method) ? new Uint8Array(body) : undefined,
            redirect: 'manual', signal: AbortSignal.timeout(options.timeoutMs),
          });
          const answer = Buffer.from(await res.arrayBuffer());
          const replaced = sessionCookie(res.headers.getSetCookie(), cookieName);
          if (exchange.user !== null && replaced !== undefined) {
            if (replaced === '') sessions.delete(exchange.user);
            else sessions.set(exchange.user, replaced);
          }
          const kept: Record<string, string> = {};
          res.headers.forEach((value, key) => {
            kept[key] = value;
          });
          return { status: res.status, headers: kept, body: answer };
        } catch (err) {
          const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
          return { status: 0, headers: {}, body: Buffer.alloc(0), error: `no answer from the ${options.name} side (${cause})` };
        }
      },
      async close() {
        server.closeAllConnections();
        await closeServer(server).catch(() => undefined);
        await proxy.close();
      },
    },
  };
}

/** The session cookie's value among Set-Cookie headers: '' when it is cleared, undefined when not set. */
function sessionCookie(setCookie: readonly string[], name: string): string | undefined {
  for (const line of setCookie) {
    const [pair = '', ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    const value = pair.slice(eq + 1).trim();
    const expired = attrs.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a) || (/^\s*expires\s*=/i.test(a) && Date.parse(a.split('=').slice(1).join('=')) < Date.now()));
    return expired ? '' : value;
  }
  return undefined;
}
