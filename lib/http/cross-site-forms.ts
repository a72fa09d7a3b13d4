import type { RequestHandler } from 'express';
import { originAllowed } from '../mcp-commands/upgrade-guards.js';
import { CONTRACT_MESSAGES } from './contract-messages.js';
import { sendError } from './send-error.js';

/** What an HTML form (or a no-preflight fetch) can send cross-site: the CORS-safelisted body types. */
const FORM_TYPES = /^\s*(?:application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)\s*(?:;|$)/i;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const NO_EXTRA_ORIGINS: ReadonlySet<string> = new Set();

/**
 * Login CSRF: a page on another site can post a form to `/auth/login` with the attacker's
 * credentials and log the victim's browser in as the attacker. A browser always sends
 * `Origin` on a cross-site POST, so an unsafe request with a form body is refused (403)
 * unless its Origin names the host the client reached (Host, or X-Forwarded-Host set by
 * the proxy). JSON bodies need a CORS preflight, which neither backend grants, so they
 * pass. No Origin at all passes: that is a program (curl, a test, a server), which carries
 * no ambient cookies. `Origin: null` (a sandboxed frame, a file:// page, a cross-site
 * redirect) is refused: it is a browser, and an opaque origin is never this site.
 */
export function refuseCrossSiteForms(): RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method) || !FORM_TYPES.test(req.headers['content-type'] ?? '') || originAllowed(req, NO_EXTRA_ORIGINS)) {
      next();
      return;
    }
    req.log?.warn({ origin: req.headers.origin, host: req.headers.host }, 'refused a cross-site form post');
    sendError(res, 403, CONTRACT_MESSAGES.crossSiteForm);
  };
}
