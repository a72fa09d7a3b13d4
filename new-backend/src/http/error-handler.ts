import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../../../lib/logger.js';
import { MESSAGES } from './messages.js';
import { sendError } from '../../../lib/http/send-error.js';

interface ErrorAnswer {
  readonly status: number;
  readonly message: string;
}

const BY_TYPE: Readonly<Record<string, ErrorAnswer>> = {
  'entity.too.large': { status: 413, message: MESSAGES.tooLarge },
  'parameters.too.many': { status: 413, message: MESSAGES.tooLarge },
  'entity.parse.failed': { status: 400, message: MESSAGES.invalidJson },
  'entity.verify.failed': { status: 400, message: MESSAGES.invalidJson },
  'request.size.invalid': { status: 400, message: MESSAGES.invalidJson },
  'request.aborted': { status: 400, message: MESSAGES.invalidJson },
  'encoding.unsupported': { status: 415, message: MESSAGES.encoding },
  'charset.unsupported': { status: 415, message: MESSAGES.charset },
};

/** Body-parser failures carry a `type`; anything else is a bug: a bare 500, details only in the log. */
export function errorAnswer(err: unknown): ErrorAnswer & { expected: boolean } {
  const type = typeof err === 'object' && err !== null ? (err as { type?: unknown }).type : undefined;
  const known = typeof type === 'string' ? BY_TYPE[type] : undefined;
  return known ? { ...known, expected: true } : { status: 500, message: MESSAGES.internal, expected: false };
}

/** The one error middleware: every failure leaves as `{"error": …}` JSON, never an HTML page. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    const answer = errorAnswer(err);
    if (!answer.expected) logger.error({ err, reqId: req.id, method: req.method, url: req.originalUrl }, 'request failed');
    // Once the head is out the status cannot change: express cuts the connection instead.
    if (res.headersSent) {
      next(err);
      return;
    }
    sendError(res, answer.status, answer.message);
  };
}
