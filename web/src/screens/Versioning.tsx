/** Data Administration → Metadata versioning, for a central and for a local. */
import { Button, NoticeBox, Radio, SingleSelectField, SingleSelectOption } from '@dhis2/ui';
import { useState } from 'react';
import { api, errorText } from '../api.ts';
import { num, when } from '../format.ts';
import { i18n } from '../i18n.ts';
import { holds, useApp } from '../context.tsx';
import { Loading, SimpleTable, useLoad } from './common.tsx';
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

export function Versioning() {
  const { role, user } = useApp();
  // Bumped by each sync from this screen: the key box reads the pin again (a first sync pins).
  const [syncs, setSyncs] = useState(0);
  const versions = useLoad(() =>
    api<MetadataVersionList>('/api/metadata/versions').then((r) => r.metadataversions),
  );
  const list = [...(versions.data ?? [])].sort((a, b) => b.created.localeCompare(a.created));
  // A central's rollout state per version (issue 22 §2), for those who may see the rollout.
  const showStates = role === 'central' && holds(user, Authority.F_METADATA_MANAGE);
  const rollout = useLoad(
    () =>
      showStates
        ? api<RolloutVersions>('/api/metasync/rollout/versions').then((r) => r.versions)
        : Promise.resolve([]),
    [showStates, versions.data],
  );
  const states = new Map((rollout.data ?? []).map((v) => [v.name, v.state]));
  // `/api/metadata/versions` shows a user outside the ring only the released chain; the versions
  // still on trial, always the newest, come from the rollout's view, so a new one shows at once.
  const trial = (rollout.data ?? [])
    .filter((v) => v.state !== 'RELEASED' && !list.some((l) => l.name === v.name))
    .reverse();
  const rows = [
    ...trial.map((v) => ({ name: v.name, when: v.created, type: v.type })),
    // A list item's import date is `importdate`, in lower case (DHIS2's, contract §6.2).
    ...list.map((v) => ({ name: v.name, when: v.importdate ?? v.created, type: v.type })),
  ];
  // A local's "Last sync attempt" and "Last sync" per version, from its runs' reports (seed:
  // configure-metadata-synchronizing.md); a version whose last try failed is listed too.
  const isLocal = role === 'local';
  const reports = useLoad(
    () =>
      isLocal
        ? api<{ reports: SyncReport[] }>('/api/metadata/sync/reports?limit=200').then(
            (r) => r.reports,
          )
        : Promise.resolve([]),
    [isLocal, versions.data],
  );
  const times = versionSyncTimes(reports.data ?? []);
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
            void versions.reload();
          }}
        />
      ) : (
        <>
          <CreateVersion onCreated={() => void versions.reload()} />
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
  const preview = useLoad(() => api<VersionPreview>('/api/metadata/version/preview'));
  const create = async () => {
    setBusy(true);
    try {
      const v = await api<MetadataVersion>(`/api/metadata/version/create?type=${type}`, {
        method: 'POST',
      });
      alert(i18n.t('Created {{name}} ({{type}})', { name: v.name, type: typeLabel(v.type) }));
      onCreated();
      void preview.reload();
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

/**
 * A signed offline bundle of a range of versions, for a site without a link (issue 20 §2). The
 * browser downloads it straight from the server (the session cookie authenticates a GET), so a
 * bundle of any size streams to disk instead of passing through the page's memory.
 */
function ExportBundle({ names }: { names: string[] }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const first = from || names[0]!;
  const last = to || names.at(-1)!;
  const backwards = names.indexOf(first) > names.indexOf(last);
  const href = `/api/metasync/bundles?from=${encodeURIComponent(first)}&to=${encodeURIComponent(last)}`;
  return (
    <div className="panel" data-test="export-bundle">
      <h3>{i18n.t('Offline bundle')}</h3>
      <p className="muted">
        {i18n.t(
          'The versions from one to another in one signed file, for a site without a link: carry it on a USB stick and import it there.',
        )}
      </p>
      <div className="row">
        <SingleSelectField
          label={i18n.t('From')}
          selected={first}
          onChange={({ selected }: { selected: string }) => setFrom(selected)}
        >
          {names.map((n) => (
            <SingleSelectOption key={n} value={n} label={n} />
          ))}
        </SingleSelectField>
        <SingleSelectField
          label={i18n.t('To')}
          selected={last}
          onChange={({ selected }: { selected: string }) => setTo(selected)}
          error={backwards}
          validationText={
            backwards ? i18n.t('{{last}} comes before {{first}}', { last, first }) : undefined
          }
        >
          {names.map((n) => (
            <SingleSelectOption key={n} value={n} label={n} />
          ))}
        </SingleSelectField>
      </div>
      <Button disabled={backwards} onClick={() => window.location.assign(href)}>
        {i18n.t('Export bundle')}
      </Button>
    </div>
  );
}
