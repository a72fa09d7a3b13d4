import type { ErrorRequestHandler } from 'express';
import type { Logger } from '../logger.js';
import { errorStatus } from './error-status.js';
import { sendError } from './send-error.js';

/** The one error middleware: every failure leaves as `{"error": …}` JSON, never an HTML page. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    const answer = errorStatus(err);
    if (!answer.expected) logger.error({ err, reqId: req.id, method: req.method, url: req.originalUrl }, 'request failed');
    // Once the head is out the status cannot change: cut the connection so the client sees a failure.
    if (res.headersSent) {
      next(err);
      return;
    }
    sendError(res, answer.status, answer.message);
  };
}
