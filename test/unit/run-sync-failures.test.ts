/**
 * Every way a sync run fails (FailureKind, src/domain/sync/sync-report.ts), each reached through
 * its real trigger over in-memory fakes: the kind, the step that failed and those after it never
 * run, the version it names, whether it was retried, the failure settings DHIS2 keeps, and that
 * nothing of the failed version was imported. The same outcomes test/integration/
 * sync-failures, sync-central-answers, sync-divergence, sync-dhis2-central and data-push assert
 * over HTTP.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StepName } from '../../src/domain/sync/sync-report.ts';
import { centralSystem, remote, snapshotBytes } from '../support/fakes/fake-central-client.ts';
import {
  dataElement,
  steps,
  syncHarness,
  type SyncHarness,
} from '../support/fakes/sync-run-harness.ts';

interface Case {
  name: string;
  kind: string;
  step: StepName;
  /** Attempts made: 3 (the harness's retries) for a retried kind, 1 otherwise. */
  attempts: number;
  version: string | null;
  message: RegExp;
  /** The version report of the failed version, when it got as far as applying it. */
  versionReport?: boolean;
  /** Breaks the central (or the local) after the local synced Version_1; Version_2 is published. */
  arrange: (h: SyncHarness) => void | Promise<void>;
}

const NEW_ELEMENT = dataElement(2);

/** A local at Version_1, synced from a central that has published Version_2 since. */
async function localAtVersion1() {
  const h = await syncHarness({ retries: 3, retryDelayMs: 10 });
  h.central.publish({ objects: { dataElements: [dataElement(1)] } });
  assert.equal((await h.run()).status, 'SUCCESS');
  h.saved.length = 0;
  h.sleeps.length = 0;
  return h;
}

const publishV2 = (h: SyncHarness, snapshot: Parameters<SyncHarness['central']['publish']>[0]) =>
  h.central.publish(snapshot);
const v2 = (h: SyncHarness) => publishV2(h, { objects: { dataElements: [NEW_ELEMENT] } });

const CASES: Case[] = [
  {
    name: 'no remote configured',
    kind: 'REMOTE_NOT_CONFIGURED',
    step: 'ping',
    attempts: 1,
    version: 'Version_1',
    message: /^Remote server is not configured$/,
    arrange: (h) => h.central.fail('ping', remote.notConfigured(), Infinity),
  },
  {
    name: 'an unreachable central, retried',
    kind: 'REMOTE_UNREACHABLE',
    step: 'ping',
    attempts: 3,
    version: 'Version_1',
    message: /^Network is unreachable: http:\/\/central\.test \(connect ECONNREFUSED/,
    arrange: (h) => h.central.fail('ping', remote.unreachable(), Infinity),
  },
  {
    name: 'a wrong password (401), not retried',
    kind: 'REMOTE_AUTH',
    step: 'ping',
    attempts: 1,
    version: 'Version_1',
    message: /^Authentication failed$/,
    arrange: (h) => h.central.fail('ping', remote.auth(), Infinity),
  },
  {
    name: 'a 401 to /api/system/info after the ping',
    kind: 'REMOTE_AUTH',
    step: 'ping',
    attempts: 1,
    version: 'Version_1',
    message: /^Authentication failed$/,
    arrange: (h) => h.central.fail('systemInfo', remote.auth(), Infinity),
  },
  {
    name: 'a redirect, with its target, not retried',
    kind: 'REMOTE_REDIRECT',
    step: 'ping',
    attempts: 1,
    version: 'Version_1',
    message:
      /^The central redirected to https:\/\/central\.example\.org\/dhis\/api\/system\/ping \(HTTP 302 for http:\/\/central\.test\/api\/system\/ping\)/,
    arrange: (h) =>
      h.central.fail(
        'ping',
        remote.redirect('https://central.example.org/dhis/api/system/ping'),
        Infinity,
      ),
  },
  {
    name: 'the data push refused, retried like DHIS2',
    kind: 'DATA_PUSH',
    step: 'dataPush',
    attempts: 3,
    version: 'Version_1',
    message: /^Data values: page 1 failed: .*WARNING.*PushDeGone1: Data element not found$/,
    arrange: (h) =>
      h.onDataPush(() => ({
        status: 'FAILED',
        message:
          'Data values: page 1 failed: the central answered WARNING. Conflicts: PushDeGone1: Data element not found',
      })),
  },
  {
    name: 'the central answers 500 to history, retried',
    kind: 'REMOTE_ERROR',
    step: 'history',
    attempts: 3,
    version: 'Version_1',
    message: /^Server Error\. Http call failed with status code: 500 Caused by: Database is down$/,
    arrange: (h) => h.central.fail('history', remote.http(500), Infinity),
  },
  {
    name: 'the central answers 500 to the chain check',
    kind: 'REMOTE_ERROR',
    step: 'history',
    attempts: 3,
    version: 'Version_1',
    message: /status code: 500/,
    arrange: (h) => h.central.fail('version', remote.http(500), Infinity),
  },
  {
    name: 'the central lists a version of an unknown type (a parse error)',
    kind: 'REMOTE_ERROR',
    step: 'history',
    attempts: 3,
    version: 'Version_1',
    message:
      /^Exception occurred while trying to do JSON conversion\. Caused by: the central listed Version_2 with type "PARTIAL"/,
    arrange: (h) =>
      h.central.fail(
        'history',
        remote.parse('the central listed Version_2 with type "PARTIAL", not BEST_EFFORT or ATOMIC'),
        Infinity,
      ),
  },
  {
    name: 'the snapshot is gone (404)',
    kind: 'REMOTE_ERROR',
    step: 'versions',
    attempts: 3,
    version: 'Version_2',
    message: /^Not found: \/api\/metadata\/version\/Version_2\/data/,
    arrange: (h) =>
      h.central.fail('snapshot', remote.notFound('/api/metadata/version/Version_2/data'), Infinity),
  },
  {
    name: 'the link breaks during the download',
    kind: 'REMOTE_UNREACHABLE',
    step: 'versions',
    attempts: 3,
    version: 'Version_2',
    message: /^Network is unreachable: .*broke off/,
    arrange: (h) =>
      h.central.fail(
        'snapshot',
        remote.unreachable('the answer to /api/metadata/version/Version_2/data.gz broke off'),
        Infinity,
      ),
  },
  {
    name: 'a tampered snapshot, not retried',
    kind: 'HASH_MISMATCH',
    step: 'versions',
    attempts: 1,
    version: 'Version_2',
    message:
      /^Metadata snapshot is corrupted\. Not saving it locally: MD5 of Version_2 is [0-9a-f]{32}, the central says [0-9a-f]{32}$/,
    versionReport: true,
    arrange: (h) => {
      // The proxy's 'flip-byte': one bit of the served bytes differs from those hashed.
      const served = snapshotBytes({ objects: { dataElements: [NEW_ELEMENT] } });
      served[served.length - 3]! ^= 0x01;
      h.central.tamper('Version_2', served);
    },
  },
  {
    name: 'a snapshot that is not JSON',
    kind: 'BAD_SNAPSHOT',
    step: 'versions',
    attempts: 1,
    version: 'Version_2',
    message: /^The snapshot of Version_2 is not valid JSON: /,
    versionReport: true,
    arrange: () => undefined,
  },
  {
    name: 'a snapshot that is a JSON array',
    kind: 'BAD_SNAPSHOT',
    step: 'versions',
    attempts: 1,
    version: 'Version_2',
    message: /^The snapshot of Version_2 is not a JSON object$/,
    versionReport: true,
    arrange: () => undefined,
  },
  {
    name: 'a snapshot whose type key holds no array',
    kind: 'BAD_SNAPSHOT',
    step: 'versions',
    attempts: 1,
    version: 'Version_2',
    message: /^The snapshot of Version_2 is not DHIS2 metadata: /,
    versionReport: true,
    arrange: () => undefined,
  },
  {
    name: 'keyStopMetadataSync and a snapshot of another DHIS2 release',
    kind: 'VERSION_MISMATCH',
    step: 'versions',
    attempts: 1,
    version: 'Version_2',
    message:
      /^Metadata sync failed because your version of DHIS does not match the master version: this instance follows DHIS2 2\.41\.0 \(its system\.version\), Version_2 was made by DHIS2 2\.40\.0/,
    versionReport: true,
    arrange: (h) => h.settings.values.set('keyStopMetadataSync', true),
  },
  {
    name: 'an ATOMIC version with a bad object',
    kind: 'IMPORT_FAILED',
    step: 'versions',
    attempts: 1,
    version: 'Version_2',
    message:
      /^Import of metadata objects was unsuccessful: 1 error\(s\) in Version_2; nothing was imported$/,
    versionReport: true,
    arrange: () => undefined,
  },
  {
    name: 'the central has no version named as the local’s current one',
    kind: 'DIVERGED',
    step: 'history',
    attempts: 1,
    version: 'Version_1',
    message:
      /^The central has no Version_1, this instance's current version: .*"metasync sync rebaseline"/,
    arrange: (h) => h.central.remove('Version_1'),
  },
  {
    name: 'the central’s version of the same name has another hashCode',
    kind: 'DIVERGED',
    step: 'history',
    attempts: 1,
    version: 'Version_1',
    message: /^Version_1 differs: hashCode [0-9a-f]{32} here, 0{32} on the central\./,
    arrange: (h) => h.central.alter('Version_1', { hashCode: '0'.repeat(32) }),
  },
  {
    name: 'the next version follows another chain (parentHashCode)',
    kind: 'DIVERGED',
    step: 'versions',
    attempts: 1,
    version: 'Version_2',
    message:
      /^Version_2 on the central follows a version with hashCode f{32}, but this instance is at Version_1 with hashCode [0-9a-f]{32}$/,
    versionReport: true,
    arrange: (h) => h.central.alter('Version_2', { parentHashCode: 'f'.repeat(32) }),
  },
  {
    name: 'the central lists a version this instance already has',
    kind: 'VERSION_EXISTS',
    step: 'versions',
    attempts: 1,
    version: 'Version_1',
    message: /^Version_1 already exists on this instance and hence stopping the sync$/,
    arrange: (h) => {
      const history = h.central.history.bind(h.central);
      h.central.history = async () => [
        ...(await history(null)).filter((v) => v.name === 'Version_1'),
        ...(await history('Version_1')),
      ];
    },
  },
  {
    name: 'the local database fails in the import (an unclassified error), retried',
    kind: 'INTERNAL',
    step: 'versions',
    attempts: 3,
    version: 'Version_1',
    message: /^Connection terminated unexpectedly$/,
    arrange: (h) => {
      h.deps.importDeps = {
        ...h.deps.importDeps,
        store: {
          ...h.store,
          write: () => Promise.reject(new Error('Connection terminated unexpectedly')),
        },
      };
    },
  },
  {
    name: 'a bug while reading the central’s release',
    kind: 'INTERNAL',
    step: 'ping',
    attempts: 3,
    version: 'Version_1',
    message: /^Cannot read properties of undefined/,
    arrange: (h) =>
      h.central.fail(
        'systemInfo',
        new TypeError("Cannot read properties of undefined (reading 'version')"),
        Infinity,
      ),
  },
];

/** The Version_2 each case publishes: most a good one, some a snapshot built to fail. */
function publishFor(c: Case, h: SyncHarness) {
  if (c.name === 'a snapshot that is not JSON') return publishV2(h, Buffer.from('{"system":'));
  if (c.name === 'a snapshot that is a JSON array') return publishV2(h, Buffer.from('[1,2]'));
  if (c.name === 'a snapshot whose type key holds no array')
    return publishV2(h, Buffer.from('{"dataElements":{"id":"deUnit00002"}}'));
  if (c.kind === 'VERSION_MISMATCH')
    return publishV2(h, {
      system: centralSystem('2.40.0'),
      objects: { dataElements: [NEW_ELEMENT] },
    });
  if (c.kind === 'IMPORT_FAILED')
    return publishV2(h, {
      objects: {
        dataElements: [NEW_ELEMENT, dataElement(3, { categoryCombo: { id: 'NoSuchCombo' } })],
      },
    });
  return v2(h);
}

const PRIOR: Record<StepName, string[]> = {
  setUp: [],
  ping: ['setUp:SUCCESS'],
  dataPush: ['setUp:SUCCESS', 'ping:SUCCESS'],
  history: ['setUp:SUCCESS', 'ping:SUCCESS', 'dataPush:SKIPPED'],
  versions: ['setUp:SUCCESS', 'ping:SUCCESS', 'dataPush:SKIPPED', 'history:SUCCESS'],
};
const ORDER: StepName[] = ['setUp', 'ping', 'dataPush', 'history', 'versions'];

describe('runSync: each failure kind through its trigger', () => {
  for (const c of CASES)
    it(`${c.kind} (${c.name}): ${c.step} FAILED after ${c.attempts} attempt(s)`, async () => {
      const h = await localAtVersion1();
      publishFor(c, h);
      await c.arrange(h);
      const before = await h.store.countByType();

      const report = await h.run();
      assert.equal(report.status, 'FAILED');
      assert.deepEqual(
        { kind: report.error?.kind, step: report.error?.step, version: report.error?.version },
        { kind: c.kind, step: c.step, version: c.version },
      );
      assert.match(report.error!.message, c.message);
      assert.equal(report.attempts, c.attempts, c.attempts > 1 ? 'retried' : 'not retried');
      // The failed step and the ones it never reached.
      const at = ORDER.indexOf(c.step);
      assert.deepEqual(steps(report), [
        ...PRIOR[c.step],
        `${c.step}:FAILED`,
        ...ORDER.slice(at + 1).map((s) => `${s}:NOT_EXECUTED`),
      ]);
      assert.equal(report.steps[at]!.message, report.error!.message);
      assert.deepEqual(
        report.versions.map((v) => [v.name, v.status, v.message]),
        c.versionReport ? [['Version_2', 'FAILED', report.error!.message]] : [],
      );
      // Nothing of the failed version is imported or recorded; the run stays where it was.
      assert.deepEqual(
        (await h.versions.list()).map((v) => v.name),
        ['Version_1'],
      );
      assert.equal(await h.store.get('dataElements', NEW_ELEMENT.id), null);
      assert.deepEqual(await h.store.countByType(), before);
      assert.equal(report.fromVersion, 'Version_1');
      assert.equal(report.toVersion, null);
      // DHIS2's failure settings: the version the run was at or working on, and when.
      assert.equal(h.settings.values.get('keyMetadataFailedVersion'), c.version);
      assert.equal(h.settings.values.get('keyMetadataLastFailedTime'), report.endTime);
      assert.equal(report.endTime, h.clock.now().toISOString());
      // The final report is the last one saved.
      assert.deepEqual(h.saved.at(-1), report);
    });
});
