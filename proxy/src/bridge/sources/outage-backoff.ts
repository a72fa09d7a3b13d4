/** The first pause after a failure; each further failure doubles it, up to the cap. */
const FIRST_PAUSE_MS = 250;
const MAX_PAUSE_MS = 30_000;

export interface OutageBackoff {
  /** Whether a call may go out now: not while a pause runs, and only one probe once it ends. */
  mayCall(nowMs: number): boolean;
  /** The call answered: the pause resets. True when this ends an outage. */
  succeeded(): boolean;
  /** The call failed: the next pause is longer. True when this starts an outage (log it once). */
  failed(nowMs: number): boolean;
  /** Failures in a row so far. */
  readonly failures: number;
}

/**
 * Backoff for a peer that is down, slow or misconfigured: after a failure no call goes out
 * for a pause that doubles with each failure in a row (250 ms, 500 ms, … 30 s). When a pause
 * ends, one call probes; the others keep failing fast until it answers. So a dead peer costs
 * a request nothing, and the proxy never loops on it.
 */
export function createOutageBackoff(options: { firstPauseMs?: number; maxPauseMs?: number } = {}): OutageBackoff {
  const first = options.firstPauseMs ?? FIRST_PAUSE_MS;
  const max = options.maxPauseMs ?? MAX_PAUSE_MS;
  let failures = 0;
  let retryAt = 0;
  let probing = false;
  return {
    mayCall(nowMs) {
      if (failures === 0) return true;
      if (probing || nowMs < retryAt) return false;
      probing = true;
      return true;
    },
    succeeded() {
      const ended = failures > 0;
      failures = 0;
      probing = false;
      return ended;
    },
    failed(nowMs) {
      probing = false;
      // Calls that were in flight when the peer went away fail together: one failure, not many.
      if (failures > 0 && nowMs < retryAt) return false;
      failures++;
      retryAt = nowMs + Math.min(first * 2 ** Math.min(failures - 1, 20), max);
      return failures === 1;
    },
    get failures() {
      return failures;
    },
  };
}
