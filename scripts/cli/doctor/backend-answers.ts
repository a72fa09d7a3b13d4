import type { BackendConfig } from '../../../proxy/src/config/index.js';
import { describeFetchError, fail, pass, type Check } from './check.js';

/**
 * Whether a backend answers HTTP at all: a GET of its origin with a short deadline. Any
 * status counts (a 404 or a 401 is an app that is up); a refused connection or silence is
 * what makes the proxy answer 502 or 504.
 */
export async function checkBackendAnswers(backend: BackendConfig, timeoutMs: number): Promise<Check> {
  const started = Date.now();
  try {
    const res = await fetch(new URL('/', backend.url), { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return pass('answers', `HTTP ${res.status} in ${Date.now() - started} ms`);
  } catch (err) {
    return fail('answers', `does not answer: ${describeFetchError(err, timeoutMs)}`,
      `start the ${backend.name} backend, or correct backends.${backend.name}.url in routes.yaml (now ${backend.url.origin}); the proxy answers 502/504 for it until then`);
  }
}
