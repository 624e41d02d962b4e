/**
 * Serves the web UI (issue 9): the Vite build in `dist-web/` (made by `npm run build:web`, which
 * `npm ci`/`npm install` run through the `prepare` script). `/` and any unknown GET path outside
 * `/api` answer index.html (the UI routes by URL hash). Without a build, a short page says how.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const WEB_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../dist-web');

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>metasync</title>
<p>The web UI is not built. Run <code>npm run build:web</code> (or <code>npm ci</code>) and restart.</p>`;

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Content-Security-Policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'",
};

/** Registers the static files; answers the UI's HTML for `/`. Returns the SPA fallback. */
export async function webRoutes(
  app: FastifyInstance,
): Promise<(request: FastifyRequest, reply: FastifyReply) => FastifyReply> {
  const index = join(WEB_ROOT, 'index.html');
  const built = existsSync(index);
  const html = built ? readFileSync(index, 'utf8') : NOT_BUILT;
  if (built)
    await app.register(fastifyStatic, {
      root: WEB_ROOT,
      wildcard: false,
      index: false,
      serve: true,
      setHeaders: (res) => {
        for (const [k, v] of Object.entries(SECURITY_HEADERS)) void res.header(k, v);
      },
    });
  const sendIndex = (_request: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(200)
      .headers({ ...SECURITY_HEADERS, 'Cache-Control': 'no-cache' })
      .type('text/html; charset=utf-8')
      .send(html);
  app.get('/', { schema: { hide: true } }, sendIndex);
  return sendIndex;
}
