/**
 * The DHIS2 app runtime pointed at this server (issue 24 §2): every screen reads with
 * `useDataQuery` and changes with `useDataMutation` or the runtime's engine, as DHIS2's own apps
 * do. The runtime asks under the API version (`/api/41/…`), which the server answers like the
 * unversioned path, as DHIS2 does (`src/http/app.ts` unversionedApiUrl).
 */
import { Provider, useDataEngine, useDataQuery } from '@dhis2/app-runtime';
import { useEffect, useRef, type ReactNode } from 'react';

/** The DHIS2 API version the UI's requests name. */
export const API_VERSION = 41;

const config = { baseUrl: window.location.origin, apiVersion: API_VERSION };

export function RuntimeProvider({ children }: { children: ReactNode }) {
  // No DHIS2 user (`/api/me`) or plugin host here: the shell reads the session itself.
  return (
    <Provider
      config={config}
      userInfo={undefined}
      plugin={false}
      parentAlertsAdd={undefined}
      showAlertsInPlugin={false}
    >
      {children}
    </Provider>
  );
}

/**
 * Calls `refetch` every `ms` while `active` (the runtime has no polling of its own); the screen
 * keeps its data between calls, as the runtime's `loading` is only true before the first answer.
 */
export function usePolling(refetch: () => unknown, ms: number, active = true): void {
  const latest = useRef(refetch);
  useEffect(() => {
    latest.current = refetch;
  });
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => void latest.current(), ms);
    return () => clearInterval(t);
  }, [ms, active]);
}

type Query = Parameters<typeof useDataQuery>[0];
/** One resource of a runtime query: path, id, params and data (static or from variables). */
export type ResourceQuery = Query[string];
/** A change the runtime's engine sends (`engine.mutate`, `useDataMutation`). */
export type Mutation = Parameters<ReturnType<typeof useDataEngine>['mutate']>[0];

/**
 * A change as this server's routes take it. The runtime's types want data on every `create` and
 * an id on every `delete`; its engine sends neither when absent, and the action routes
 * (`metadata/sync/run`, `jobConfigurations/{id}/execute`, the session's DELETE) take no body.
 */
export const mutation = (
  m: ResourceQuery & { type: 'create' | 'update' | 'replace' | 'delete' },
): Mutation => m as Mutation;
