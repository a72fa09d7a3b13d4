// The shop's new API, where routes move one by one. It has no sessions and no cookies: it
// trusts a bearer token only, verified with the proxy's public keys (its JWKS) and this
// API's audience, both from the proxy's routes.yaml.
//
//   STRANGLER_URL=http://127.0.0.1:5634 TOKEN_AUDIENCE=shop-api PORT=3001 node api-server.js
import { createServer } from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { findUser, ordersOf, profile } from './shop-data.js';

const port = Number(process.env.PORT ?? 3001);
const proxyUrl = process.env.STRANGLER_URL ?? 'http://127.0.0.1:5634';
const audience = process.env.TOKEN_AUDIENCE ?? 'shop-api';
// Fetched on first use and again when a token names a key it has not seen (a rotation).
const jwks = createRemoteJWKSet(new URL('/__proxy/jwks.json', proxyUrl));

/** The token's user and claims, or undefined when there is no valid token. */
async function authenticate(req) {
  const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  if (!match) return undefined;
  try {
    const { payload } = await jwtVerify(match[1], jwks, { audience, algorithms: ['EdDSA', 'ES256'] });
    const user = findUser(Number(payload.sub));
    return user ? { user, claims: payload } : undefined;
  } catch (err) {
    console.error(`token refused: ${err.code ?? err.message}`);
    return undefined;
  }
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  try {
    if (req.method === 'POST' && path === '/logout') {
      // The proxy ends the legacy session when an answer says so.
      return send(res, 200, { ok: true }, { 'x-auth-logout': '1' });
    }
    if (req.method !== 'GET' || (path !== '/me' && path !== '/orders')) return send(res, 404, { error: 'Not Found' });
    const auth = await authenticate(req);
    if (!auth) return send(res, 401, { error: 'Unauthorized' });
    if (path === '/me') return send(res, 200, profile(auth.user, auth.claims));
    return send(res, 200, { orders: ordersOf(auth.user.id) });
  } catch (err) {
    console.error(`${req.method} ${path}: ${err.message}`);
    if (!res.headersSent) send(res, 500, { error: 'Internal Server Error' });
  }
});

server.listen(port, '127.0.0.1', () => console.log(`shop api listening on http://127.0.0.1:${port}`));
server.on('error', (err) => {
  console.error(`cannot listen on port ${port}: ${err.message}`);
  process.exit(1);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
