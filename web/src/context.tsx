/** What every screen needs: the user, the instance's settings and role, and the alert bar. */
import { createContext, useContext } from 'react';

import type { Session } from '../../src/http/schemas/api-types.ts';

/** The logged-in user as `/api/metasync/session` answers. */
export type SessionUser = Session;

export type Settings = Record<string, unknown>;
export type Role = 'central' | 'local' | 'standalone';

export interface AppContextValue {
  user: SessionUser;
  settings: Settings;
  role: Role;
  reloadSettings(): Promise<void>;
  alert(message: string, kind?: 'success' | 'critical' | 'info'): void;
  navigate(hash: string): void;
}

export const AppContext = createContext<AppContextValue | null>(null);

export function useApp(): AppContextValue {
  const ctx = useContext(AppContext);
  if (!ctx) throw new Error('useApp outside AppContext');
  return ctx;
}

const isSet = (v: unknown) => typeof v === 'string' && v !== '';

/**
 * A local pulls from a central whose address it has; a site without a link (issue 20 §3) has
 * none, but it has pinned a central's key or received a central's versions in a bundle. A bundle
 * run turns versioning on, as every sync run does, so versioning alone does not make a central.
 */
export const roleOf = (s: Settings): Role =>
  isSet(s.keyRemoteInstanceUrl) ||
  isSet(s.keyCentralSigningKey) ||
  isSet(s.keyRemoteMetadataVersion)
    ? 'local'
    : s.keyVersionEnabled === true
      ? 'central'
      : 'standalone';

/**
 * Whether the user holds `ALL` or one of `anyOf`, as the server checks a route's authority: a
 * screen hides what the server would refuse this user.
 */
export const holds = (user: SessionUser, ...anyOf: string[]): boolean =>
  user.authorities.includes('ALL') || anyOf.some((a) => user.authorities.includes(a));
