/**
 * Version creation as a domain rule (issue 17 §1), over the in-memory VersionStore and the real
 * settings service: numbering, "nothing changed" with and without force, the parent hash, the
 * first version as a full export and deltas after it, the bootstrap-admin rule, the refusal on a
 * local, the export authority, and keySystemMetadataVersion seen at once. No server, no database.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { beforeEach, describe, it } from 'node:test';
import { Authority } from '../../src/domain/authorities.ts';
import { SUPERUSER } from '../../src/domain/auth/users.ts';
import { ErrorCode, isAppError } from '../../src/domain/errors.ts';
import { createSettingsService } from '../../src/domain/settings/settings-service.ts';
import {
  createVersion,
  previewVersion,
  type CreateVersionDeps,
} from '../../src/domain/versioning/create-version.ts';
import { parseVersionType, type VersionType } from '../../src/domain/versioning/version.ts';
import {
  createMemoryVersionStore,
  type MemoryVersionStore,
} from '../support/fakes/memory-version-store.ts';

const ALL = new Set([Authority.ALL]);
const MANAGE_ONLY = new Set([Authority.F_METADATA_MANAGE]);
const T0 = new Date('2026-03-04T05:06:07.089Z');

let fake: MemoryVersionStore;
let deps: CreateVersionDeps;
let settings: ReturnType<typeof createSettingsService>;
let ids: number;
let tick: number;

beforeEach(() => {
  fake = createMemoryVersionStore({ pageSize: 2 });
  ids = 0;
  tick = 0;
  const now = () => new Date(T0.getTime() + tick++);
  settings = createSettingsService({
    store: fake.settings,
    box: { seal: (s) => `sealed:${s}`, open: (s) => s.replace(/^sealed:/, '') },
    // A frozen clock: the service's cached read never expires by itself.
    clock: { now: () => new Date(T0) },
  });
  deps = {
    versions: fake.store,
    settings,
    system: () => ({ id: 'unit-system', rev: 'rev1', version: '2.41.0' }),
    newId: () => `vid${String(++ids).padStart(8, '0')}`,
    now,
  };
});

const create = (
  input: Partial<{ type: VersionType; force: boolean; authorities: ReadonlySet<string> }> = {},
) => createVersion(deps, { type: 'ATOMIC', force: false, authorities: ALL, ...input });

const de = (id: string, name: string) =>
  fake.put('dataElements', id, `{"id": "${id}", "name": "${name}"}`);

async function json(versionName: string): Promise<Record<string, unknown>> {
  const v = await fake.store.byName(versionName);
  assert.ok(v, `${versionName} exists`);
  const parts: Buffer[] = [];
  for await (const c of (await fake.store.readSnapshot(v.id, 'json'))!) parts.push(Buffer.from(c));
  const bytes = Buffer.concat(parts);
  assert.equal(createHash('md5').update(bytes).digest('hex'), v.hashCode, 'hash of the bytes');
  assert.equal(bytes.length, v.bytes);
  return JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
}

const rejectsWith = (code: ErrorCode, message?: RegExp) => (e: unknown) => {
  assert.ok(isAppError(e), `an AppError, got ${String(e)}`);
  assert.equal(e.code, code);
  if (message) assert.match(e.message, message);
  return true;
};

describe('createVersion', () => {
  it('numbers Version_1, Version_2, … and chains each to the previous hashCode', async () => {
    await de('deUnit00001', 'A');
    const v1 = await create();
    await de('deUnit00002', 'B');
    const v2 = await create({ type: 'BEST_EFFORT' });
    await de('deUnit00003', 'C');
    const v3 = await create();
    assert.deepEqual(
      [v1, v2, v3].map((v) => [v.name, v.number, v.type]),
      [
        ['Version_1', 1, 'ATOMIC'],
        ['Version_2', 2, 'BEST_EFFORT'],
        ['Version_3', 3, 'ATOMIC'],
      ],
    );
    assert.equal(v1.parentHashCode, null);
    assert.equal(v2.parentHashCode, v1.hashCode);
    assert.equal(v3.parentHashCode, v2.hashCode);
    assert.deepEqual(
      (await fake.store.list()).map((v) => v.name),
      ['Version_1', 'Version_2', 'Version_3'],
    );
  });

  it('the first version is a full export, later ones hold only what changed since', async () => {
    await de('deUnit00001', 'A');
    await de('deUnit00002', 'B');
    await de('deUnit00003', 'C');
    await fake.put('categoryOptions', 'coUnit00001', '{"id": "coUnit00001", "name": "F"}');
    const v1 = await create();
    assert.deepEqual(v1.types, { categoryOptions: 1, dataElements: 3 });
    assert.equal(v1.objects, 4);
    const s1 = await json('Version_1');
    assert.deepEqual(
      (s1.dataElements as { id: string }[]).map((o) => o.id),
      ['deUnit00001', 'deUnit00002', 'deUnit00003'],
    );
    await de('deUnit00002', 'B renamed');
    const v2 = await create();
    assert.deepEqual(v2.types, { dataElements: 1 });
    const s2 = await json('Version_2');
    assert.deepEqual(s2.dataElements, [{ id: 'deUnit00002', name: 'B renamed' }]);
    assert.equal(s2.categoryOptions, undefined);
  });

  it('stamps the snapshot header with the system and the clock, then created after it', async () => {
    const v1 = await create();
    const s = await json('Version_1');
    const system = s.system as Record<string, string>;
    assert.deepEqual(
      { id: system.id, rev: system.rev, version: system.version },
      { id: 'unit-system', rev: 'rev1', version: '2.41.0' },
    );
    assert.match(system.date!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$/);
    assert.equal(v1.created.getTime(), T0.getTime() + 1, 'created is read after the header date');
    assert.equal(v1.id, 'vid00000001');
  });

  it('nothing changed: 409 VERSION_UNCHANGED naming the latest, and no version is made', async () => {
    await de('deUnit00001', 'A');
    await create();
    await assert.rejects(
      create(),
      rejectsWith(ErrorCode.VERSION_UNCHANGED, /No metadata has changed since Version_1/),
    );
    assert.equal((await fake.store.list()).length, 1);
    assert.equal(await settings.getPublic('keySystemMetadataVersion'), 'Version_1');
  });

  it('nothing changed with force: the next version, an empty delta chained to the previous', async () => {
    await de('deUnit00001', 'A');
    const v1 = await create();
    const v2 = await create({ force: true });
    assert.equal(v2.name, 'Version_2');
    assert.equal(v2.parentHashCode, v1.hashCode);
    assert.equal(v2.objects, 0);
    assert.deepEqual(Object.keys(await json('Version_2')), ['system']);
  });

  it('the first version needs no change (an empty instance makes an empty Version_1)', async () => {
    const v1 = await create();
    assert.equal(v1.name, 'Version_1');
    assert.equal(v1.objects, 0);
  });

  it('a change to the bootstrap admin alone makes no version, unless the setting takes it in', async () => {
    await de('deUnit00001', 'A');
    await create();
    await fake.put('users', SUPERUSER.userId, `{"id": "${SUPERUSER.userId}", "surname": "X"}`);
    await assert.rejects(create(), rejectsWith(ErrorCode.VERSION_UNCHANGED));
    await fake.remove('userRoles', SUPERUSER.roleId, {
      code: null,
      deletedAt: T0,
      deletedBy: null,
    });
    await assert.rejects(create(), rejectsWith(ErrorCode.VERSION_UNCHANGED));
    await settings.update({ keyVersionIncludeBootstrapAdmin: true });
    const v2 = await create();
    assert.deepEqual(v2.types, { users: 1 });
  });

  it('deletions: counted always, carried with keyVersionIncludeDeletions', async () => {
    await de('deUnit00001', 'A');
    await de('deUnit00002', 'B');
    await create();
    const gone = { code: 'GONE', deletedAt: T0, deletedBy: 'someone0001' };
    await fake.remove('dataElements', 'deUnit00001', gone);
    const v2 = await create();
    assert.equal(v2.deletions, 1);
    assert.equal((await json('Version_2')).deletedObjects, undefined);
    await settings.update({ keyVersionIncludeDeletions: true });
    await fake.remove('dataElements', 'deUnit00002', gone);
    await create();
    assert.deepEqual((await json('Version_3')).deletedObjects, [
      {
        type: 'dataElements',
        klass: 'org.hisp.dhis.dataelement.DataElement',
        uid: 'deUnit00002',
        code: 'GONE',
        deletedAt: T0.toISOString(),
        deletedBy: 'someone0001',
      },
    ]);
  });

  it('a local (keyRemoteInstanceUrl set) refuses with CONFLICT unless forced', async () => {
    await settings.update({ keyRemoteInstanceUrl: 'https://central.example.org' });
    await assert.rejects(create(), rejectsWith(ErrorCode.CONFLICT, /keyRemoteInstanceUrl is set/));
    assert.equal(await fake.store.latest(), null);
    assert.equal((await create({ force: true })).name, 'Version_1');
  });

  it('a relay (a local with versioning on) refuses even when forced, naming its upstream', async () => {
    await settings.update({
      keyRemoteInstanceUrl: 'https://national.example.org',
      keyVersionEnabled: true,
    });
    for (const force of [false, true])
      await assert.rejects(
        create({ force }),
        rejectsWith(ErrorCode.CONFLICT, /relay of https:\/\/national\.example\.org.*force=true/),
      );
    assert.equal(await fake.store.latest(), null);
    // Cleared remote: a central again, and creating works.
    await settings.update({ keyRemoteInstanceUrl: '' });
    assert.equal((await create()).name, 'Version_1');
  });

  it('from Version_2 on, creating needs F_METADATA_EXPORT too', async () => {
    assert.equal((await create({ authorities: MANAGE_ONLY })).name, 'Version_1');
    await de('deUnit00001', 'A');
    await assert.rejects(
      create({ authorities: MANAGE_ONLY }),
      rejectsWith(ErrorCode.FORBIDDEN, /F_METADATA_EXPORT/),
    );
    const withExport = new Set([Authority.F_METADATA_MANAGE, Authority.F_METADATA_EXPORT]);
    assert.equal((await create({ authorities: withExport })).name, 'Version_2');
  });

  it('sets keySystemMetadataVersion through the settings service, seen at once', async () => {
    // The read caches the settings; the create must not leave that read stale.
    assert.equal(await settings.getPublic('keySystemMetadataVersion'), '');
    await create();
    assert.equal(await settings.getPublic('keySystemMetadataVersion'), 'Version_1');
    assert.equal(await fake.settings.get('keySystemMetadataVersion'), 'Version_1');
  });

  it('a create that fails half-way leaves no version, no snapshot and no setting', async () => {
    await de('deUnit00001', 'A');
    deps.newId = () => {
      throw new Error('no ids today');
    };
    await assert.rejects(create(), /no ids today/);
    assert.equal(await fake.store.latest(), null);
    assert.equal(await fake.settings.get('keySystemMetadataVersion'), undefined);
  });

  it('concurrent creates queue up: consecutive numbers, one chain, each change in one version', async () => {
    for (let i = 0; i < 5; i++) await de(`deUnit0000${i}`, `N${i}`);
    const made = await Promise.all(Array.from({ length: 4 }, () => create({ force: true })));
    assert.deepEqual(made.map((v) => v.name).sort(), [
      'Version_1',
      'Version_2',
      'Version_3',
      'Version_4',
    ]);
    const byNumber = [...made].sort((a, b) => a.number - b.number);
    for (let i = 1; i < byNumber.length; i++)
      assert.equal(byNumber[i]!.parentHashCode, byNumber[i - 1]!.hashCode);
    assert.deepEqual(
      byNumber.map((v) => v.objects),
      [5, 0, 0, 0],
    );
  });

  it('the gzip holds the same bytes as the JSON', async () => {
    await de('deUnit00001', 'A');
    const v1 = await create();
    const parts: Buffer[] = [];
    for await (const c of (await fake.store.readSnapshot(v1.id, 'gz'))!) parts.push(Buffer.from(c));
    const gz = Buffer.concat(parts);
    assert.equal(gz.length, v1.gzipBytes);
    assert.equal(createHash('md5').update(gunzipSync(gz)).digest('hex'), v1.hashCode);
  });
});

describe('parseVersionType', () => {
  it("takes BEST_EFFORT and ATOMIC, and refuses a missing or other type with DHIS2's message", () => {
    assert.equal(parseVersionType('BEST_EFFORT'), 'BEST_EFFORT');
    assert.equal(parseVersionType('ATOMIC'), 'ATOMIC');
    assert.throws(
      () => parseVersionType(undefined),
      rejectsWith(ErrorCode.VALIDATION_FAILED, /^Required request parameter 'type'/),
    );
    assert.throws(() => parseVersionType(''), rejectsWith(ErrorCode.VALIDATION_FAILED));
    assert.throws(
      () => parseVersionType('atomic'),
      rejectsWith(
        ErrorCode.VALIDATION_FAILED,
        /^Value 'atomic' is not valid for parameter type\. Valid values are: \[BEST_EFFORT, ATOMIC\]$/,
      ),
    );
  });
});

describe('previewVersion', () => {
  it('names the next version and counts what it would hold, scope applied', async () => {
    assert.deepEqual(await previewVersion(deps), {
      name: 'Version_1',
      types: {},
      objects: 0,
      bytes: 0,
      deletions: 0,
    });
    await de('deUnit00001', 'A');
    await fake.put('users', SUPERUSER.userId, `{"id": "${SUPERUSER.userId}"}`);
    await create();
    await de('deUnit00002', 'B');
    await fake.remove('dataElements', 'deUnit00001', {
      code: null,
      deletedAt: T0,
      deletedBy: null,
    });
    const text = '{"id": "deUnit00002", "name": "B"}';
    assert.deepEqual(await previewVersion(deps), {
      name: 'Version_2',
      types: { dataElements: 1 },
      objects: 1,
      bytes: Buffer.byteLength(text),
      deletions: 1,
    });
    await settings.update({ keyVersionIncludeDeletions: true });
    assert.equal((await previewVersion(deps)).bytes, Buffer.byteLength(text) + 120);
    assert.equal(
      await fake.store.latest().then((v) => v?.name),
      'Version_1',
      'preview writes nothing',
    );
  });
});
