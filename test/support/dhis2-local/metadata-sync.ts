/**
 * The metadata half of a DHIS2 local's META_DATA_SYNC run (issue 16 §12, contract §9, §9.1,
 * §10): the remote list (`MetadataSyncPreProcessor.handleMetadataVersionsList`), then per
 * version `isSyncRequired` (by name), `DefaultMetadataSyncService.doMetadataSync` (a snapshot
 * already in METADATASTORE is reused unchecked; a download is MD5-checked over the text the
 * client read; `keyStopMetadataSync` compares `system.version` with the local's build string),
 * the import (a hook: the emulator does not import metadata) and the post-processing
 * (`MetadataSyncPostProcessor`: e-mails, stop on ERROR, go on after WARNING of an ATOMIC
 * version, a missing `type` counting as ATOMIC).
 */
import { createHash } from 'node:crypto';
import type { MetadataVersion } from './jackson.ts';
import {
  JavaException,
  MSSE,
  NPE,
  UNAVAILABLE,
  VERSION_MISMATCH,
  VERSION_SERVICE,
  javaError,
} from './java-errors.ts';
import type { Progress, RetryContext } from './progress.ts';
import { currentVersion, versionString, type LocalState, type SavedVersion } from './state.ts';
import type { SyncContext } from './sync-utils.ts';
import { downloadSnapshot, getMetaDataDifference } from './version-calls.ts';

type Json = Record<string, unknown>;

export interface ImportOutcome {
  status: 'OK' | 'WARNING' | 'ERROR' | null;
  typeReports: { klass: string; total: number }[];
  errorReports: string[];
}

/** Stands in for DHIS2's metadata importer. */
export type Importer = (snapshot: Json, version: MetadataVersion) => ImportOutcome;

/** The default: every version imports with OK, one type report per metadata array. */
export const acceptAll: Importer = (snapshot) => ({
  status: 'OK',
  typeReports: Object.entries(snapshot)
    .filter(([k, v]) => Array.isArray(v) && k !== 'deletedObjects' && v.length > 0)
    .map(([klass, v]) => ({ klass, total: (v as unknown[]).length })),
  errorReports: [],
});

export interface MetadataRun {
  ctx: SyncContext;
  state: LocalState;
  retry: RetryContext;
  progress: Progress;
  importer: Importer;
  now: () => Date;
  /** The history entries as the local read them, and the snapshots it accepted, in order. */
  accepted: string[];
}

const failureEmail = (run: MetadataRun, keys: readonly string[]) => {
  const r = run.retry;
  let body = 'Following Exceptions were encountered while the scheduler run for metadata sync \n\n';
  for (const key of keys) {
    const value = r.attributes.get(key);
    if (value !== undefined)
      body += `ERROR_CATEGORY : ${key}\n ERROR_VALUE : ${key === 'version' ? versionString(value as SavedVersion) : String(value)}\n\n`;
  }
  const report = r.attributes.get('metadataSyncReport');
  if (report !== undefined) body += `metadataSyncReport\n ${String(report)}`;
  else if (r.lastThrowable)
    body += String(
      r.lastThrowable instanceof JavaException
        ? r.lastThrowable.javaMessage
        : r.lastThrowable.message,
    );
  return { subject: 'Action Required: MetadataSync Failed Notification', body };
};

export function sendFailureEmail(run: MetadataRun): string {
  const email = failureEmail(run, run.ctx.rel.failureKeys);
  run.state.emails.push(email);
  return email.body;
}

/** `handleMetadataVersionsList`; a failure is recorded in the retry context and rethrown as MSSE. */
export async function remoteVersions(run: MetadataRun, current: SavedVersion | null) {
  run.progress.startingProcess('Fetching the list of remote versions');
  try {
    const versions = await getMetaDataDifference(run.ctx, current);
    if (versions.length === 0) {
      run.progress.completed(
        current
          ? `Your instance is already using the latest version:${versionString(current)}`
          : 'There are no metadata versions created in the remote instance',
      );
      return versions;
    }
    // getLatestVersion: the max `created`, then the first entry with it; a null date is an NPE.
    const dates = versions.map((v) => v?.created ?? null);
    const max = Math.max(...dates.filter((d): d is Date => !!d).map((d) => d.getTime()));
    const latest = versions.find((v) => {
      if (!v?.created) throw javaError(NPE, null);
      return v.created.getTime() === max;
    });
    run.state.settings.keyRemoteMetadataVersion = latest?.name ?? null;
    return versions;
  } catch (e) {
    const ex = e instanceof JavaException ? e : javaError(NPE, String(e));
    run.progress.failed(String(ex.javaMessage));
    if (ex.javaClass === MSSE) throw ex;
    run.retry.set('getMetadataVersionsList', ex.javaMessage);
    if (current) run.retry.set('version', current);
    throw javaError(
      MSSE,
      `Exception happened while trying to get remote metadata versions difference ${String(ex.javaMessage)}`,
      ex,
    );
  }
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

/** `shouldStopSync`: only with keyStopMetadataSync on and a `system.version` that differs. */
function shouldStopSync(run: MetadataRun, text: string): boolean {
  const build = run.ctx.rel.build;
  if (!build || !run.state.settings.keyStopMetadataSync) return false;
  let remote = '';
  try {
    const root = JSON.parse(text) as Json;
    if (!('system' in root)) return false;
    const system = root.system as Json | null;
    // `get("version")` on a system without it is null, and `.textValue()` on null an NPE.
    if (system === null || typeof system !== 'object' || !('version' in system))
      throw javaError(NPE, null);
    if (typeof system.version !== 'string' || system.version === '') return false;
    remote = system.version;
  } catch (e) {
    if (e instanceof JavaException) throw e;
    // An unreadable snapshot is logged; the empty remote version then differs from the build.
  }
  return build.trim() !== remote.trim();
}

async function obtainSnapshot(run: MetadataRun, v: MetadataVersion) {
  const name = String(v.name);
  const stored = run.state.snapshots.get(name);
  if (stored) return { text: stored, fresh: false };
  let text: string | null;
  try {
    text = await downloadSnapshot(run.ctx, v.name);
  } catch (e) {
    if (
      e instanceof JavaException &&
      (e.javaClass === VERSION_SERVICE || e.javaClass === UNAVAILABLE)
    )
      throw javaError(MSSE, e.javaMessage, e);
    throw e;
  }
  if (text === null) throw javaError(MSSE, "Metadata snapshot can't be null.");
  if (md5(text) !== v.hashCode)
    throw javaError(MSSE, 'Metadata snapshot is corrupted. Not saving it locally');
  return { text, fresh: true };
}

function saveVersion(run: MetadataRun, v: MetadataVersion): void {
  const row: SavedVersion = {
    id: v.id ?? `gen${String(run.state.versions.length).padStart(8, '0')}`,
    name: String(v.name),
    type: v.type,
    hashCode: String(v.hashCode),
    created: v.created ?? run.now(),
    importDate: run.now(),
  };
  const clash = run.state.versions.some((x) => x.hashCode === v.hashCode || x.name === v.name);
  if (v.hashCode === null || clash || row.id.length > 11) {
    const cause = javaError(
      VERSION_SERVICE,
      `Exception occurred while trying to add metadata version${versionString(row)}`,
    );
    throw javaError(MSSE, cause.javaMessage, cause);
  }
  run.state.versions.push(row);
}

/** `doMetadataSync` of one version: its import outcome, the version saved when it passed. */
async function doMetadataSync(run: MetadataRun, v: MetadataVersion): Promise<ImportOutcome> {
  const { text, fresh } = await obtainSnapshot(run, v);
  const name = String(v.name);
  if (fresh && run.ctx.rel.snapshotStoredBeforeCheck) run.state.snapshots.set(name, text);
  if (shouldStopSync(run, text))
    throw javaError(
      VERSION_MISMATCH,
      'Metadata sync failed because your version of DHIS does not match the master version',
    );
  if (fresh) run.state.snapshots.set(name, text);
  let snapshot: Json;
  try {
    snapshot = JSON.parse(text) as Json;
  } catch {
    throw javaError(
      MSSE,
      'Exception occurred while trying to do JSON conversion while parsing class list map',
    );
  }
  run.accepted.push(name);
  const outcome = run.importer(snapshot, v);
  const bestEffort = v.type === 'BEST_EFFORT';
  if (outcome.status === 'OK' || (outcome.status === 'WARNING' && bestEffort)) saveVersion(run, v);
  return outcome;
}

function successEmail(run: MetadataRun, v: MetadataVersion, outcome: ImportOutcome): void {
  let body =
    'Successful Import Report for the scheduler run for Metadata synchronization \n\n' +
    `Imported Version Details \n Version Name: ${String(v.name)}\nVersion Type: ${String(v.type)}\n`;
  if (outcome.typeReports.length === 0)
    body += 'New Version created. It does not have any metadata changes. \n';
  else {
    body += 'Imported Object Details: \n';
    for (const t of outcome.typeReports)
      body += `Metadata Object Type: ${t.klass}\nStats: \ntotal: ${t.total}\n`;
    body += '\n\n';
  }
  run.state.emails.push({ subject: 'Success Notification: Metadata Synchronization', body });
}

/** The job's version loop; returns the failure e-mail it sent, if it stopped with one. */
export async function syncVersions(
  run: MetadataRun,
  versions: (MetadataVersion | null)[],
): Promise<string | null> {
  run.progress.startingProcess('Synchronize metadata');
  for (const v of versions) {
    if (!v)
      throw javaError(
        MSSE,
        'MetadataVersion for the Sync cant be null. The ClassListMap could not be constructed.',
      );
    if (run.state.versions.some((x) => x.name === v.name)) {
      run.retry.set('metadataSync', 'Version already exists in system and hence stopping the sync');
      run.retry.set('version', v);
      return sendFailureEmail(run);
    }
    let outcome: ImportOutcome;
    try {
      outcome = await doMetadataSync(run, v);
    } catch (e) {
      const message = e instanceof JavaException ? e.helpfulMessage : String(e);
      run.progress.failed(String(message));
      run.retry.set('metadataSync', message);
      run.retry.set('version', v);
      throw e;
    }
    if (outcome.status === null || outcome.status === 'ERROR') {
      run.retry.set('metadataSync', 'Import of metadata objects was unsuccessful');
      run.retry.set('version', v);
      if (outcome.status === 'ERROR')
        run.retry.set('metadataSyncReport', outcome.errorReports.map((r) => `${r}\n`).join(''));
      return sendFailureEmail(run);
    }
    if (outcome.status === 'OK' || v.type === 'BEST_EFFORT') successEmail(run, v, outcome);
    run.state.settings.keyMetadataFailedVersion = null;
    run.state.settings.keyMetadataLastFailedTime = null;
  }
  run.progress.completed('metadata synchronised');
  return null;
}

export { currentVersion };
