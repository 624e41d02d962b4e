/**
 * Drift (issue 23 §1, §4), on a local, for F_METADATA_MANAGE: what was changed, created or
 * deleted here behind the central's back, compared with the state the applied versions imply
 * (GET /api/metasync/drift), and the repair that puts it back (DriftRepair.tsx). The server cuts
 * each list at `limit`; the counts are always complete.
 */
import { i18n } from '../i18n.ts';
import { Button, NoticeBox } from '@dhis2/ui';
import { useCallback, useState } from 'react';
import { when } from '../format.ts';
import { Loading, SimpleTable, useResource } from './common.tsx';
import { DriftList } from './DriftList.tsx';
import { DriftRepair } from './DriftRepair.tsx';
import type { DriftReport } from '../../../src/http/schemas/api-types.ts';

/** Objects listed per list; the server's default, and what "the lists are cut" refers to. */
export const DRIFT_LIMIT = 500;

/** Dates and version names are interpolated as they are (i18next would HTML-escape a "/"). */
export const RAW = { interpolation: { escapeValue: false } };

function BaseLine({ base }: { base: NonNullable<DriftReport['base']> }) {
  const text =
    base.kind === 'REBASELINE'
      ? i18n.t('Compared with the state rebaselined to {{version}} on {{since}}, up to {{upTo}}.', {
          version: base.version,
          since: when(base.since),
          upTo: base.upTo,
          ...RAW,
        })
      : i18n.t('Compared with {{version}}, applied since {{since}}, up to {{upTo}}.', {
          version: base.version,
          since: when(base.since),
          upTo: base.upTo,
          ...RAW,
        });
  return <p data-test="drift-base">{text}</p>;
}

/** The three lists, each titled in the current language when drawn. */
const KINDS = [
  { kind: 'changed', title: () => i18n.t('Changed locally') },
  { kind: 'created', title: () => i18n.t('Created locally') },
  { kind: 'deleted', title: () => i18n.t('Deleted locally') },
] as const;

const REPORT = { resource: 'metasync/drift', params: { limit: DRIFT_LIMIT } };

export function Drift() {
  const report = useResource<DriftReport>(REPORT);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [repairing, setRepairing] = useState(false);
  const [checking, setChecking] = useState(false);
  const { refetch } = report;
  const checkAgain = useCallback(async () => {
    setChecking(true);
    try {
      await refetch();
      setSelected(new Set());
    } finally {
      setChecking(false);
    }
  }, [refetch]);
  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const r = report.data;
  const total = r ? r.counts.changed + r.counts.created + r.counts.deleted : 0;
  return (
    <section aria-labelledby="drift-title">
      <h2 id="drift-title">{i18n.t('Drift')}</h2>
      <div className="panel" data-test="drift-summary">
        <p className="muted">
          {i18n.t(
            'What was changed on this instance behind the central’s back: its live metadata compared with the state the versions it applied imply.',
          )}
        </p>
        {!r ? (
          <Loading error={report.error} />
        ) : !r.base ? (
          <NoticeBox title={i18n.t('No version applied yet')}>
            {i18n.t('Nothing implies a state yet, so nothing can drift.')}
          </NoticeBox>
        ) : (
          <>
            <BaseLine base={r.base} />
            <p className="muted" data-test="drift-checked">
              {i18n.t('Checked {{at}}', { at: when(r.checkedAt), ...RAW })}
            </p>
            {total === 0 ? (
              <NoticeBox valid title={i18n.t('No drift')}>
                {i18n.t('No drift: this instance matches the versions it applied.')}
              </NoticeBox>
            ) : (
              <SimpleTable
                label={i18n.t('Drift per type')}
                columns={[i18n.t('Type'), i18n.t('Changed'), i18n.t('Created'), i18n.t('Deleted')]}
                rows={[
                  ...Object.entries(r.types)
                    .sort(([a], [b]) => a.localeCompare(b))
                    .map(([type, c]) => [type, c.changed, c.created, c.deleted]),
                  [
                    <strong key="t">{i18n.t('Total')}</strong>,
                    r.counts.changed,
                    r.counts.created,
                    r.counts.deleted,
                  ],
                ]}
              />
            )}
            {r.truncated && (
              <div style={{ marginTop: 8 }}>
                <NoticeBox warning title={i18n.t('Lists cut short')}>
                  {i18n.t(
                    'Each list shows at most {{limit}} objects; the counts above are complete.',
                    { limit: DRIFT_LIMIT },
                  )}
                </NoticeBox>
              </div>
            )}
          </>
        )}
        <div className="row" style={{ marginTop: 12 }}>
          <Button onClick={() => void checkAgain()} loading={checking}>
            {i18n.t('Check again')}
          </Button>
          {r?.base && total > 0 && (
            <Button primary onClick={() => setRepairing(true)}>
              {i18n.t('Repair…')}
            </Button>
          )}
        </div>
      </div>
      {r?.base && total > 0 && (
        <>
          {KINDS.map(({ kind, title }) => (
            <DriftList
              key={kind}
              kind={kind}
              title={title()}
              count={r.counts[kind]}
              objects={r[kind]}
              selected={selected}
              onToggle={toggle}
            />
          ))}
        </>
      )}
      {repairing && r && (
        <DriftRepair
          types={Object.keys(r.types).sort()}
          selected={[...selected]}
          onClose={() => setRepairing(false)}
          onRepaired={() => void checkAgain()}
        />
      )}
    </section>
  );
}
