import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express, { type RequestHandler } from 'express';

const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
const ASSETS = ['swagger-ui.css', 'index.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'favicon-16x16.png'];

const PAGE = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>Strangler new backend: API</title>
    <link rel="stylesheet" href="swagger-ui.css">
    <link rel="stylesheet" href="index.css">
    <link rel="icon" type="image/png" href="favicon-32x32.png" sizes="32x32">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="swagger-ui-bundle.js"></script>
    <script src="docs.js"></script>
  </body>
</html>
`;

// validatorUrl null: Swagger UI would otherwise send the document to an online validator.
const SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: new URL('../openapi.json', window.location.href).toString(),
    dom_id: '#swagger-ui',
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

const HEADERS = {
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** GET /docs: the page; `/docs` without the slash redirects, as relative asset URLs need it. */
export const serveDocsPage: RequestHandler = (req, res) => {
  if (!req.originalUrl.split('?')[0]?.endsWith('/')) {
    res.redirect(301, 'docs/');
    return;
  }
  res.set(HEADERS).type('html').send(PAGE);
};

/**
 * Mounted at `/docs`: the page's script and Swagger UI's files, served from the
 * swagger-ui-dist package (allowlisted names only), so the page works with no network.
 */
export function docsAssets(): RequestHandler {
  const files = express.static(SWAGGER_DIR, { index: false, maxAge: '1h', setHeaders: (res) => res.set(HEADERS) });
  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const name = req.path.slice(1);
    if (name === 'docs.js') {
      res.set(HEADERS).type('js').send(SCRIPT);
      return;
    }
    if (!ASSETS.includes(name)) return next();
    files(req, res, next);
  };
}
