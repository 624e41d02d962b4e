/**
 * Fastify answers 404 for a known path with an unknown method; DHIS2 clients expect 405 with
 * an `Allow` header (issue 3 §6). Every registered route is remembered as a pattern, and the
 * not-found handler checks whether the path exists under another method.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ErrorCode, errors } from '../../domain/errors.ts';
import { sendError } from '../error-handler.ts';

interface KnownRoute {
  pattern: RegExp;
  methods: Set<string>;
}

const toPattern = (url: string) =>
  new RegExp(
    '^' +
      url
        .split('/')
        .map((seg) =>
          seg.startsWith(':')
            ? '[^/]+'
            : seg === '*'
              ? '.*'
              : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('/') +
      '/?$',
  );

/**
 * Call on the root instance before any route is registered. `authenticate` runs first for
 * unknown `/api` paths, so that without valid credentials nobody learns which routes exist
 * (DHIS2 answers 401 there too).
 */
export function installRouteRegistry(
  app: FastifyInstance,
  authenticate: (request: FastifyRequest) => Promise<void>,
  /** The web UI's page for unknown GET paths outside /api (issue 9), when there is one. */
  uiFallback?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined,
): void {
  const routes = new Map<string, KnownRoute>();
  app.addHook('onRoute', (opts) => {
    const key = opts.url;
    const entry = routes.get(key) ?? { pattern: toPattern(key), methods: new Set<string>() };
    for (const m of [opts.method].flat()) entry.methods.add(m);
    routes.set(key, entry);
  });

  app.setNotFoundHandler(async (request, reply) => {
    const path = request.url.split('?')[0]!;
    const isApi = path.startsWith('/api/') || path === '/api';
    if (!isApi && (request.method === 'GET' || request.method === 'HEAD') && uiFallback) {
      const sent = uiFallback(request, reply);
      if (sent) return sent;
    }
    if (path.startsWith('/api/') || path === '/api') await authenticate(request);
    const allowed = new Set<string>();
    for (const r of routes.values())
      if (r.pattern.test(path)) r.methods.forEach((m) => allowed.add(m));
    if (allowed.size > 0) {
      void reply.header('Allow', [...allowed].sort().join(', '));
      return sendError(
        reply,
        new AppError(
          ErrorCode.METHOD_NOT_ALLOWED,
          `Request method '${request.method}' is not supported for ${path}`,
        ),
      );
    }
    return sendError(reply, errors.notFound(`No resource at ${request.method} ${path}`));
  });
}
