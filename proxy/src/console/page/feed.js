// The live stream (server-sent events): one event per part whenever it changes.

const PARTS = ['routes', 'stats', 'rollouts', 'diffs', 'history'];

/**
 * Opens `/__proxy/ui/events`. `onPart(name, part)` gets each part ({ ok, body } or
 * { ok: false, status, error }); `onState('live' | 'reconnecting')` the connection;
 * `onEnded(reason)` a stream the server ended for good (signed out or expired), or one
 * refused outright (the browser does not retry a 401).
 */
export function openFeed({ onPart, onState, onEnded }) {
  const source = new EventSource('/__proxy/ui/events');
  for (const name of PARTS) {
    source.addEventListener(name, (event) => {
      try {
        onPart(name, JSON.parse(event.data));
      } catch (err) {
        console.error(`console: a ${name} event could not be read`, err);
      }
    });
  }
  source.addEventListener('signed-out', (event) => {
    source.close();
    let reason = 'signed out';
    try {
      reason = JSON.parse(event.data).reason ?? reason;
    } catch { /* the default reason */ }
    onEnded(reason);
  });
  source.addEventListener('open', () => onState('live'));
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) onEnded(undefined);
    else onState('reconnecting');
  });
  return { close: () => source.close() };
}
