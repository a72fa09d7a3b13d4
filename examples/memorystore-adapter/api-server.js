// The notes app's new API, where routes move one by one. It has no sessions and no cookies:
// requests carry a bearer token the proxy minted, verified here with the proxy's public keys
// (its JWKS) and this API's audience, both from the proxy's routes.yaml. It can log a user in
// too: it answers with X-Auth-Token, and the proxy turns that into a session of the legacy app
// (through the adapter), so the user is logged in on both sides.
//
//   STRANGLER_URL=http://127.0.0.1:5634 TOKEN_AUDIENCE=notes-api JWT_SECRET=… PORT=4001 node api-server.js
import { Buffer } from 'node:buffer';
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { createRemoteJWKSet, jwtVerify, SignJWT } from 'jose';
import { checkPassword, findUser, notesOf, sessionUser } from './notes-data.js';

const port = Number(process.env.PORT ?? 4001);
const proxyUrl = process.env.STRANGLER_URL ?? 'http://127.0.0.1:5634';
const audience = process.env.TOKEN_AUDIENCE ?? 'notes-api';
// Login tokens are signed with the secret this API shares with the proxy (the proxy's
// JWT_SECRET): the proxy checks them before it makes a legacy session out of one.
const loginSecret = process.env.JWT_SECRET ?? '';
if (Buffer.byteLength(loginSecret) < 32) {
  console.error('JWT_SECRET is not set or shorter than 32 bytes: give the proxy\'s JWT_SECRET (the first one, if it lists several)');
  process.exit(1);
}
// Fetched on first use and again when a token names a key it has not seen (a rotation).
const jwks = createRemoteJWKSet(new URL('/__proxy/jwks.json', proxyUrl));

/** The token's user id and claims, or undefined when there is no valid token. */
async function authenticate(req) {
  const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  if (!match) return undefined;
  try {
    const { payload } = await jwtVerify(match[1], jwks, { audience, algorithms: ['EdDSA', 'ES256'] });
    const id = Number(payload.sub);
    return Number.isInteger(id) ? { id, role: payload.role, name: payload.name } : undefined;
  } catch (err) {
    console.error(`token refused: ${err.code ?? err.message}`);
    return undefined;
  }
}

/** What the proxy accepts in X-Auth-Token: HS256 over the shared secret, its key id, issuer, type and this API's audience. */
function loginToken(user) {
  const key = Buffer.from(loginSecret, 'utf8');
  return new SignJWT({ role: user.role, name: user.name })
    .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: createHash('sha256').update(loginSecret).digest('base64url').slice(0, 12) })
    .setIssuer('urn:strangler:auth')
    .setAudience(audience)
    .setSubject(String(user.id))
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(key);
}

async function readJson(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16 * 1024) throw Object.assign(new Error('body too large'), { status: 413 });
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw Object.assign(new Error('the body is not JSON'), { status: 400 });
  }
}

function send(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

const server = createServer(async (req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  try {
    if (req.method === 'POST' && path === '/login') {
      const body = await readJson(req);
      const user = checkPassword(body.username, body.password);
      if (!user) return send(res, 401, { error: 'invalid username or password' });
      return send(res, 200, sessionUser(user), { 'x-auth-token': await loginToken(user) });
    }
    if (req.method === 'POST' && path === '/logout') {
      // The proxy ends the legacy session when an answer says so.
      return send(res, 200, { ok: true }, { 'x-auth-logout': '1' });
    }
    if (req.method !== 'GET' || (path !== '/me' && path !== '/notes')) return send(res, 404, { error: 'Not Found' });
    const auth = await authenticate(req);
    if (!auth || !findUser(auth.id)) return send(res, 401, { error: 'Unauthorized' });
    if (path === '/me') return send(res, 200, { id: auth.id, role: auth.role, name: auth.name });
    return send(res, 200, { notes: notesOf(auth.id) });
  } catch (err) {
    if (err.status) return send(res, err.status, { error: err.message });
    console.error(`${req.method} ${path}: ${err.message}`);
    if (!res.headersSent) send(res, 500, { error: 'Internal Server Error' });
  }
});

server.listen(port, '127.0.0.1', () => console.log(`notes api listening on http://127.0.0.1:${port}`));
server.on('error', (err) => {
  console.error(`cannot listen on port ${port}: ${err.message}`);
  process.exit(1);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
