/** Data Administration → Metadata versioning, for a central and for a local. */
import { Button, NoticeBox, Radio } from '@dhis2/ui';
import { useDataEngine } from '@dhis2/app-runtime';
import { useEffect, useState } from 'react';
import { errorText } from '../api.ts';
import { num, when } from '../format.ts';
import { i18n } from '../i18n.ts';
import { holds, useApp } from '../context.tsx';
import { mutation } from '../runtime.tsx';
import { Loading, SimpleTable, useResource } from './common.tsx';
import { ExportBundle } from './ExportBundle.tsx';
import { StateTag } from './RolloutVersions.tsx';
import { Authority } from '../../../src/domain/authorities.ts';
import { SigningKeyPanel } from './SigningKey.tsx';
import { LocalStatus } from './LocalStatus.tsx';
import { AuditLog } from './AuditLog.tsx';
import { versionSyncTimes } from '../version-sync-times.ts';
import type {
  MetadataVersion,
  MetadataVersionList,
  RolloutVersions,
  SyncReport,
  VersionPreview,
} from '../../../src/http/schemas/api-types.ts';

const typeLabel = (t: string) => (t === 'ATOMIC' ? i18n.t('Atomic') : i18n.t('Best effort'));

const VERSIONS = { resource: 'metadata/versions' };
const ROLLOUT = { resource: 'metasync/rollout/versions' };
const REPORTS = { resource: 'metadata/sync/reports', params: { limit: 200 } };
const PREVIEW = { resource: 'metadata/version/preview' };
const CREATE = mutation({
  resource: 'metadata/version/create',
  type: 'create',
  params: ({ type }) => ({ type: type as string }),
});

export function Versioning() {
  const { role, user } = useApp();
  // Bumped by each sync from this screen: the key box reads the pin again (a first sync pins).
  const [syncs, setSyncs] = useState(0);
  const versions = useResource<MetadataVersionList>(VERSIONS);
  const list = [...(versions.data?.metadataversions ?? [])].sort((a, b) =>
    b.created.localeCompare(a.created),
  );
  // A central's rollout state per version (issue 22 §2), for those who may see the rollout; only
  // asked for when it is shown, so the reads wait (lazy) until the effect below starts them.
  const showStates = role === 'central' && holds(user, Authority.F_METADATA_MANAGE);
  const rollout = useResource<RolloutVersions>(ROLLOUT, { lazy: true });
  // A local's "Last sync attempt" and "Last sync" per version, from its runs' reports (seed:
  // configure-metadata-synchronizing.md); a version whose last try failed is listed too.
  const isLocal = role === 'local';
  const reports = useResource<{ reports: SyncReport[] }>(REPORTS, { lazy: true });
  const { refetch: readRollout } = rollout;
  const { refetch: readReports } = reports;
  useEffect(() => {
    if (showStates) void readRollout();
  }, [showStates, readRollout]);
  useEffect(() => {
    if (isLocal) void readReports();
  }, [isLocal, readReports]);
  // A new version or a sync changes all three lists; the rollout's and the reports' only if shown.
  const readAgain = () => {
    void versions.refetch();
    if (showStates) void readRollout();
    if (isLocal) void readReports();
  };
  const shownRollout = showStates ? (rollout.data?.versions ?? []) : [];
  const states = new Map(shownRollout.map((v) => [v.name, v.state]));
  // `/api/metadata/versions` shows a user outside the ring only the released chain; the versions
  // still on trial, always the newest, come from the rollout's view, so a new one shows at once.
  const trial = shownRollout
    .filter((v) => v.state !== 'RELEASED' && !list.some((l) => l.name === v.name))
    .reverse();
  const rows = [
    ...trial.map((v) => ({ name: v.name, when: v.created, type: v.type })),
    // A list item's import date is `importdate`, in lower case (DHIS2's, contract §6.2).
    ...list.map((v) => ({ name: v.name, when: v.importdate ?? v.created, type: v.type })),
  ];
  const times = versionSyncTimes(isLocal ? (reports.data?.reports ?? []) : []);
  const master = rows[0]?.name;
  if (isLocal)
    for (const [name, t] of times)
      if (t.failedAttempt && !rows.some((r) => r.name === name))
        rows.unshift({ name, when: '', type: t.type });
  return (
    <section aria-labelledby="versioning-title">
      <h2 id="versioning-title">{i18n.t('Metadata versioning')}</h2>
      {role === 'local' ? (
        <LocalStatus
          onSynced={() => {
            setSyncs((n) => n + 1);
            readAgain();
          }}
        />
      ) : (
        <>
          <CreateVersion onCreated={readAgain} />
          {list.length > 0 && <ExportBundle names={list.map((v) => v.name).reverse()} />}
        </>
      )}
      <div className="panel">
        <h3>{i18n.t('Versions')}</h3>
        {!versions.data ? (
          <Loading error={versions.error} />
        ) : (
          <SimpleTable
            label={i18n.t('Metadata versions')}
            columns={[
              i18n.t('Master version'),
              i18n.t('Version'),
              i18n.t('When'),
              i18n.t('Type'),
              ...(showStates ? [i18n.t('State')] : []),
              ...(isLocal ? [i18n.t('Last sync attempt'), i18n.t('Last sync')] : []),
            ]}
            empty={i18n.t('No versions yet.')}
            rows={rows.map((v) => [
              v.name === master ? '✓ ' + v.name : '',
              v.name,
              when(v.when),
              typeLabel(v.type),
              ...(showStates
                ? [states.has(v.name) ? <StateTag key="s" state={states.get(v.name)!} /> : '']
                : []),
              ...(isLocal
                ? [
                    times.get(v.name)?.failedAttempt ? (
                      <span key="a" title={times.get(v.name)?.failure ?? undefined}>
                        {when(times.get(v.name)?.failedAttempt)}
                      </span>
                    ) : (
                      ''
                    ),
                    when(times.get(v.name)?.lastSync),
                  ]
                : []),
            ])}
          />
        )}
      </div>
      <SigningKeyPanel key={syncs} />
      {isLocal && <AuditLog refresh={syncs} />}
    </section>
  );
}

function CreateVersion({ onCreated }: { onCreated: () => void }) {
  const { role, alert, navigate } = useApp();
  const [type, setType] = useState<'BEST_EFFORT' | 'ATOMIC'>('BEST_EFFORT');
  const [busy, setBusy] = useState(false);
  const engine = useDataEngine();
  const preview = useResource<VersionPreview>(PREVIEW);
  const create = async () => {
    setBusy(true);
    try {
      const v = (await engine.mutate(CREATE, {
        variables: { type },
      })) as unknown as MetadataVersion;
      alert(i18n.t('Created {{name}} ({{type}})', { name: v.name, type: typeLabel(v.type) }));
      onCreated();
      void preview.refetch();
    } catch (e) {
      alert(i18n.t('No version created: {{error}}', { error: errorText(e) }), 'critical');
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="panel">
      {role !== 'central' && (
        <NoticeBox warning title={i18n.t('Versioning is not enabled')}>
          {i18n.t(
            'Turn on “Enable versioning for metadata sync” in Settings → Synchronization to make this instance a central.',
          )}{' '}
          <a href="#/settings/sync" onClick={() => navigate('/settings/sync')}>
            {i18n.t('Open the synchronization settings')}
          </a>
        </NoticeBox>
      )}
      <h3>{i18n.t('Create new version')}</h3>
      <fieldset>
        <legend>{i18n.t('Version type')}</legend>
        <div className="row">
          <Radio
            label={i18n.t('Best effort')}
            name="versionType"
            value="BEST_EFFORT"
            checked={type === 'BEST_EFFORT'}
            onChange={() => setType('BEST_EFFORT')}
          />
          <Radio
            label={i18n.t('Atomic')}
            name="versionType"
            value="ATOMIC"
            checked={type === 'ATOMIC'}
            onChange={() => setType('ATOMIC')}
          />
        </div>
      </fieldset>
      <p className="muted">
        {type === 'ATOMIC'
          ? i18n.t('Atomic: a local imports all of it or nothing.')
          : i18n.t('Best effort: a local imports what it can and reports the rest.')}
      </p>
      <div data-test="version-preview">
        {!preview.data ? (
          <Loading error={preview.error} />
        ) : (
          <p>
            <strong>{preview.data.name}</strong>:{' '}
            {i18n.t('{{objects}}, {{deletions}} ({{size}} kB): {{types}}.', {
              objects: i18n.t('{{n}} object', {
                count: preview.data.objects,
                n: num(preview.data.objects),
              }),
              deletions: i18n.t('{{n}} deletion', {
                count: preview.data.deletions,
                n: num(preview.data.deletions),
              }),
              size: num(Math.ceil(preview.data.bytes / 1024)),
              types:
                Object.entries(preview.data.types)
                  .map(([t, n]) => `${t} ${num(n)}`)
                  .join(', ') || i18n.t('no objects'),
            })}
          </p>
        )}
      </div>
      <Button primary onClick={() => void create()} loading={busy}>
        {i18n.t('Create new version')}
      </Button>
    </div>
  );
}
