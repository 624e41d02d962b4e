/**
 * The web UI's session (issue 9): an opaque random id in an HttpOnly, SameSite=Strict cookie,
 * held in memory per instance (a restart logs everyone out), with a CSRF token the UI must echo
 * in `X-CSRF-Token` on every state-changing request the cookie authenticates. The API itself
 * keeps HTTP Basic; a request carrying an Authorization header never looks at the cookie.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../domain/auth/authenticate.ts';
import type { Services } from '../services.ts';

export const SESSION_COOKIE = 'metasync_session';
export const CSRF_HEADER = 'x-csrf-token';
const IDLE_MS = 8 * 60 * 60 * 1000;
const MAX_SESSIONS = 10_000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Session {
  id: string;
  csrfToken: string;
  principal: Principal;
  expires: number;
}

export interface SessionStore {
  create(principal: Principal): Session;
  get(id: string): Session | null;
  destroy(id: string): void;
}

function createSessionStore(now: () => number): SessionStore {
  const sessions = new Map<string, Session>();
  return {
    create(principal) {
      if (sessions.size >= MAX_SESSIONS) {
        for (const [id, s] of sessions) if (s.expires <= now()) sessions.delete(id);
        // Still full: drop the oldest (Map keeps insertion order).
        if (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
      }
      const session: Session = {
        id: randomBytes(32).toString('base64url'),
        csrfToken: randomBytes(32).toString('base64url'),
        principal,
        expires: now() + IDLE_MS,
      };
      sessions.set(session.id, session);
      return session;
    },
    get(id) {
      const s = sessions.get(id);
      if (!s) return null;
      if (s.expires <= now()) {
        sessions.delete(id);
        return null;
      }
      s.expires = now() + IDLE_MS;
      return s;
    },
    destroy(id) {
      sessions.delete(id);
    },
  };
}

const stores = new WeakMap<Services, SessionStore>();

/** One store per instance (tests run a central and a local in one process). */
export function sessionsOf(services: Services): SessionStore {
  let store = stores.get(services);
  if (!store) {
    store = createSessionStore(() => services.clock.now().getTime());
    stores.set(services, store);
  }
  return store;
}

export function readCookie(request: FastifyRequest, name: string): string | null {
  const header = request.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    // A malformed %-escape is no session: it threw here, a 500 on every route (issue 10 §4).
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return null;
    }
  }
  return null;
}

export function sessionOf(services: Services, request: FastifyRequest): Session | null {
  const id = readCookie(request, SESSION_COOKIE);
  return id ? sessionsOf(services).get(id) : null;
}

/** Whether a state-changing request carries the session's CSRF token. */
export function csrfOk(session: Session, request: FastifyRequest): boolean {
  if (SAFE_METHODS.has(request.method)) return true;
  const given = request.headers[CSRF_HEADER];
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Secure when this request came over https, or when the public address (`server.base.url`) is
 * https: behind a TLS-terminating proxy metasync itself only sees http.
 */
export function setSessionCookie(
  reply: FastifyReply,
  request: FastifyRequest,
  id: string | null,
  baseUrl: string | null,
) {
  const https = request.protocol === 'https' || (baseUrl?.startsWith('https:') ?? false);
  const secure = https ? '; Secure' : '';
  const value = id
    ? `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict${secure}`
    : `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure}`;
  void reply.header('Set-Cookie', value);
}
