import express, { type Request, type RequestHandler } from 'express';
import { BODY_MESSAGES } from './error-status.js';
import { sendError } from './send-error.js';

export interface BodyParserOptions {
  /** Largest accepted body, in body-parser's notation. */
  readonly limit?: string;
  /** Requests (method and path below the mount point) that may also send a form. */
  readonly acceptsForm?: (req: Request) => boolean;
}

/**
 * The API's body rules (docs/frontend-contract.md): no body means `{}`; JSON objects only;
 * a form only where allowed; anything else is 415. Parse failures reach the error
 * middleware as body-parser errors, which turns them into 400/413/415 JSON.
 *
 * @example app.use(['/auth', '/users'], bodyParser({ acceptsForm: (req) => req.path === '/login' }))
 */
export function bodyParser(options: BodyParserOptions = {}): RequestHandler {
  const limit = options.limit ?? '100kb';
  const acceptsForm = options.acceptsForm ?? (() => false);
  // The content type is checked here, so the parsers accept whatever reaches them.
  const json = express.json({ limit, strict: true, type: () => true });
  const form = express.urlencoded({ limit, extended: false, type: () => true });

  return (req, res, next) => {
    if (!hasBody(req)) {
      req.body = {};
      next();
      return;
    }
    const parser = req.is('application/json') ? json : acceptsForm(req) && req.is('application/x-www-form-urlencoded') ? form : undefined;
    if (!parser) {
      sendError(res, 415, BODY_MESSAGES.contentType);
      return;
    }
    parser(req, res, (err?: unknown) => {
      if (err) {
        next(err);
        return;
      }
      const body: unknown = req.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        sendError(res, 400, BODY_MESSAGES.invalidJson);
        return;
      }
      next();
    });
  };
}

/** A body is there when it is chunked or has a non-zero length (fetch sends `Content-Length: 0` for an empty POST). */
function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = req.headers['content-length'];
  return length !== undefined && length !== '0';
}
