export interface LoadLoop {
  /** Answers seen so far, by the backend that gave them (X-Backend) and status. */
  readonly seen: Array<{ backend: string; status: number }>;
  failuresFrom(backend: string): number;
  from(backend: string): number;
  stop(): Promise<void>;
}

/**
 * `concurrency` loops sending GET `url` through the proxy, each request as one of `users`
 * distinct users (a `connect.sid` cookie with its own session id), so a sticky canary splits
 * them. Runs until stopped.
 */
export function startLoadLoop(url: string, options: { concurrency?: number; users?: number } = {}): LoadLoop {
  const seen: LoadLoop['seen'] = [];
  const users = options.users ?? 500;
  let running = true;
  let n = 0;
  async function loop(): Promise<void> {
    while (running) {
      const user = n++ % users;
      try {
        const res = await fetch(url, { headers: { cookie: `connect.sid=s%3Auser-${user}.sig` } });
        await res.arrayBuffer();
        seen.push({ backend: res.headers.get('x-backend') ?? '?', status: res.status });
      } catch {
        seen.push({ backend: '?', status: 0 });
      }
    }
  }
  const loops = Array.from({ length: options.concurrency ?? 4 }, () => loop());
  return {
    seen,
    failuresFrom: (backend) => seen.filter((s) => s.backend === backend && s.status >= 500).length,
    from: (backend) => seen.filter((s) => s.backend === backend).length,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}
