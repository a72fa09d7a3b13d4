import { createServer } from 'node:net';

export type PortCheck = { ok: true } | { ok: false; message: string };

/**
 * Whether a process could bind this port, tried by binding it for a moment. The message
 * names the port and the variable that moves it, in one line.
 */
export function checkPort(port: number, host: string, envVar: string): Promise<PortCheck> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'is already in use' : err.code === 'EACCES' ? 'needs privileges to bind' : `cannot be bound (${err.code ?? err.message})`;
      resolve({ ok: false, message: `port ${port} on ${host} ${why}: stop what holds it, or set ${envVar} to another port` });
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve({ ok: true })));
  });
}
