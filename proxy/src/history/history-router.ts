import { Router } from 'express';
import type { HistoryStore } from './history-store.js';

/** `GET /__proxy/history?route=<name>&limit=<n>`: `{ entries: [...] }`, newest first. */
export function createHistoryRouter(store: HistoryStore): Router {
  const router = Router();
  router.get('/', (req, res) => {
    const route = typeof req.query.route === 'string' && req.query.route !== '' ? req.query.route : undefined;
    const limitText = typeof req.query.limit === 'string' ? req.query.limit : undefined;
    const limit = limitText === undefined ? 100 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      res.status(400).json({ error: `limit must be a whole number from 1 to 1000, got "${limitText}"` });
      return;
    }
    res.json({ entries: store.list({ route, limit }) });
  });
  return router;
}
