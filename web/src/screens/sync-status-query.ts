/**
 * The local's sync status as its panel reads it through the app runtime: `?refresh=true` when
 * the central is to be asked first (the panel's first load, "Ask the central now", after a
 * rebaseline), the plain read otherwise (polls while a run goes on, after "Sync now").
 */
import { useRef, useState } from 'react';
import type { SyncStatus } from '../../../src/http/schemas/api-types.ts';
import type { ResourceQuery } from '../runtime.tsx';
import { useResource } from './common.tsx';

const STATUS: ResourceQuery = {
  resource: 'metadata/sync/status',
  params: ({ refresh }) => (refresh ? { refresh: true } : {}),
};

export function useSyncStatus() {
  // The runtime keeps one answer per set of variables, so switching `refresh` would show the
  // other set's older answer (or none) until the new one arrives; the panel shows the newest
  // answer of either kind instead, as it did before the runtime.
  const [newest, setNewest] = useState<SyncStatus>();
  // The runtime's refetch never settles when a call with new variables fails; the callers
  // (the "Asking the central…" button) wait for the answer or the failure, whichever comes.
  const waiting = useRef<(() => void)[]>([]);
  const settle = () => {
    const done = waiting.current;
    waiting.current = [];
    for (const resolve of done) resolve();
  };
  const query = useResource<SyncStatus>(STATUS, {
    variables: { refresh: true },
    // The whole query's answer: useResource names its one resource `answer`.
    onComplete: (d) => {
      setNewest((d as { answer: SyncStatus }).answer);
      settle();
    },
    onError: settle,
  });
  const read = (refresh: boolean) =>
    new Promise<void>((resolve) => {
      waiting.current.push(resolve);
      void query.refetch({ refresh });
    });
  return {
    data: newest,
    error: query.error,
    /** Asks the central for its newest version, then reads the status. */
    ask: () => read(true),
    /** Reads what this instance knows, without asking the central. */
    read: () => read(false),
  };
}
