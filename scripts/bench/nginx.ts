import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireDebianTool } from './debian-tool.js';
import { freePort, treeCpuSeconds, type RunningProcess } from './processes.js';

/**
 * Debian's nginx as a reverse proxy in front of `upstream`, configured the way one would
 * put it in front of a Node app: an upstream block with idle keep-alive connections (that
 * close before Node's 5 s keep-alive timeout, as the proxy's do), HTTP/1.1 to the
 * backend, X-Forwarded-* set, and a buffered access log (the proxy writes one line per
 * request too). One worker process, as the proxy is one process. Everything lives in
 * `dir`; it listens on a free port on 127.0.0.1 and stops with `stop()`.
 */
export async function startNginx(name: string, upstream: string | { readonly answer: string }, dir: string): Promise<RunningProcess> {
  const nginx = requireDebianTool('nginx', 'nginx-light');
  const home = join(dir, name);
  mkdirSync(home, { recursive: true });
  const port = await freePort();
  // `{ answer }`: no upstream; nginx itself answers every request with this JSON (a backend that costs next to nothing).
  const origin = typeof upstream === 'string' ? new URL(upstream) : undefined;
  const conf = join(home, 'nginx.conf');
  const log = join(home, 'error.log');
  writeFileSync(conf, `# written by the bench for one run
worker_processes 1;
daemon off;
pid ${home}/nginx.pid;
error_log ${log} warn;
events { worker_connections 4096; }
http {
  access_log ${home}/access.log combined buffer=64k flush=1s;
  client_body_temp_path ${home}/client_body;
  proxy_temp_path ${home}/proxy_temp;
  fastcgi_temp_path ${home}/fastcgi_temp;
  uwsgi_temp_path ${home}/uwsgi_temp;
  scgi_temp_path ${home}/scgi_temp;
${origin ? `  upstream backend {
    server ${origin.host};
    keepalive 64;
    keepalive_timeout 4s;
  }
` : ''}  server {
    listen 127.0.0.1:${port};
    location / {
${origin ? `      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Host $host;` : `      default_type application/json;
      return 200 '${typeof upstream === 'string' ? '' : upstream.answer.replace(/'/g, '')}';`}
    }
  }
}
`);
  // -e: the error log before the configuration is read (the default under /var/log may not be writable).
  const child = spawn(nginx, ['-p', home, '-e', log, '-c', conf], { stdio: 'ignore' });
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  // Ready when it forwards: the backend's /health through it.
  while (!(await fetch(`${url}/health`).then((r) => r.status === 200, () => false))) {
    if (exited !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not start (exit ${exited}); its log (${log}):\n${readText(log)}`);
    }
    await sleep(100);
  }
  return {
    name: 'nginx',
    url,
    log,
    pid: child.pid,
    // The master only supervises; the worker serves. Both are counted.
    cpuSeconds: () => treeCpuSeconds(child.pid),
    async stop() {
      if (exited !== null) return;
      child.kill('SIGTERM');
      for (let i = 0; i < 100 && exited === null; i++) await sleep(50);
      if (exited === null) child.kill('SIGKILL');
    },
  };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-2000);
  } catch {
    return '(none)';
  }
}
