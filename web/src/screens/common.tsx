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
import { useDataQuery } from '@dhis2/app-runtime';
import { type ReactNode } from 'react';
import { errorText } from '../api.ts';
import type { ResourceQuery } from '../runtime.tsx';
import { num } from '../format.ts';
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

/**
 * A status as the user reads it: the server's code (SUCCESS, BEHIND 2) in English, as DHIS2
 * shows it, translated in the other languages; a code not listed here is shown as sent.
 */
const STATUS_TEXT: Record<string, () => string> = {
  SUCCESS: () => i18n.t('SUCCESS'),
  OK: () => i18n.t('OK'),
  COMPLETED: () => i18n.t('COMPLETED'),
  UP_TO_DATE: () => i18n.t('UP_TO_DATE'),
  WARNING: () => i18n.t('WARNING'),
  FAILED: () => i18n.t('FAILED'),
  FAILURE: () => i18n.t('FAILURE'),
  ERROR: () => i18n.t('ERROR'),
  DIVERGED: () => i18n.t('DIVERGED'),
  RUNNING: () => i18n.t('RUNNING'),
  INTERRUPTED: () => i18n.t('INTERRUPTED'),
  SKIPPED: () => i18n.t('SKIPPED'),
  NOT_EXECUTED: () => i18n.t('NOT_EXECUTED'),
  NOT_CONFIGURED: () => i18n.t('NOT_CONFIGURED'),
  SCHEDULED: () => i18n.t('SCHEDULED'),
  SENT: () => i18n.t('SENT'),
  UNKNOWN: () => i18n.t('UNKNOWN'),
  BEHIND: () => i18n.t('BEHIND'),
  'ALREADY HERE': () => i18n.t('ALREADY HERE'),
  'NOT IMPORTED': () => i18n.t('NOT IMPORTED'),
  CANARY: () => i18n.t('CANARY'),
  HELD: () => i18n.t('HELD'),
  RELEASED: () => i18n.t('RELEASED'),
};

export const statusText = (status: string): string => {
  const behind = /^BEHIND (\d+)$/.exec(status);
  if (behind) return i18n.t('BEHIND {{n}}', { n: num(Number(behind[1])) });
  return STATUS_TEXT[status]?.() ?? status;
};

export function StatusTag({ status }: { status: string }) {
  const s = status.toUpperCase();
  return (
    <Tag
      positive={s === 'SUCCESS' || s === 'OK' || s === 'COMPLETED' || s === 'UP_TO_DATE'}
      negative={s === 'FAILED' || s === 'ERROR' || s === 'DIVERGED' || s === 'FAILURE'}
      neutral={s === 'RUNNING' || s.startsWith('BEHIND') || s === 'WARNING'}
    >
      {statusText(status)}
    </Tag>
  );
}

type QueryOptions = NonNullable<Parameters<typeof useDataQuery>[1]>;

/**
 * One resource read through the app runtime (`useDataQuery`), with its answer typed: `data` is
 * undefined until the first answer and kept while `refetch` asks again.
 */
export function useResource<T>(query: ResourceQuery, options?: QueryOptions) {
  const result = useDataQuery({ answer: query }, options);
  return { ...result, data: (result.data as { answer: T } | undefined)?.answer };
}

/** A loader until the first answer, or the failure (a runtime FetchError, a message). */
export function Loading({ error }: { error?: unknown }) {
  return error ? (
    <NoticeBox error title={i18n.t('Could not load')}>
      {typeof error === 'string' ? error : errorText(error)}
    </NoticeBox>
  ) : (
    <CircularLoader small />
  );
}
