// The shop's existing app, as many teams have one: Express, sessions in Redis through
// connect-redis, Passport's local strategy. Nothing in it knows about Strangler.
//
//   REDIS_URL=redis://127.0.0.1:6379 SESSION_SECRETS=new-secret,old-secret PORT=3000 node legacy-app.js
import { RedisStore } from 'connect-redis';
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { createClient } from 'redis';
import { checkPassword, findUser, ordersOf, profile } from './shop-data.js';

const port = Number(process.env.PORT ?? 3000);
// Two secrets while one is being retired: the first signs new cookies, both verify.
const secrets = (process.env.SESSION_SECRETS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
if (secrets.length === 0) {
  console.error('SESSION_SECRETS is not set: give the session secret(s), comma-separated, the first one signing');
  process.exit(1);
}

const redis = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
redis.on('error', (err) => console.error(`redis: ${err.message || err.code || err}`));
await redis.connect();

passport.use(new LocalStrategy((username, password, done) => done(null, checkPassword(username, password) ?? false)));
// The session keeps the user's id only (`passport.user`); the user is looked up per request.
passport.serializeUser((user, done) => done(null, user.id));
passport.deserializeUser((id, done) => done(null, findUser(id) ?? false));

const app = express();
app.use(express.json());
app.use(express.urlencoded({ extended: false }));
app.use(session({
  name: 'app.sid',
  store: new RedisStore({ client: redis, prefix: 'shop:sess:' }),
  secret: secrets,
  resave: false,
  saveUninitialized: false,
  cookie: { httpOnly: true, sameSite: 'lax', maxAge: 24 * 60 * 60 * 1000 },
}));
app.use(passport.session());

const requireUser = (req, res, next) => (req.user ? next() : res.status(401).json({ error: 'Unauthorized' }));

app.post('/login', (req, res, next) => {
  passport.authenticate('local', (err, user) => {
    if (err) return next(err);
    if (!user) return res.status(401).json({ error: 'invalid username or password' });
    req.login(user, (loginErr) => {
      if (loginErr) return next(loginErr);
      // What the app shows on every page without a lookup: kept in the session at login.
      req.session.account = { role: user.role, team: user.team };
      res.json(profile(user, req.session.account));
    });
  })(req, res, next);
});

app.get('/me', requireUser, (req, res) => res.json(profile(req.user, req.session.account ?? {})));

app.get('/orders', requireUser, (req, res) => res.json({ orders: ordersOf(req.user.id) }));

app.post('/logout', (req, res, next) => {
  req.logout((err) => {
    if (err) return next(err);
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
  console.log(`shop legacy app listening on http://127.0.0.1:${port}`);
});
process.on('SIGTERM', () => server.close(() => redis.close().finally(() => process.exit(0))));
