import type { IncomingMessage } from 'node:http';

const FORWARDED = Symbol('strangler.clientAddress');

/**
 * The address a request came from. With cluster workers, admin requests reach the primary
 * over its private socket, which has no peer address: the worker that took the connection
 * says where it came from (setClientAddress), so per-address limits (the console's sign-in
 * throttle) still count per client, not for everyone at once.
 */
export function clientAddress(req: IncomingMessage): string | undefined {
  return (req as IncomingMessage & { [FORWARDED]?: string })[FORWARDED] ?? req.socket.remoteAddress;
}

/** Records the client's address as a trusted hop told it (see clientAddress). */
export function setClientAddress(req: IncomingMessage, address: string): void {
  (req as IncomingMessage & { [FORWARDED]?: string })[FORWARDED] = address;
}
