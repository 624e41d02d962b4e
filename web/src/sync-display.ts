/**
 * What the sync screens show, apart from React (issue 24 §3), so that unit tests can check it:
 * the status headline that is never a bare "Up to date", the central versions a rebaseline
 * offers, and a run's share done.
 */
import { i18n } from './i18n.ts';
import { when } from './format.ts';
import type { SyncReport, SyncStatus } from '../../src/http/schemas/api-types.ts';

type Freshness = Pick<SyncStatus, 'remoteCheckedAt' | 'remoteCheckError'>;

/** The headline of an UP_TO_DATE status: up to date as of the time the central was last asked. */
export function upToDateHeadline(s: Freshness): string {
  if (s.remoteCheckError)
    return s.remoteCheckedAt
      ? i18n.t('Up to date as of {{time}}; the central could not be asked now', {
          time: when(s.remoteCheckedAt),
        })
      : i18n.t('Not known: the central could not be asked');
  if (!s.remoteCheckedAt) return i18n.t('Not known: the central has not been asked yet');
  return i18n.t('Up to date as of {{time}}', { time: when(s.remoteCheckedAt) });
}

/**
 * The central's versions to choose from, newest first: DHIS2 names them Version_1…Version_<n>,
 * so the central's newest name gives them all (the server checks the choice with the central).
 */
export function centralVersionNames(remoteVersion: string | null): string[] {
  const n = /^Version_(\d+)$/.exec(remoteVersion ?? '')?.[1];
  if (!n) return [];
  return Array.from({ length: Number(n) }, (_, i) => `Version_${Number(n) - i}`);
}

const versionNumber = (name: string | null | undefined) => {
  const n = /^Version_(\d+)$/.exec(name ?? '')?.[1];
  return n ? Number(n) : null;
};

/**
 * The share of the run's versions done: those the report lists as tried, against the span from
 * the version it started at to the central's newest (known once the history step has run).
 */
export function runShare(r: Pick<SyncReport, 'versions' | 'fromVersion' | 'remoteVersion'>): {
  done: number;
  total: number | null;
} {
  const done = r.versions.filter((v) => v.status !== 'NOT_EXECUTED').length;
  const to = versionNumber(r.remoteVersion);
  const from = versionNumber(r.fromVersion) ?? 0;
  return { done, total: to === null ? null : Math.max(to - from, done) };
}
