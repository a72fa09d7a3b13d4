import type { Server } from 'node:http';
import { ConfigError } from './env.js';
import { PortInUseError } from './listen.js';
import type { Logger } from './logger.js';

export interface GracefulStop {
  /** How long in-flight requests may take before every connection is cut (ms). */
  readonly graceMs: number;
  /** Closes what the app holds itself (WebSockets, timers); runs once, at the end of the grace at the latest. */
  readonly closeApp?: () => Promise<void>;
  /** Closes files and databases after the server and the app are closed. */
  readonly closeResources?: () => unknown;
}

/**
 * Stops a backend on the first SIGTERM or SIGINT: idle keep-alive sockets go at once,
 * in-flight requests get `graceMs`, then the app's own connections are closed. Upgraded
 * sockets (WebSockets) are the app's: server.close() waits for them and
 * closeAllConnections() skips them, so closeApp must end them.
 */
export function stopOnSignals(server: Server, logger: Logger, steps: GracefulStop): void {
  let stopping = false;
  let appClosed: Promise<void> | undefined;
  const closeApp = () => (appClosed ??= steps.closeApp?.() ?? Promise.resolve());
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: stopping`);
    const force = setTimeout(() => {
      server.closeAllConnections();
      void closeApp();
    }, steps.graceMs);
    force.unref();
    server.close(() => {
      void closeApp().finally(async () => {
        await steps.closeResources?.();
        process.exit(0);
      });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/** The `main().catch` of every process: a refused configuration or busy port is one line; anything else is a bug with its stack. */
/** A start that failed for a reason already explained to the user (its message is the whole story: no stack). */
export class StartupError extends Error {
  override name = 'StartupError';
}

export function exitOnStartFailure(name: string): (err: unknown) => never {
  return (err: unknown) => {
    if (err instanceof ConfigError || err instanceof PortInUseError || err instanceof StartupError) console.error(`${name}: ${err.message}`);
    else console.error(`${name}: failed to start:`, err);
    process.exit(1);
  };
}
