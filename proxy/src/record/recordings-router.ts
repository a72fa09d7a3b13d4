import { createReadStream } from 'node:fs';
import express, { Router } from 'express';
import { parseDuration } from './parse-duration.js';
import type { RecordingControl } from './recording-control.js';

/**
 * `/__proxy/recordings` (behind the admin token), what `strangler record` calls:
 *
 *   POST   /recordings {"route":"users","duration":"10m"} or {"route":"users","count":200}
 *   GET    /recordings               every recording since the proxy started
 *   GET    /recordings/:id           one recording's state and counts
 *   GET    /recordings/:id/file      its JSON Lines (complete once state is "done")
 *   DELETE /recordings/:id           stops it now
 */
export function createRecordingsRouter(record: RecordingControl): Router {
  const router = Router();
  router.post('/', express.json({ limit: '4kb' }), (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(body).filter((k) => !['route', 'duration', 'count'].includes(k));
    if (unknown.length) return void res.status(400).json({ error: `unknown field ${unknown.join(', ')}: send {"route":"users","duration":"10m"} or {"route":"users","count":200}` });
    if (typeof body.route !== 'string' || !body.route) return void res.status(400).json({ error: 'route is required: {"route":"users","duration":"10m"}' });
    let durationMs: number | null | undefined;
    if (body.duration !== undefined) {
      const d = typeof body.duration === 'string' || typeof body.duration === 'number' ? parseDuration(String(body.duration)) : { ok: false as const, reason: 'duration: write "10m"' };
      if (!d.ok) return void res.status(400).json({ error: `duration: ${d.reason}` });
      durationMs = d.ms;
    } else if (body.count !== undefined) durationMs = null;
    if (body.count !== undefined && typeof body.count !== 'number') return void res.status(400).json({ error: 'count: give a whole number of exchanges, e.g. {"route":"users","count":200}' });
    const started = record.start({ route: body.route, durationMs, count: (body.count as number | undefined) ?? null });
    if (!started.ok) return void res.status(started.status).json({ error: started.error });
    res.status(201).json(started.recording);
  });
  router.get('/', (_req, res) => void res.json({ recordings: record.list() }));
  router.get('/:id', (req, res) => {
    const status = record.get(req.params.id);
    if (!status) return void res.status(404).json({ error: `no recording "${req.params.id}" (GET /__proxy/recordings lists them)` });
    res.json(status);
  });
  router.get('/:id/file', (req, res) => {
    const status = record.get(req.params.id);
    if (!status) return void res.status(404).json({ error: `no recording "${req.params.id}" (GET /__proxy/recordings lists them)` });
    res.setHeader('content-type', 'application/x-ndjson');
    const file = createReadStream(status.file);
    file.on('error', () => (res.headersSent ? res.destroy() : void res.status(500).json({ error: `cannot read ${status.file}` })));
    file.pipe(res);
  });
  router.delete('/:id', async (req, res) => {
    const status = await record.stop(req.params.id);
    if (!status) return void res.status(404).json({ error: `no recording "${req.params.id}" (GET /__proxy/recordings lists them)` });
    res.json(status);
  });
  return router;
}
