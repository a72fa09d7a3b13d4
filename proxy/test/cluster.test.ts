import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { freePorts, runTsx, tempDir, waitFor, type WatchedProcess } from '../../test/kit/index.js';
import { startEchoBackend, type EchoBackend } from '../../test/kit/proxy/echo-backend.js';

// PROXY_WORKERS=2: the real proxy entry as a process, its primary and two workers, in front
// of two echo backends. Everything is asked of the proxy's public port, as an operator would.

const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef01234567';
const SECRETS = {
  SESSION_SECRET: 'test-session-secret-0123456789abcdef0123',
  JWT_SECRET: 'test-jwt-secret-0123456789abcdef0123456789',
  MCP_TOKEN: 'test-mcp-token-0123456789abcdef0123456789',
  PROXY_ADMIN_TOKEN: ADMIN_TOKEN,
};

interface Answer {
  readonly status: number;
  readonly backend: string;
  readonly generation: number;
  readonly worker: string;
  readonly body: string;
}

/** One GET on a keep-alive agent, with the diagnostics headers the proxy adds. */
function get(port: number, path: string, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({
        status: res.statusCode ?? 0,
        backend: String(res.headers['x-backend']),
        generation: Number(res.headers['x-routes-generation']),
        worker: String(res.headers['x-strangler-worker']),
        body,
      }));
      res.on('error', reject);
    });
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end();
  });
}

/** The environment of a proxy with two workers on `port`, its files in `dir`. */
function clusterEnv(dir: { file(name: string): string }, port: number, routesFile: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '', NODE_ENV: 'test', LOG_LEVEL: 'info', ...SECRETS,
    PROXY_WORKERS: '2', PROXY_PORT: String(port), ROUTES_FILE: routesFile,
    DATABASE_PATH: dir.file('app.db'), DIFFS_PATH: dir.file('diffs.db'), HISTORY_PATH: dir.file('history.db'),
    STRANGLER_SIGNING_KEYS: dir.file('keys.json'), RECORDINGS_DIR: dir.file('recordings'),
    ...extra,
  };
}

async function admin(port: number, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}/__proxy${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    // A connection node:cluster handed to a worker just as it died gets no answer: give up and ask again.
    signal: AbortSignal.timeout(5000),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

interface ClusterHealth {
  readonly generation: number;
  readonly cluster: { size: number; workers: { id: number; pid: number; generation: number; ready: boolean }[] };
}

describe('the proxy with PROXY_WORKERS=2 (node:cluster)', () => {
  let legacy: EchoBackend;
  let next: EchoBackend;
  let proxy: WatchedProcess;
  let port: number;
  const dir = tempDir('strangler-cluster-');
  const routesFile = dir.file('routes.yaml');
  const routes = (users: string) => `version: 1
backends:
  legacy: { url: "${legacy.url}", auth: session }
  new: { url: "${next.url}", auth: session }
default: legacy
routes:
  - name: users
    paths: [/users, /users/**]
    target: ${users}
  - name: orders
    paths: [/orders, /orders/**]
    target: legacy
    shadow: { to: new, percent: 100 }
`;
  const health = async () => (await admin(port, 'GET', '/health')).json as unknown as ClusterHealth;

  before(async () => {
    legacy = await startEchoBackend('legacy');
    next = await startEchoBackend('new');
    writeFileSync(routesFile, routes('legacy'));
    [port] = (await freePorts(1)) as [number];
    proxy = runTsx('proxy/src/main.ts', { env: clusterEnv(dir, port, routesFile, { PROXY_EXPOSE_GENERATION: 'true' }) });
    await proxy.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+ with 2 workers/, 60_000);
  });
  after(async () => {
    proxy?.kill();
    await legacy.close();
    await next.close();
    dir.cleanup();
  });

  it('runs two workers that share the port and both route, the primary answering /__proxy/ for them', async () => {
    const h = await health();
    assert.equal(h.cluster.size, 2);
    assert.equal(h.cluster.workers.length, 2);
    assert.ok(h.cluster.workers.every((w) => w.ready && w.generation === h.generation), JSON.stringify(h.cluster));
    // Connections are handed out in turn: eight keep-alive sockets land on both workers.
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const answers = await Promise.all(Array.from({ length: 32 }, () => get(port, '/users/1', agent)));
    agent.destroy();
    assert.ok(answers.every((a) => a.status === 200 && a.backend === 'legacy'));
    assert.deepEqual(new Set(answers.map((a) => a.worker)), new Set(h.cluster.workers.map((w) => String(w.id))));
    await waitFor(() => /GET \/users\/1 200 legacy/.test(proxy.output()), 'a worker\'s log line for a request');
  });

  it('streams the ops console\'s feed through a worker, read from the primary', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/__proxy/ui/events`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, signal: AbortSignal.timeout(10_000) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    try {
      while (!/event: routes\ndata: \{"ok":true/.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString('utf8');
      }
    } finally {
      await reader.cancel();
    }
    assert.match(text, /event: routes\ndata: \{"ok":true/);
  });

  it('aggregates every worker in /__proxy/metrics and /__proxy/stats', async () => {
    const before = await metricCount();
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const answers = await Promise.all(Array.from({ length: 40 }, () => get(port, '/users/2', agent)));
    agent.destroy();
    assert.equal(new Set(answers.map((a) => a.worker)).size, 2, 'both workers answered');
    // Counters are summed across the workers (prom-client's AggregatorRegistry).
    assert.equal(await metricCount() - before, 40);
    // Workers report their requests to the primary's windows every second.
    await waitFor(async () => {
      const stats = (await admin(port, 'GET', '/stats')).json as { routes?: Record<string, Record<string, { requests: number }>> };
      return (stats.routes?.users?.legacy?.requests ?? 0) >= 72 ? true : undefined;
    }, 'the stats to count both workers\' requests', 10_000);
  });

  async function metricCount(): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${port}/__proxy/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
    const line = text.split('\n').find((l) => l.startsWith('proxy_requests_total{') && l.includes('route="users"') && l.includes('backend="legacy"') && l.includes('status_class="2xx"'));
    return Number(line?.split(' ').pop() ?? 0);
  }

  it('flips 50 times under load: no request fails, each answer matches its generation, none is routed by a table older than the last confirmed flip', async () => {
    const targetOf = new Map<number, string>([[(await health()).generation, 'legacy']]);
    let confirmed = (await health()).generation;
    const failures: string[] = [];
    const seen: { answer: Answer; atLeast: number }[] = [];
    let running = true;
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const loops = Array.from({ length: 8 }, async () => {
      while (running) {
        const atLeast = confirmed;
        try {
          const answer = await get(port, '/users/7', agent);
          if (answer.status !== 200) failures.push(`${answer.status} from ${answer.backend}: ${answer.body}`);
          else seen.push({ answer, atLeast });
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    });
    for (let i = 0; i < 50; i++) {
      const target = i % 2 === 0 ? 'new' : 'legacy';
      const res = await admin(port, 'PUT', '/routes/users', { target });
      assert.equal(res.status, 200, JSON.stringify(res.json));
      const generation = res.json.generation as number;
      targetOf.set(generation, target);
      confirmed = generation;
      await new Promise((r) => setTimeout(r, 20));
    }
    running = false;
    await Promise.all(loops);
    agent.destroy();

    assert.deepEqual(failures, []);
    assert.ok(seen.length > 100, `only ${seen.length} answers under load`);
    const wrong = seen.filter(({ answer }) => targetOf.get(answer.generation) !== answer.backend);
    assert.deepEqual(wrong.map(({ answer }) => `generation ${answer.generation} answered by ${answer.backend}`), []);
    const stale = seen.filter(({ answer, atLeast }) => answer.generation < atLeast);
    assert.deepEqual(stale.map(({ answer, atLeast }) => `sent after generation ${atLeast} was confirmed, routed by ${answer.generation} (worker ${answer.worker})`), []);
    assert.equal(new Set(seen.map((s) => s.answer.worker)).size, 2, 'both workers routed under load');
    const after = await health();
    assert.ok(after.cluster.workers.every((w) => w.generation === after.generation));
  });

  it('answers a flip only once every worker routes with it', async () => {
    // One keep-alive socket: every request of this agent goes to the same worker; the other one is paused.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let paused: number | undefined;
    try {
      const mine = (await get(port, '/users/1', agent)).worker;
      const h = await health();
      const other = h.cluster.workers.find((w) => String(w.id) !== mine)!;
      paused = other.pid;
      process.kill(other.pid, 'SIGSTOP');
      const flip: { answered?: { status: number; body: string } } = {};
      const put = new Promise<void>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/__proxy/routes/users', method: 'PUT', agent, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => {
            flip.answered = { status: res.statusCode ?? 0, body };
            resolve();
          });
        });
        req.on('error', reject);
        req.end(JSON.stringify({ target: 'new' }));
      });
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(flip.answered, undefined, 'the flip was answered while a worker still routed by the old table');
      process.kill(other.pid, 'SIGCONT');
      await put;
      // (Set by the callback meanwhile, which the compiler cannot see.)
      const got = flip.answered as { status: number; body: string } | undefined;
      assert.equal(got?.status, 200, got?.body);
      const generation = (JSON.parse(got?.body ?? '{}') as { generation: number }).generation;
      const after = await health();
      assert.equal(after.cluster.workers.find((w) => w.id === other.id)?.generation, generation);
    } finally {
      agent.destroy();
      if (paused !== undefined) process.kill(paused, 'SIGCONT');
    }
  });

  it('follows an edit of the file in every worker', async () => {
    const before = (await health()).generation;
    // The flip before left users on new.
    writeFileSync(routesFile, routes('legacy'));
    await waitFor(async () => {
      const h = await health();
      return h.generation > before && h.cluster.workers.every((w) => w.generation === h.generation) ? true : undefined;
    }, 'both workers to take the edited file', 10_000);
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const answers = await Promise.all(Array.from({ length: 16 }, () => get(port, '/users/1', agent)));
    agent.destroy();
    assert.ok(answers.every((a) => a.backend === 'legacy'), JSON.stringify(answers.map((a) => a.backend)));
  });

  it('sends every worker\'s shadow copies to the primary, which writes diffs.db', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => get(port, `/orders/${i}`, agent)));
    agent.destroy();
    assert.equal(new Set(answers.map((a) => a.worker)).size, 2);
    await waitFor(async () => {
      const report = (await admin(port, 'GET', '/diffs')).json as { routes?: { route: string; shadowed: number; mismatched: number }[] };
      const orders = report.routes?.find((r) => r.route === 'orders');
      // The echo backends answer with their own names: every comparison differs.
      return orders && orders.shadowed >= 20 ? orders : undefined;
    }, 'the comparisons of both workers in diffs.db', 15_000);
  });

  it('records exchanges from both workers into one recording the primary writes', async () => {
    const started = await admin(port, 'POST', '/recordings', { route: 'users', count: 12 });
    assert.equal(started.status, 201, JSON.stringify(started.json));
    const id = started.json.id as string;
    // The workers hear of the recording from the primary: wait until both capture.
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    await waitFor(async () => {
      await Promise.all(Array.from({ length: 8 }, () => get(port, '/users/3', agent)));
      const status = (await admin(port, 'GET', `/recordings/${id}`)).json as { state: string; exchanges: number };
      return status.state === 'done' ? status : undefined;
    }, 'the recording to reach its 12 exchanges', 15_000);
    agent.destroy();
    const status = (await admin(port, 'GET', `/recordings/${id}`)).json as { file: string; exchanges: number };
    assert.equal(status.exchanges, 12);
    const lines = readFileSync(status.file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { path?: string; offsetMs?: number });
    const exchanges = lines.filter((l) => l.path === '/users/3');
    assert.equal(exchanges.length, 12);
    assert.ok(exchanges.every((e) => typeof e.offsetMs === 'number' && e.offsetMs >= 0 && e.offsetMs < 60_000), JSON.stringify(exchanges.map((e) => e.offsetMs)));
  });

  it('starts a new worker when one dies, which takes the table in force before it routes', async () => {
    const before = await health();
    const victim = before.cluster.workers[0]!;
    process.kill(victim.pid, 'SIGKILL');
    const h = await waitFor(async () => {
      const now = await health();
      return now.cluster.workers.length === 2 && now.cluster.workers.every((w) => w.ready) && !now.cluster.workers.some((w) => w.pid === victim.pid) ? now : undefined;
    }, 'a replacement worker', 30_000);
    assert.ok(h.cluster.workers.every((w) => w.generation === h.generation));
    assert.match(proxy.output(), new RegExp(`worker ${victim.id} \\(pid ${victim.pid}\\) exited \\(SIGKILL\\); starting another`));
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const answers = await Promise.all(Array.from({ length: 16 }, () => get(port, '/users/1', agent)));
    agent.destroy();
    assert.ok(answers.every((a) => a.status === 200 && a.generation === h.generation));
  });

  it('stops the workers and itself on SIGTERM', async () => {
    const pids = (await health()).cluster.workers.map((w) => w.pid);
    proxy.child.kill('SIGTERM');
    assert.equal(await proxy.exited(20_000), 0);
    for (const pid of pids) assert.throws(() => process.kill(pid, 0), /ESRCH/, `worker ${pid} still runs`);
  });
});

describe('PROXY_WORKERS', () => {
  it('with PROXY_REQUEST_LOG=false, no worker logs a line per request', async () => {
    const dir = tempDir('strangler-cluster-');
    const echo = await startEchoBackend('legacy');
    const [port] = (await freePorts(1)) as [number];
    writeFileSync(dir.file('routes.yaml'), `version: 1\nbackends:\n  legacy: { url: '${echo.url}', auth: session }\ndefault: legacy\nroutes: []\n`);
    const child = runTsx('proxy/src/main.ts', { env: clusterEnv(dir, port, dir.file('routes.yaml'), { PROXY_REQUEST_LOG: 'false' }) });
    try {
      await child.waitFor(/listening on http:\/\/127\.0\.0\.1:\d+ with 2 workers/, 60_000);
      // A connection each: handed to both workers in turn.
      for (let i = 0; i < 6; i += 1) {
        const agent = new Agent({ keepAlive: false });
        assert.equal((await get(port, `/users/${i}`, agent)).status, 200);
        agent.destroy();
      }
      child.child.kill('SIGTERM');
      assert.equal(await child.exited(20_000), 0);
      assert.doesNotMatch(child.output(), /GET \/users\/\d/);
    } finally {
      child.kill();
      await echo.close();
      dir.cleanup();
    }
  });

  it('refuses a value that is not a count or auto, naming the variable', async () => {
    const dir = tempDir('strangler-cluster-');
    try {
      const child = runTsx('proxy/src/main.ts', { env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...SECRETS, PROXY_WORKERS: 'two', ROUTES_FILE: dir.file('routes.yaml') } });
      assert.notEqual(await child.exited(30_000), 0);
      assert.match(child.output(), /PROXY_WORKERS must be a whole number from 1 to 64, or auto/);
    } finally {
      dir.cleanup();
    }
  });
});
