/**
 * Security headers on every response, API and errors included (issue 10 §4), and the one request
 * header that says a browser is sending a request from another site: Origin. A header a route
 * set itself wins: the web UI sets its own CSP and Referrer-Policy for its HTML (routes/web.ts),
 * snapshots their immutable Cache-Control (routes/metadata-versions.ts), health and ping
 * `no-store`. Everything else is JSON or text a browser should neither sniff, frame, cache nor
 * treat as a document that may load anything.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, ErrorCode } from '../../domain/errors.ts';

/** A JSON or text answer loads nothing, may not be framed, and sends no referrer. */
export const API_CSP =
  "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const DEFAULTS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  // Answers carry metadata, settings and users: no shared or browser cache may keep them unless
  // the route says so (snapshots are immutable by name and say so themselves).
  'Cache-Control': 'no-store',
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const hostOf = (url: string): string | null => {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
};

/**
 * Whether a state-changing request comes from a page of another site. Browsers send Origin with
 * every cross-origin POST/PUT/DELETE; API clients (locals, curl, scripts) send none and are not
 * affected. Besides the UI's CSRF token this also covers Basic credentials a browser remembered
 * after its login dialog, which any site's form could otherwise use. Hosts are compared without
 * the port, because a proxy's `Host $host` drops it; `server.base.url`'s host is also ours.
 */
function crossSite(request: FastifyRequest, baseUrl: string | null): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || SAFE_METHODS.has(request.method)) return false;
  const from = hostOf(origin); // `null` (sandboxed frames, file://) is never ours
  if (from === null) return true;
  const ours = [hostOf(`http://${request.host}`), baseUrl ? hostOf(baseUrl) : null];
  return !ours.includes(from);
}

/** Call on the root instance before any route is registered, so every context inherits it. */
export function installSecurityHeaders(app: FastifyInstance, baseUrl: string | null = null): void {
  app.addHook('onRequest', async (request) => {
    if (crossSite(request, baseUrl))
      throw new AppError(ErrorCode.FORBIDDEN, 'Cross-origin request refused (Origin header)');
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of Object.entries(DEFAULTS))
      if (!reply.hasHeader(name)) void reply.header(name, value);
    // HTML is only the UI's page, which brings the CSP its scripts and styles need.
    const type = String(reply.getHeader('content-type') ?? '');
    if (!reply.hasHeader('Content-Security-Policy') && !type.startsWith('text/html'))
      void reply.header('Content-Security-Policy', API_CSP);
    return payload;
  });
}
