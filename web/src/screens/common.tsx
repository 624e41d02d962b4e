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
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ApiError, errorText } from '../api.ts';
import { i18n } from '../i18n.ts';

export function SimpleTable({
  columns,
  rows,
  empty,
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
              <DataTableCell colSpan={String(columns.length)}>
                {empty ?? i18n.t('Nothing yet.')}
              </DataTableCell>
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
  const reload = useCallback(
    () =>
      load().then(setData, (e: unknown) => {
        setError(errorText(e));
        setStatus(e instanceof ApiError ? e.status : null);
      }),
    deps,
  );
  useEffect(() => {
    void reload();
  }, [reload]);
  return { data, error, status, reload };
}

export function Loading({ error }: { error: string | null }) {
  return error ? (
    <NoticeBox error title={i18n.t('Could not load')}>
      {error}
    </NoticeBox>
  ) : (
    <CircularLoader small />
  );
}
