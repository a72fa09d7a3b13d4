import { connect } from 'node:net';
import type { Readiness } from './process-table.js';

export interface ReadyTarget {
  readonly host: string;
  readonly port: number;
  readonly readiness: Readiness;
}

/** One probe: an HTTP 2xx from the health path, or an accepted TCP connection. */
export async function probe(target: ReadyTarget): Promise<boolean> {
  if (target.readiness.kind === 'tcp') return tcpOpen(target.host, target.port);
  try {
    const res = await fetch(`http://${urlHost(target.host)}:${target.port}${target.readiness.path}`, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Polls until the target is ready or `signal` aborts (the process died, or the user
 * pressed Ctrl-C). Resolves true when ready.
 */
export async function waitReady(target: ReadyTarget, signal: AbortSignal, intervalMs = 200): Promise<boolean> {
  while (!signal.aborted) {
    if (await probe(target)) return true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }
  return false;
}

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** The host to dial: a wildcard bind is reached on loopback. */
export function dialHost(bindHost: string): string {
  return bindHost === '0.0.0.0' || bindHost === '::' || bindHost === '' ? '127.0.0.1' : bindHost;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
