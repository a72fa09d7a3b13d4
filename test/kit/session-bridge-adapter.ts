import { request, type IncomingHttpHeaders } from 'node:http';
import type { SqliteDatabase } from '../../lib/sqlite.js';
import { createRevocationCheck } from '../../lib/token-revocation.js';
import { AUDIENCE, type TokenService } from '../../lib/tokens.js';
import { clearSessionCookie, newSessionData, readSessionId, serializeSessionCookie, sessionExpiry } from '../../lib/legacy-session/session-cookie.js';
import { SqliteSessionStore } from '../../lib/legacy-session/session-store.js';
import { startServer, type RunningServer } from './server.js';

/**
 * The backend's side of DESIGN §6, played by the smallest possible bridge so the frontend
 * contract suite (written for a browser with cookies) can run against the new backend
 * directly: cookie → bearer on the way in; X-Auth-Token → session cookie and
 * X-Auth-Logout → destroyed session on the way out. The proxy's real bridge does the same
 * and more (caching, touch, canary); this one exists to prove the backend's half.
 */
export async function startSessionBridgeAdapter(options: {
  backendUrl: string;
  db: SqliteDatabase;
  tokens: TokenService;
  sessionSecrets: readonly string[];
}): Promise<RunningServer & { closeAll(): Promise<void> }> {
  const store = new SqliteSessionStore(options.db, { pruneIntervalMs: 0 });
  const revocation = createRevocationCheck(options.db);
  const roleOf = options.db.prepare<[number], { role: 'admin' | 'user' }>('SELECT role FROM users WHERE id = ?');
  const backend = new URL(options.backendUrl);

  async function bearerFor(cookieHeader: string | undefined): Promise<{ sid?: string; token?: string }> {
    const cookie = readSessionId(cookieHeader, options.sessionSecrets);
    if (!cookie.ok) return {};
    const session = store.lookup(cookie.sid);
    const user = typeof session?.userId === 'number' ? roleOf.get(session.userId) : undefined;
    if (!session || !user) return { sid: cookie.sid };
    const { token } = await options.tokens.mint({
      sub: session.userId as number,
      role: user.role,
      audience: AUDIENCE.newBackend,
      sid: options.tokens.sessionTag(cookie.sid),
      notAfter: Math.floor(sessionExpiry(session) / 1000),
      issuedAtLeast: revocation.validAfter(session.userId as number),
    });
    return { sid: cookie.sid, token };
  }

  async function answerHeaders(headers: IncomingHttpHeaders, sid: string | undefined): Promise<IncomingHttpHeaders> {
    const out: IncomingHttpHeaders = { ...headers };
    const issued = out['x-auth-token'];
    delete out['x-auth-token'];
    if (typeof issued === 'string') {
      const verified = await options.tokens.verify(issued, AUDIENCE.newBackend);
      if (verified.ok) {
        // express-session's regenerate(): the session the browser came with ends here.
        if (sid) store.remove(sid);
        const data = newSessionData(Number(verified.claims.sub));
        out['set-cookie'] = [...(out['set-cookie'] ?? []), serializeSessionCookie(store.create(data), data, options.sessionSecrets)];
      }
    }
    if (out['x-auth-logout'] === '1') {
      if (sid) store.remove(sid);
      out['set-cookie'] = [...(out['set-cookie'] ?? []), clearSessionCookie()];
    }
    delete out['x-auth-logout'];
    return out;
  }

  const running = await startServer((req, res) => {
    void (async () => {
      const { sid, token } = await bearerFor(req.headers.cookie);
      const headers = { ...req.headers, host: backend.host, 'x-forwarded-host': req.headers.host };
      delete headers.authorization;
      if (token) headers.authorization = `Bearer ${token}`;
      const upstream = request({ host: backend.hostname, port: backend.port, method: req.method, path: req.url, headers }, (answer) => {
        void answerHeaders(answer.headers, sid).then((h) => {
          res.writeHead(answer.statusCode ?? 502, h);
          answer.pipe(res);
        });
      });
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end('{"error":"Bad Gateway"}');
      });
      req.pipe(upstream);
    })();
  });
  return {
    ...running,
    async closeAll() {
      await running.close();
      store.close();
    },
  };
}
