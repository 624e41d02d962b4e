/** The sections: the tabs (which instance and user sees which) and the hash routes to screens. */
import { NoticeBox } from '@dhis2/ui';
import { useEffect, useState } from 'react';
import { Authority } from '../../src/domain/authorities.ts';
import { holds, type Role, type SessionUser } from './context.tsx';
import { i18n } from './i18n.ts';
import { Drift } from './screens/Drift.tsx';
import { Fleet } from './screens/Fleet.tsx';
import { History, HistoryDetail } from './screens/History.tsx';
import { ImportExport } from './screens/ImportExport.tsx';
import { Rollout } from './screens/Rollout.tsx';
import { Scheduler } from './screens/Scheduler.tsx';
import { EmailSettings, SyncSettings } from './screens/Settings.tsx';
import { Versioning } from './screens/Versioning.tsx';

/** The route in the page's hash; the versioning screen when there is none. */
export const useHash = () => {
  const [hash, setHash] = useState(() => window.location.hash.slice(1) || '/versioning');
  useEffect(() => {
    const on = () => setHash(window.location.hash.slice(1) || '/versioning');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
};

/**
 * `centralOnly`: not on a plain local; `relayToo`: on a relay as well (issue 21 §4, its fleet);
 * `localOnly`: on a local (a relay too) only, e.g. its drift (issue 23).
 * `authority`: shown only to a user who holds it (the server refuses the screen's calls).
 */
export const NAV: {
  hash: string;
  label: () => string;
  centralOnly?: boolean;
  relayToo?: boolean;
  localOnly?: boolean;
  authority?: string;
}[] = [
  { hash: '/versioning', label: () => i18n.t('Metadata versioning') },
  { hash: '/history', label: () => i18n.t('Sync history') },
  { hash: '/scheduler', label: () => i18n.t('Scheduler') },
  { hash: '/import', label: () => i18n.t('Import/Export') },
  { hash: '/fleet', label: () => i18n.t('Fleet'), centralOnly: true, relayToo: true },
  {
    hash: '/rollout',
    label: () => i18n.t('Rollout'),
    centralOnly: true,
    authority: Authority.F_METADATA_MANAGE,
  },
  {
    hash: '/drift',
    label: () => i18n.t('Drift'),
    localOnly: true,
    authority: Authority.F_METADATA_MANAGE,
  },
  { hash: '/settings/sync', label: () => i18n.t('Settings: Synchronization') },
  { hash: '/settings/email', label: () => i18n.t('Settings: Email') },
];

/** The tabs this instance (by its role, a relay or not) offers this user. */
export const visibleNav = (role: Role, relay: boolean, user: SessionUser) =>
  NAV.filter(
    (n) =>
      (!n.centralOnly || role !== 'local' || (relay && n.relayToo)) &&
      (!n.localOnly || role === 'local') &&
      (!n.authority || holds(user, n.authority)),
  );

export function Route({ hash }: { hash: string }) {
  const detail = /^\/history\/([^/]+)$/.exec(hash);
  if (detail) return <HistoryDetail id={decodeURIComponent(detail[1]!)} />;
  switch (hash) {
    case '/settings/sync':
      return <SyncSettings />;
    case '/settings/email':
      return <EmailSettings />;
    case '/history':
      return <History />;
    case '/scheduler':
      return <Scheduler />;
    case '/import':
      return <ImportExport />;
    case '/fleet':
      return <Fleet />;
    case '/rollout':
      return <Rollout />;
    case '/drift':
      return <Drift />;
    case '/versioning':
      return <Versioning />;
    default:
      return (
        <NoticeBox warning title={i18n.t('Not found')}>
          {i18n.t('No page at #{{hash}}.', { hash })}
        </NoticeBox>
      );
  }
}
