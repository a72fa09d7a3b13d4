// The notes app as it exists: Express, express-session with its default MemoryStore, the
// logged-in user kept whole in req.session.user. The store lives inside this process, so
// the proxy cannot read it; the app mounts Strangler's adapter, which answers the proxy's
// questions about its sessions with the app's own session machinery.
//
//   STRANGLER_ADAPTER_KEY=… SESSION_SECRET=… PORT=4000 node legacy-app.js
import express from 'express';
import session from 'express-session';
import { stranglerAdapter } from './strangler-adapter.js';
import { checkPassword, findUser, notesOf, sessionUser } from './notes-data.js';

const port = Number(process.env.PORT ?? 4000);
const secret = process.env.SESSION_SECRET;
if (!secret) {
  console.error('SESSION_SECRET is not set: give the session secret (e.g. `openssl rand -base64 48`)');
  process.exit(1);
}

const app = express();
app.use(express.json());
app.use(session({
  name: 'notes.sid',
  secret,
  resave: false,
  saveUninitialized: false,
  cookie: { httpOnly: true, sameSite: 'lax', maxAge: 8 * 60 * 60 * 1000 },
  // No store option: express-session's MemoryStore.
}));

// After the session middleware (and Passport's, in an app that has it), before the routes.
app.use(stranglerAdapter({
  key: process.env.STRANGLER_ADAPTER_KEY,
  identify: (req) => req.session.user
    ? { sub: String(req.session.user.id), claims: { role: req.session.user.role, name: req.session.user.name } }
    : undefined,
  // A login answered by the new API: the adapter has already given the request a fresh
  // session; put the user in it exactly as POST /login below does.
  login: (req, sub) => {
    const user = findUser(Number(sub));
    if (!user) throw new Error(`no user ${sub}`);
    req.session.user = sessionUser(user);
  },
  // No logout option: the adapter destroys the session, as POST /logout below does.
}));

const requireUser = (req, res, next) => (req.session.user ? next() : res.status(401).json({ error: 'Unauthorized' }));

app.post('/login', (req, res, next) => {
  const user = checkPassword(req.body?.username, req.body?.password);
  if (!user) return res.status(401).json({ error: 'invalid username or password' });
  req.session.regenerate((err) => {
    if (err) return next(err);
    req.session.user = sessionUser(user);
    res.json(req.session.user);
  });
});

app.get('/me', requireUser, (req, res) => res.json(req.session.user));

app.get('/notes', requireUser, (req, res) => res.json({ notes: notesOf(req.session.user.id) }));

app.post('/logout', (req, res, next) => {
  req.session.destroy((err) => {
    if (err) return next(err);
    res.clearCookie('notes.sid', { path: '/', httpOnly: true, sameSite: 'lax' });
    res.json({ ok: true });
  });
});

app.use((err, req, res, next) => {
  if (res.headersSent) return next(err);
  console.error(`${req.method} ${req.path}: ${err.message}`);
  res.status(500).json({ error: 'Internal Server Error' });
});

const server = app.listen(port, '127.0.0.1', (err) => {
  if (err) {
    console.error(`cannot listen on port ${port}: ${err.message}`);
    process.exit(1);
  }
  console.log(`notes legacy app listening on http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
