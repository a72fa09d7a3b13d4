import express, { type Request, type RequestHandler } from 'express';
import { BODY_MESSAGES as MESSAGES } from './body-messages.js';
import { sendError } from './send-error.js';

export interface BodyParserOptions {
  /** Largest accepted body, in body-parser's notation; the contract says 100 kB. */
  readonly limit?: string;
  /** Requests that may send an HTML/OAuth2 form instead of JSON. */
  readonly acceptsForm?: (req: Request) => boolean;
}

/**
 * The contract's body rules: no body means `{}`; a JSON object (nothing else); a form
 * only where allowed; any other content type is 415 before a byte is read. Parse failures
 * go to the error middleware as body-parser errors (400/413/415 there).
 *
 * @example app.use(['/auth', '/users'], bodyParser({ acceptsForm: (req) => req.path === '/login' }))
 */
export function bodyParser(options: BodyParserOptions = {}): RequestHandler {
  const limit = options.limit ?? '100kb';
  const acceptsForm = options.acceptsForm ?? (() => false);
  // The content type is decided here, so the parsers take whatever reaches them.
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
      sendError(res, 415, MESSAGES.contentType);
      return;
    }
    parser(req, res, (err?: unknown) => {
      if (err) return next(err);
      // The API takes objects only: an array, a string or null is not a request body.
      const body: unknown = req.body;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return sendError(res, 400, MESSAGES.invalidJson);
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

/** The parsed body (always an object after bodyParser; `{}` where no parser ran). */
export function bodyObject(req: Request): Record<string, unknown> {
  const body: unknown = req.body;
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}
