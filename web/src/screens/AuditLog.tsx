/**
 * The sync audit log (issue 24 §3; `GET /api/metadata/sync/audit`): who rebaselined, repaired
 * drift or changed a key pin, when and why, newest first.
 */
import { i18n } from '../i18n.ts';
import { Button } from '@dhis2/ui';
import { useEffect, useRef } from 'react';
import { when } from '../format.ts';
import { Loading, SimpleTable, useResource } from './common.tsx';
import type { SyncAuditEntry } from '../../../src/http/schemas/api-types.ts';

/** An action's details as short `key: value` text; long values are cut (the API has them whole). */
export function describeDetails(details: unknown): string {
  if (!details || typeof details !== 'object') return '';
  return Object.entries(details as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => {
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      return `${k}: ${text.length > 60 ? text.slice(0, 59) + '…' : text}`;
    })
    .join('; ');
}

const AUDIT = { resource: 'metadata/sync/audit' };

export function AuditLog({ refresh = 0 }: { refresh?: number }) {
  const answer = useResource<{ audit: SyncAuditEntry[] }>(AUDIT);
  const { refetch } = answer;
  // A new `refresh` (a sync on the screen around) asks again; the first was asked on mount.
  const seen = useRef(refresh);
  useEffect(() => {
    if (seen.current === refresh) return;
    seen.current = refresh;
    void refetch();
  }, [refresh, refetch]);
  const audit = {
    ...answer,
    data: answer.data && [...answer.data.audit].sort((a, b) => b.at.localeCompare(a.at)),
  };
  return (
    <div className="panel" data-test="audit-log">
      <div className="row" style={{ justifyContent: 'space-between', alignItems: 'center' }}>
        <h3 id="audit-title">{i18n.t('Audit log')}</h3>
        <Button small onClick={() => void audit.refetch()}>
          {i18n.t('Reload')}
        </Button>
      </div>
      <p className="muted">
        {i18n.t('Recovery actions and key changes: who did what, when, and why.')}
      </p>
      {!audit.data ? (
        <Loading error={audit.error} />
      ) : (
        <SimpleTable
          label={i18n.t('Audit log')}
          columns={[
            i18n.t('When'),
            i18n.t('Action'),
            i18n.t('User'),
            i18n.t('Reason'),
            i18n.t('Details'),
          ]}
          empty={i18n.t('Nothing audited yet.')}
          rows={audit.data.map((a) => [
            when(a.at),
            a.action,
            a.username,
            a.reason,
            describeDetails(a.details),
          ])}
        />
      )}
    </div>
  );
}
