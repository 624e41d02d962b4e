/**
 * HTTP Basic authentication for `/api` (as DHIS2; locals always send Basic), and the authority
 * check routes declare. Registered inside the authenticated route context only (house rule 4).
 * Without an Authorization header, the web UI's session cookie authenticates instead (issue 9,
 * `../session.ts`), with a CSRF token required on state-changing requests.
 */
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { AuthResult, Principal } from '../../domain/auth/authenticate.ts';
import { missingPushAuthority, type DataPushEndpoint } from '../../domain/auth/data-write.ts';
import { hasAnyAuthority } from '../../domain/authorities.ts';
import { AppError, ErrorCode, errors } from '../../domain/errors.ts';
import type { Services } from '../../services.ts';
import { csrfOk, sessionOf } from '../session.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export function parseBasic(
  header: string | undefined,
): { username: string; password: string } | null {
  if (!header) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Sets `request.principal` from Basic credentials, or throws the 401 AppError. */
export async function authenticateRequest(
  services: Services,
  request: FastifyRequest,
): Promise<void> {
  {
    // The web UI's session cookie (issue 9), only when no Authorization header is sent.
    if (!request.headers.authorization) {
      const session = sessionOf(services, request);
      if (session) {
        if (!csrfOk(session, request))
          throw new AppError(ErrorCode.FORBIDDEN, 'Missing or invalid CSRF token');
        request.principal = session.principal;
        return;
      }
    }
    const creds = parseBasic(request.headers.authorization);
    if (!creds)
      throw errors.unauthorized('Full authentication is required to access this resource');
    const result = await services.auth.authenticate(creds.username, creds.password, request.ip);
    if (result.ok) {
      request.principal = result.principal;
      return;
    }
    throw loginFailure(result, creds.username, request);
  }
}

/** The 401 for a failed login (Basic or UI session); a lock it caused is logged. */
export function loginFailure(
  result: Exclude<AuthResult, { ok: true }>,
  username: string,
  request: FastifyRequest,
): AppError {
  switch (result.reason) {
    case 'locked':
      return errors.accountLocked();
    case 'disabled':
      return errors.unauthorized('User account is disabled');
    case 'invalid':
      if (result.nowLockedUntil)
        request.log.warn(
          { username, client: request.ip, lockedUntil: result.nowLockedUntil.toISOString() },
          'user account locked after repeated failed logins',
        );
      return errors.unauthorized('Bad credentials');
  }
}

/** Adds an onRequest hook that sets `request.principal` or answers 401. */
export function requireAuthentication(app: FastifyInstance, services: Services): void {
  app.addHook('onRequest', (request) => authenticateRequest(services, request));
}

/** A route-level hook: the principal must hold `ALL` or one of `anyOf`. */
export const requireAuthority =
  (...anyOf: string[]): onRequestAsyncHookHandler =>
  async (request: FastifyRequest) => {
    const held = request.principal?.authorities ?? new Set<string>();
    if (!hasAnyAuthority(held, anyOf)) throw errors.forbidden(anyOf);
  };

/**
 * The route-level hook of every data push endpoint (issue 16 §5): an authenticated user, plus
 * the authority DHIS2's controller declares for that endpoint, if any (`domain/auth/data-write.ts`).
 * The principal check is not redundant: it keeps a push route registered outside the
 * authenticated context from answering anyone.
 */
export const requireDataWrite =
  (endpoint: DataPushEndpoint): onRequestAsyncHookHandler =>
  async (request: FastifyRequest) => {
    const principal = request.principal;
    if (!principal)
      throw errors.unauthorized('Full authentication is required to access this resource');
    const missing = missingPushAuthority(principal.authorities, endpoint);
    if (missing.length > 0) throw errors.forbidden(missing);
  };
