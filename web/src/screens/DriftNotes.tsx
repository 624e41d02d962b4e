/**
 * Drift where it is news elsewhere (issue 23 §3): the status panel's DRIFTED warning (not
 * blocking: a sync still runs) with a link to the Drift screen, and a run's drift in its detail
 * view (the check after the run, and the objects each version touched that had drifted before it
 * was imported).
 */
import { i18n } from '../i18n.ts';
import { NoticeBox } from '@dhis2/ui';
import { when } from '../format.ts';
import { holds, useApp } from '../context.tsx';
import { SimpleTable } from './common.tsx';
import { Authority } from '../../../src/domain/authorities.ts';
import type { SyncReport, SyncStatus } from '../../../src/http/schemas/api-types.ts';

type Counts = { changed: number; created: number; deleted: number };

const anyDrift = (d: Counts | null | undefined): d is Counts =>
  !!d && d.changed + d.created + d.deleted > 0;

const countsText = (d: Counts) =>
  i18n.t('{{changed}} changed, {{created}} created, {{deleted}} deleted locally', {
    changed: d.changed,
    created: d.created,
    deleted: d.deleted,
  });

/** The status panel's warning; nothing when the last check found no drift (or none ran). */
export function DriftWarning({ drift }: { drift: SyncStatus['drift'] | undefined }) {
  const { user, navigate } = useApp();
  if (!anyDrift(drift)) return null;
  return (
    <div style={{ marginTop: 8 }} data-test="drift-warning">
      <NoticeBox warning title={i18n.t('DRIFTED: {{counts}}', { counts: countsText(drift) })}>
        {i18n.t(
          'Metadata was edited on this instance behind the central’s back (checked {{at}}). The next versions may fail or overwrite it.',
          { at: when(drift.checkedAt), interpolation: { escapeValue: false } },
        )}{' '}
        {holds(user, Authority.F_METADATA_MANAGE) && (
          <a
            href="#/drift"
            onClick={(e) => {
              e.preventDefault();
              navigate('/drift');
            }}
          >
            {i18n.t('Show the drift')}
          </a>
        )}
      </NoticeBox>
    </div>
  );
}

const kindText = (kind: string) =>
  kind === 'changed'
    ? i18n.t('changed')
    : kind === 'created'
      ? i18n.t('created')
      : i18n.t('deleted');

/** A run's drift: the check after it, and each version's drifted objects. */
export function RunDrift({ report }: { report: SyncReport }) {
  const versions = report.versions.filter((v) => (v.drifted?.length ?? 0) > 0);
  if (!anyDrift(report.drift) && versions.length === 0) return null;
  return (
    <div data-test="run-drift">
      <h3>{i18n.t('Drift')}</h3>
      {anyDrift(report.drift) && (
        <p>
          {i18n.t('After this run: {{counts}} (checked {{at}}).', {
            counts: countsText(report.drift),
            at: when(report.drift.checkedAt),
            interpolation: { escapeValue: false },
          })}
        </p>
      )}
      {versions.map((v) => (
        <div key={v.name} data-test="version-drifted">
          <p>{i18n.t('{{version}}: drifted locally before this version:', { version: v.name })}</p>
          <SimpleTable
            label={i18n.t('Drifted before {{version}}', { version: v.name })}
            columns={[i18n.t('Type'), i18n.t('Object'), i18n.t('Name'), i18n.t('Drift')]}
            rows={(v.drifted ?? []).map((o) => [o.type, o.id, o.name ?? '—', kindText(o.kind)])}
          />
        </div>
      ))}
    </div>
  );
}
