/**
 * Security headers on every response, API and errors included (issue 10 §4). A header a route
 * set itself wins: the web UI sets its own CSP and Referrer-Policy for its HTML (routes/web.ts),
 * snapshots their immutable Cache-Control (routes/metadata-versions.ts), health and ping
 * `no-store`. Everything else is JSON or text a browser should neither sniff, frame, cache nor
 * treat as a document that may load anything.
 */
import type { FastifyInstance } from 'fastify';

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

/** Call on the root instance before any route is registered, so every context inherits it. */
export function installSecurityHeaders(app: FastifyInstance): void {
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
