/** Small shared pieces: a data table from rows, a status tag, a loading/error wrapper. */
import {
  CircularLoader,
  DataTable,
  DataTableBody,
  DataTableCell,
  DataTableColumnHeader,
  DataTableHead,
  DataTableRow,
  NoticeBox,
  Tag,
} from '@dhis2/ui';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { ApiError, errorText } from '../api.ts';

export function SimpleTable({
  columns,
  rows,
  empty = 'Nothing yet.',
  label,
}: {
  columns: string[];
  rows: ReactNode[][];
  empty?: string;
  label: string;
}) {
  return (
    <div className="table-wrap">
      <DataTable aria-label={label}>
        <DataTableHead>
          <DataTableRow>
            {columns.map((c) => (
              <DataTableColumnHeader key={c}>{c}</DataTableColumnHeader>
            ))}
          </DataTableRow>
        </DataTableHead>
        <DataTableBody>
          {rows.length === 0 ? (
            <DataTableRow>
              <DataTableCell colSpan={String(columns.length)}>{empty}</DataTableCell>
            </DataTableRow>
          ) : (
            rows.map((r, i) => (
              <DataTableRow key={i}>
                {r.map((cell, j) => (
                  <DataTableCell key={j}>{cell}</DataTableCell>
                ))}
              </DataTableRow>
            ))
          )}
        </DataTableBody>
      </DataTable>
    </div>
  );
}

export function StatusTag({ status }: { status: string }) {
  const s = status.toUpperCase();
  return (
    <Tag
      positive={s === 'SUCCESS' || s === 'OK' || s === 'COMPLETED' || s === 'UP_TO_DATE'}
      negative={s === 'FAILED' || s === 'ERROR' || s === 'DIVERGED' || s === 'FAILURE'}
      neutral={s === 'RUNNING' || s.startsWith('BEHIND') || s === 'WARNING'}
    >
      {status}
    </Tag>
  );
}

/** Loads once (and on reload()); renders a loader or the error until there is data. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The failed call's HTTP status, so a screen can tell "no such route" (404) from other failures.
  const [status, setStatus] = useState<number | null>(null);
  // The newest `load` (a screen passes a new closure each render), called by a stable reload.
  const latest = useRef(load);
  useEffect(() => {
    latest.current = load;
  });
  const reload = useCallback(
    () =>
      latest.current().then(setData, (e: unknown) => {
        setError(errorText(e));
        setStatus(e instanceof ApiError ? e.status : null);
      }),
    [],
  );
  const changes = useChangeCount(deps);
  useEffect(() => {
    void reload();
  }, [reload, changes]);
  return { data, error, status, reload };
}

/**
 * Grows by one whenever an element of `deps` changes (Object.is), so a caller's list of
 * dependencies can drive an effect whose dependency array stays a literal the hooks lint checks.
 * The previous list is kept in state and updated while rendering, as React documents for
 * "storing information from previous renders".
 */
function useChangeCount(deps: readonly unknown[]): number {
  const [seen, setSeen] = useState({ deps, count: 0 });
  if (deps.length === seen.deps.length && deps.every((d, i) => Object.is(d, seen.deps[i])))
    return seen.count;
  const next = { deps, count: seen.count + 1 };
  setSeen(next);
  return next.count;
}

export function Loading({ error }: { error: string | null }) {
  return error ? (
    <NoticeBox error title="Could not load">
      {error}
    </NoticeBox>
  ) : (
    <CircularLoader small />
  );
}
