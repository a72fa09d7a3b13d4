// The /mcp/ws WebSocket, kept open for as long as someone is logged in. A socket drops when
// the backend behind the proxy restarts or hands the route over; it comes back by itself,
// with a growing, jittered delay so a crowd of pages does not reconnect in lockstep.

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;

/** The delay before reconnect attempt `attempt` (1, 2, …): doubling, capped, ±20 %. */
export function backoffDelay(attempt, random = Math.random) {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + random() * 0.4));
}

/**
 * Opens `path` on this page's host and reopens it whenever it closes, until `close()`.
 * `onState({ state, attempt?, retryAt? })` reports `connecting`, `live`, `waiting` (a retry
 * is scheduled) and `off`; `onMessage(object)` gets each JSON message; `onRefused()` is
 * called when the server closes with 1008 (no valid login), so the page can check its session.
 */
export function openLiveSocket({ path, onMessage, onState, onRefused }) {
  let ws = null;
  let attempt = 0;
  let timer = null;
  let stopped = false;
  const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${path}`;

  function connect() {
    clearTimeout(timer);
    timer = null;
    if (stopped || ws) return;
    onState({ state: 'connecting', attempt });
    let socket;
    try {
      socket = new WebSocket(url);
    } catch {
      retry();
      return;
    }
    ws = socket;
    socket.onopen = () => {
      if (ws !== socket) return;
      attempt = 0;
      onState({ state: 'live' });
    };
    socket.onmessage = (event) => {
      if (ws !== socket || typeof event.data !== 'string') return;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message && typeof message === 'object') onMessage(message);
    };
    socket.onclose = (event) => {
      if (ws !== socket) return;
      ws = null;
      if (stopped) return;
      if (event.code === 1008 && onRefused) onRefused();
      retry();
    };
  }

  function retry() {
    if (stopped) return;
    attempt += 1;
    const delay = backoffDelay(attempt);
    onState({ state: 'waiting', attempt, retryAt: Date.now() + delay });
    timer = setTimeout(connect, delay);
  }

  connect();

  return {
    /** Skips the wait (a click on "Retry now", the tab coming back into view). */
    retryNow() {
      if (!stopped && !ws) connect();
    },
    /** True while the socket is open. */
    live: () => Boolean(ws && ws.readyState === WebSocket.OPEN),
    close() {
      stopped = true;
      clearTimeout(timer);
      const socket = ws;
      ws = null;
      if (socket) socket.close(1000, 'Logged out');
      onState({ state: 'off' });
    },
  };
}
