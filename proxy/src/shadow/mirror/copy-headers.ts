import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { HeaderChanges } from './shadow-settings.js';

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'expect'];

/** The client's headers for a copy: hop-by-hop ones dropped, marked as a shadow, same request id. */
export function copyRequestHeaders(source: IncomingHttpHeaders, requestId: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(source)) if (value !== undefined) out[name] = value;
  for (const name of HOP_BY_HOP) delete out[name];
  out['x-shadow-request'] = '1';
  out['x-request-id'] = requestId;
  return out;
}

/** Header changes from authorizeShadow applied to a copy's headers (null/undefined removes). */
export function applyHeaderChanges(headers: OutgoingHttpHeaders, changes: HeaderChanges | undefined): OutgoingHttpHeaders {
  if (!changes) return headers;
  const out = { ...headers };
  for (const [name, value] of Object.entries(changes)) {
    const key = name.toLowerCase();
    if (value === null || value === undefined) delete out[key];
    else out[key] = value;
  }
  return out;
}
