/**
 * A sync run that fails at a version, each FailureKind through its real trigger over in-memory
 * fakes: the snapshot gone or cut off, tampered, not JSON, not metadata, of another DHIS2 release
 * under keyStopMetadataSync, an ATOMIC import with a bad object, a version on another chain or
 * already here, the local database failing in the import. The outcomes test/integration/
 * sync-failures, sync-dhis2-central and fuzz-snapshot assert over HTTP; the checks each case makes
 * are in test/support/fakes/sync-failure-cases.ts.
 */
import { centralSystem, remote, snapshotBytes } from '../support/fakes/fake-central-client.ts';
import {
  describeFailures,
  NEW_ELEMENT,
  type FailureCase,
} from '../support/fakes/sync-failure-cases.ts';
import { dataElement } from '../support/fakes/sync-run-harness.ts';

const CASES: FailureCase[] = [
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
    publish: (h) => h.central.publish(Buffer.from('{"system":')),
  },
  {
    name: 'a snapshot that is a JSON array',
    kind: 'BAD_SNAPSHOT',
    step: 'versions',
    attempts: 1,
    version: 'Version_2',
    message: /^The snapshot of Version_2 is not a JSON object$/,
    versionReport: true,
    publish: (h) => h.central.publish(Buffer.from('[1,2]')),
  },
  {
    name: 'a snapshot whose type key holds no array',
    kind: 'BAD_SNAPSHOT',
    step: 'versions',
    attempts: 1,
    version: 'Version_2',
    message: /^The snapshot of Version_2 is not DHIS2 metadata: /,
    versionReport: true,
    publish: (h) => h.central.publish(Buffer.from('{"dataElements":{"id":"deUnit00002"}}')),
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
    publish: (h) =>
      h.central.publish({
        system: centralSystem('2.40.0'),
        objects: { dataElements: [NEW_ELEMENT] },
      }),
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
    publish: (h) =>
      h.central.publish({
        objects: {
          dataElements: [NEW_ELEMENT, dataElement(3, { categoryCombo: { id: 'NoSuchCombo' } })],
        },
      }),
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
];

describeFailures('runSync fails at a version', CASES);
