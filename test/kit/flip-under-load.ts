import type { ApiClient } from './client.js';

export interface LoopingUser {
  readonly client: ApiClient;
  /** Names the user in failure lines. */
  readonly label: string;
}

export interface FlipUnderLoadResult {
  /** One line per request that failed or answered differently from the user's first answer. */
  readonly failures: string[];
  /** Answers per backend (its X-Backend), to show both sides served the loop. */
  readonly served: Record<string, number>;
}

/**
 * Each user GETs `path` in a loop while `flip(i)` moves the route `flips` times, `pauseMs`
 * apart: every answer must be 200 and the same as the user's answer before the loop (so
 * nobody is logged out and both backends agree).
 */
export async function flipUnderLoad(users: readonly LoopingUser[], path: string, flip: (i: number) => Promise<void>, options: { flips?: number; pauseMs?: number } = {}): Promise<FlipUnderLoadResult> {
  const flips = options.flips ?? 6;
  const pauseMs = options.pauseMs ?? 250;
  const expected = new Map<ApiClient, string>();
  for (const u of users) expected.set(u.client, JSON.stringify((await u.client.get(path)).body));
  const failures: string[] = [];
  const served: Record<string, number> = {};
  let running = true;
  const loops = users.map(async ({ client, label }) => {
    while (running) {
      const res = await client.get(path).catch((err: Error) => ({ status: 0, text: err.message, body: undefined, headers: new Headers() }));
      const backend = res.headers.get('x-backend');
      if (backend) served[backend] = (served[backend] ?? 0) + 1;
      if (res.status !== 200) failures.push(`${label} ${res.status} from ${backend}: ${res.text}`);
      else if (JSON.stringify(res.body) !== expected.get(client)) failures.push(`${label} got another answer from ${backend}: ${res.text}`);
    }
  });
  try {
    for (let i = 0; i < flips; i++) {
      await new Promise((r) => setTimeout(r, pauseMs));
      await flip(i);
    }
    await new Promise((r) => setTimeout(r, pauseMs));
  } finally {
    running = false;
    await Promise.all(loops);
  }
  return { failures, served };
}
