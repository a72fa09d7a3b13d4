import type { Server } from 'node:http';

/** A port that cannot be bound, named with the env var that moves it. */
export class PortInUseError extends Error {
  constructor(readonly port: number, readonly envVar: string) {
    super(`port ${port} is already in use: stop what holds it, or set ${envVar} to another port`);
    this.name = 'PortInUseError';
  }
}

/**
 * Listens and resolves with the bound port; EADDRINUSE becomes a PortInUseError that
 * says which variable to change.
 */
export function listen(server: Server, port: number, host: string, envVar: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(port, envVar) : err);
    };
    const onListening = () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/** Closes a server and every connection it holds (keep-alive sockets included). */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
