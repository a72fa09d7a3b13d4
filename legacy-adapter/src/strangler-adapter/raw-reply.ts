import { ServerResponse } from 'node:http';

/**
 * Answers with ServerResponse's own methods, past whatever the app's middleware wrapped on
 * `res` (express-session saves, touches and sets its cookie from its wrappers of writeHead
 * and end). A read, a refusal or an answer about a request without a session must not
 * create, save or touch one, whatever the app's saveUninitialized, rolling or unset options.
 */
export function rawReply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  ServerResponse.prototype.writeHead.call(res, status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
  });
  (ServerResponse.prototype.end as (this: ServerResponse, chunk: string) => ServerResponse).call(res, text);
}

/**
 * Answers through `res` as the app's middleware wrapped it, so express-session does what it
 * does at the end of any request (touch, save, Set-Cookie): used once the adapter has
 * changed the session on purpose.
 */
export function appReply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(text);
}
