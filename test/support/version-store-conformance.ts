/**
 * The conformance suite of the VersionStore port (src/domain/ports.ts): what
 * domain/versioning/create-version.ts relies on, held for the Kysely store on PGlite and
 * PostgreSQL (test/integration/version-store-conformance.test.ts) and for the in-memory fake
 * (test/unit/version-store-conformance.test.ts). Each test starts from no versions and no
 * changes; ids are lowercase so every collation orders them alike.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { it } from 'node:test';
import type { ChangeReader, Deletion, VersionStore } from '../../src/domain/ports.ts';
import type { ObjectKey } from '../../src/domain/versioning/snapshot-scope.ts';
import { versionName, type MetadataVersion } from '../../src/domain/versioning/version.ts';

export interface VersionStoreSubject {
  store: VersionStore;
  /** Commits a create or update of one object, as the metadata store would. */
  put(type: string, id: string, text: string): Promise<void>;
  /** Commits the deletion of one object: its row goes, a tombstone takes the change. */
  remove(type: string, id: string, deletion: Omit<Deletion, 'type' | 'id'>): Promise<void>;
  /** A setting as committed. */
  setting(key: string): Promise<unknown>;
}

const MIB = 1024 * 1024;
const T = (ms: number) => new Date(Date.UTC(2026, 0, 2, 3, 4, 5, ms));
const text = (id: string, name = id) => `{"id": "${id}", "name": "${name}"}`;
const gone = (ms: number, code: string | null = null): Omit<Deletion, 'type' | 'id'> => ({
  code,
  deletedAt: T(ms),
  deletedBy: 'confuser001',
});

const version = (
  number: number,
  latest: MetadataVersion | null,
  over: Partial<MetadataVersion> = {},
): MetadataVersion => ({
  id: `confversion${number}`,
  name: versionName(number),
  number,
  type: 'ATOMIC',
  hashCode: `hash${number}`.padEnd(32, '0'),
  parentHashCode: latest?.hashCode ?? null,
  created: T(number),
  importDate: null,
  bytes: 2,
  gzipBytes: 22,
  objects: 0,
  deletions: 0,
  types: {},
  ...over,
});

async function collect(it: AsyncIterable<Uint8Array> | null): Promise<Buffer | null> {
  if (!it) return null;
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

async function pages(
  changes: ChangeReader,
  type: string,
  excluded: readonly ObjectKey[] = [],
): Promise<string[][]> {
  const out: string[][] = [];
  for await (const page of changes.objectPages(type, excluded)) out.push(page);
  return out;
}

async function* once(b: Buffer): AsyncIterable<Uint8Array> {
  yield b;
}

/** Creates the next version holding `bytes`, the way the domain does. */
const createNext = (s: VersionStoreSubject, bytes = Buffer.from('{}')) =>
  s.store.create(async (d) => {
    const v = version((d.latest?.number ?? 0) + 1, d.latest, { bytes: bytes.length });
    v.gzipBytes = await d.writeSnapshot(v.id, once(bytes));
    await d.insert(v);
    return v;
  });

export function registerVersionStoreTests(fresh: () => Promise<VersionStoreSubject>) {
  it('starts with no versions, no snapshot and nothing pending', async () => {
    const s = await fresh();
    assert.equal(await s.store.latest(), null);
    assert.deepEqual(await s.store.list(), []);
    assert.equal(await s.store.byName('Version_1'), null);
    assert.equal(await s.store.readSnapshot('confnone001', 'json'), null);
    assert.equal(await s.store.readSnapshot('confnone001', 'gz'), null);
    await s.store.pending(async ({ latest, changes }) => {
      assert.equal(latest, null);
      assert.equal(await changes.anyChange([]), false);
      assert.deepEqual(await changes.counts([]), { types: {}, bytes: 0, deletions: 0 });
      assert.deepEqual(await pages(changes, 'dataElements'), []);
    });
  });

  it('a draft reads every changed object, by id, as stored, in pages', async () => {
    const s = await fresh();
    await s.put('dataElements', 'confde00003', text('confde00003'));
    await s.put('dataElements', 'confde00001', text('confde00001'));
    await s.put('categoryOptions', 'confco00001', text('confco00001'));
    await s.put('dataElements', 'confde00002', text('confde00002', 'renamed later'));
    await s.put('dataElements', 'confde00002', text('confde00002'));
    await s.store.pending(async ({ changes }) => {
      assert.deepEqual((await pages(changes, 'dataElements')).flat(), [
        text('confde00001'),
        text('confde00002'),
        text('confde00003'),
      ]);
      assert.deepEqual((await pages(changes, 'categoryOptions')).flat(), [text('confco00001')]);
      assert.deepEqual(await pages(changes, 'indicators'), []);
      assert.equal(await changes.anyChange([]), true);
      const counts = await changes.counts([]);
      assert.deepEqual(counts.types, { dataElements: 3, categoryOptions: 1 });
      assert.equal(counts.bytes, 4 * Buffer.byteLength(text('confde00001')));
    });
  });

  it('create: the version, its snapshot as JSON and as gzip, and its setting commit together', async () => {
    const s = await fresh();
    // Incompressible and over 1 MiB gzipped: more than one stored chunk.
    const bytes = Buffer.from(randomBytes(900 * 1024).toString('base64'));
    const v = await s.store.create(async (d) => {
      assert.equal(d.latest, null);
      const v1 = version(1, null, { bytes: bytes.length });
      v1.gzipBytes = await d.writeSnapshot(v1.id, once(bytes));
      await d.insert(v1);
      await d.settings.putMany(new Map([['keySystemMetadataVersion', v1.name]]));
      return v1;
    });
    assert.deepEqual(await s.store.latest(), v);
    assert.deepEqual(await s.store.byName('Version_1'), v);
    assert.deepEqual(await s.store.list(), [v]);
    const json = await collect(await s.store.readSnapshot(v.id, 'json'));
    assert.ok(json?.equals(bytes), 'the JSON is the bytes written');
    const gz = await collect(await s.store.readSnapshot(v.id, 'gz'));
    assert.equal(gz?.length, v.gzipBytes);
    assert.ok(gunzipSync(gz).equals(bytes), 'the gzip inflates to the bytes written');
    assert.equal(await s.setting('keySystemMetadataVersion'), 'Version_1');
  });

  it('readSnapshot with a range: exactly those bytes, across stored chunks, for gz and JSON (issue 19 §1)', async () => {
    const s = await fresh();
    // Incompressible: the gzip is ~1.5 MiB, two stored chunks of 1 MiB at most.
    const bytes = Buffer.from(randomBytes(1100 * 1024).toString('base64'));
    const v = await createNext(s, bytes);
    const gz = (await collect(await s.store.readSnapshot(v.id, 'gz')))!;
    assert.ok(gz.length > MIB, `more than one chunk: ${gz.length}`);
    const ranges: [number, number][] = [
      [0, 0],
      [0, 99],
      [MIB - 10, MIB + 9],
      [MIB, MIB],
      [MIB - 1, MIB - 1],
      [1234, gz.length - 1],
      [gz.length - 1, gz.length - 1],
    ];
    for (const [start, end] of ranges) {
      const got = await collect(await s.store.readSnapshot(v.id, 'gz', { start, end }));
      assert.deepEqual(got, gz.subarray(start, end + 1), `gz ${start}-${end}`);
    }
    const past = await collect(
      await s.store.readSnapshot(v.id, 'gz', { start: gz.length - 5, end: gz.length + 99 }),
    );
    assert.deepEqual(past, gz.subarray(gz.length - 5), 'an end past the last byte is the last');
    const none = await collect(
      await s.store.readSnapshot(v.id, 'gz', { start: gz.length, end: gz.length + 9 }),
    );
    assert.equal(none?.length, 0, 'a start past the last byte yields nothing');
    for (const [start, end] of [
      [0, 9],
      [70_000, 1_400_000],
      [bytes.length - 3, bytes.length + 10],
    ] as const) {
      const got = await collect(await s.store.readSnapshot(v.id, 'json', { start, end }));
      assert.deepEqual(got, bytes.subarray(start, end + 1), `json ${start}-${end}`);
    }
    assert.equal(
      await s.store.readSnapshot('confnone001', 'gz', { start: 0, end: 9 }),
      null,
      'no snapshot: null, with a range too',
    );
  });

  it('the next draft holds only the changes after the previous version', async () => {
    const s = await fresh();
    await s.put('dataElements', 'confde00001', text('confde00001'));
    const v1 = await createNext(s);
    await s.store.pending(async ({ latest, changes }) => {
      assert.deepEqual(latest, v1);
      assert.equal(await changes.anyChange([]), false);
      assert.deepEqual(await pages(changes, 'dataElements'), []);
    });
    await s.put('dataElements', 'confde00002', text('confde00002'));
    await s.put('dataElements', 'confde00001', text('confde00001', 'again'));
    await s.store.create(async ({ latest, changes }) => {
      assert.equal(latest?.name, 'Version_1');
      assert.deepEqual((await pages(changes, 'dataElements')).flat(), [
        text('confde00001', 'again'),
        text('confde00002'),
      ]);
    });
  });

  it('deletions: those that hold at the cut, in change order; a re-created object is an object', async () => {
    const s = await fresh();
    await s.put('dataElements', 'confde00001', text('confde00001'));
    await s.put('dataElements', 'confde00002', text('confde00002'));
    await s.put('dataElements', 'confde00003', text('confde00003'));
    await createNext(s);
    await s.remove('dataElements', 'confde00002', gone(2, 'TWO'));
    await s.remove('indicators', 'confin00001', gone(3));
    await s.remove('dataElements', 'confde00001', gone(1));
    await s.put('dataElements', 'confde00001', text('confde00001', 'back'));
    await s.store.pending(async ({ changes }) => {
      assert.deepEqual(await changes.deletions([]), [
        { type: 'dataElements', id: 'confde00002', ...gone(2, 'TWO') },
        { type: 'indicators', id: 'confin00001', ...gone(3) },
      ]);
      assert.equal(await changes.deletionCount([]), 2);
      assert.deepEqual((await pages(changes, 'dataElements')).flat(), [
        text('confde00001', 'back'),
      ]);
      assert.equal((await changes.counts([])).deletions, 2);
    });
  });

  it('excluded objects are left out of objects, deletions, counts and the change check', async () => {
    const s = await fresh();
    await s.put('dataElements', 'confde00001', text('confde00001'));
    await createNext(s);
    const admin = [
      { type: 'users', id: 'confadmin01' },
      { type: 'userRoles', id: 'confrole001' },
    ];
    await s.put('users', 'confadmin01', text('confadmin01'));
    await s.remove('userRoles', 'confrole001', gone(1));
    await s.store.pending(async ({ changes }) => {
      assert.equal(await changes.anyChange(admin), false);
      assert.equal(await changes.anyChange([]), true);
      assert.deepEqual(await pages(changes, 'users', admin), []);
      assert.deepEqual(await changes.deletions(admin), []);
      assert.equal(await changes.deletionCount(admin), 0);
      assert.deepEqual(await changes.counts(admin), { types: {}, bytes: 0, deletions: 0 });
      assert.deepEqual((await changes.counts([])).types, { users: 1 });
    });
    await s.put('dataElements', 'confde00002', text('confde00002'));
    await s.store.pending(async ({ changes }) =>
      assert.equal(await changes.anyChange(admin), true),
    );
  });

  it('a throw inside create rolls everything back', async () => {
    const s = await fresh();
    await s.put('dataElements', 'confde00001', text('confde00001'));
    await assert.rejects(
      s.store.create(async (d) => {
        const v1 = version(1, null);
        await d.writeSnapshot(v1.id, once(Buffer.from('{}')));
        await d.insert(v1);
        await d.settings.putMany(new Map([['keySystemMetadataVersion', v1.name]]));
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    assert.equal(await s.store.latest(), null);
    assert.equal(await s.store.readSnapshot('confversion1', 'json'), null);
    assert.equal(await s.setting('keySystemMetadataVersion'), undefined);
    await s.store.create(async ({ latest, changes }) => {
      assert.equal(latest, null);
      assert.deepEqual((await pages(changes, 'dataElements')).flat(), [text('confde00001')]);
    });
  });

  it('concurrent creates run one after the other: each sees the one before', async () => {
    const s = await fresh();
    const made = await Promise.all(Array.from({ length: 4 }, () => createNext(s)));
    assert.deepEqual(made.map((v) => v.number).sort(), [1, 2, 3, 4]);
    const chain = (await s.store.list()).map((v) => [v.name, v.parentHashCode]);
    assert.deepEqual(chain, [
      ['Version_1', null],
      ['Version_2', version(1, null).hashCode],
      ['Version_3', version(2, null).hashCode],
      ['Version_4', version(3, null).hashCode],
    ]);
  });

  it('a change committed while a create runs goes to the next version, not lost', async () => {
    const s = await fresh();
    await s.put('dataElements', 'confde00001', text('confde00001'));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const inside = new Promise<void>((r) => (started = r));
    const first = s.store.create(async (d) => {
      // The range is fixed when the draft starts: read it before the concurrent write.
      const seen = (await pages(d.changes, 'dataElements')).flat();
      started();
      await held;
      const v = version(1, null);
      await d.insert(v);
      return seen;
    });
    await inside;
    const write = s.put('dataElements', 'confde00002', text('confde00002'));
    // PGlite is one session: the write waits for the create's transaction there.
    await Promise.race([write, new Promise((r) => setTimeout(r, 50))]);
    release();
    assert.deepEqual(await first, [text('confde00001')]);
    await write;
    await s.store.create(async ({ changes }) =>
      assert.deepEqual((await pages(changes, 'dataElements')).flat(), [text('confde00002')]),
    );
  });

  it('rebaseline removes the versions from its number on and records the given one', async () => {
    const s = await fresh();
    const v1 = await createNext(s);
    await createNext(s);
    await createNext(s);
    const theirs = version(2, v1, { id: 'confcentral', hashCode: 'c'.repeat(32) });
    assert.deepEqual((await s.store.rebaseline(theirs)).sort(), ['Version_2', 'Version_3']);
    assert.deepEqual(
      (await s.store.list()).map((v) => [v.name, v.id]),
      [
        ['Version_1', v1.id],
        ['Version_2', 'confcentral'],
      ],
    );
    assert.equal(await s.store.readSnapshot('confversion3', 'json'), null);
    assert.equal((await s.store.latest())?.hashCode, 'c'.repeat(32));
  });

  it('rollout states: a version is RELEASED unless created or set otherwise (issue 22)', async () => {
    const s = await fresh();
    await createNext(s);
    const v2 = await s.store.create(async (d) => {
      const v = version(2, d.latest, { state: 'CANARY' });
      v.gzipBytes = await d.writeSnapshot(v.id, once(Buffer.from('{}')));
      await d.insert(v);
      return v;
    });
    assert.equal(v2.state, 'CANARY');
    await createNext(s);
    const states = async () => (await s.store.list()).map((v) => v.state ?? 'RELEASED');
    assert.deepEqual(await states(), ['RELEASED', 'CANARY', 'RELEASED']);
    await s.store.setState(['Version_2', 'Version_3'], 'HELD', T(50));
    assert.deepEqual(await states(), ['RELEASED', 'HELD', 'HELD']);
    assert.equal((await s.store.byName('Version_3'))?.state, 'HELD');
    await s.store.setState(['Version_2'], 'RELEASED', T(60));
    assert.equal((await s.store.byName('Version_2'))?.state, undefined, 'RELEASED reads as absent');
  });

  it('withdraw removes the versions from its number on, keeps notes, and the next draft holds their changes again', async () => {
    const s = await fresh();
    await s.put('dataElements', 'confde00001', text('confde00001'));
    const v1 = await createNext(s);
    await s.put('dataElements', 'confde00002', text('confde00002'));
    await createNext(s);
    await s.put('dataElements', 'confde00003', text('confde00003'));
    await createNext(s);
    const seen: (string | null)[] = [];
    const removed = await s.store.withdraw(
      2,
      { by: 'admin', at: T(70), reason: 'broken reference' },
      async ({ latest, settings }) => {
        seen.push(latest?.name ?? null);
        await settings.putMany(new Map([['keySystemMetadataVersion', latest?.name ?? '']]));
      },
    );
    assert.deepEqual(
      removed.map((v) => v.name),
      ['Version_3', 'Version_2'],
    );
    assert.deepEqual(seen, ['Version_1']);
    assert.equal(await s.setting('keySystemMetadataVersion'), 'Version_1');
    assert.deepEqual(
      (await s.store.list()).map((v) => v.name),
      ['Version_1'],
    );
    assert.equal(await s.store.readSnapshot('confversion2', 'json'), null);
    assert.deepEqual(
      (await s.store.withdrawals()).map((w) => [w.name, w.id, w.by, w.reason]),
      [
        ['Version_3', 'confversion3', 'admin', 'broken reference'],
        ['Version_2', 'confversion2', 'admin', 'broken reference'],
      ],
    );
    // The changes the withdrawn versions held are pending again, for the next Version_2.
    await s.store.pending(async ({ latest, changes }) => {
      assert.equal(latest?.id, v1.id);
      assert.deepEqual((await pages(changes, 'dataElements')).flat(), [
        text('confde00002'),
        text('confde00003'),
      ]);
    });
  });

  it('the fleet: one entry per key, the last seen first', async () => {
    const s = await fresh();
    const entry = (key: string, ms: number, baseline: string | null) => ({
      key,
      systemId: null,
      name: `local ${key}`,
      username: 'sync',
      address: '10.0.0.1',
      baseline,
      lastSeen: T(ms),
      state: null,
      via: null,
      relay: null,
    });
    await s.store.recordFleet(entry('conf-a', 1, null));
    await s.store.recordFleet(entry('conf-b', 2, 'Version_1'));
    await s.store.recordFleet(entry('conf-a', 3, 'Version_2'));
    assert.deepEqual(await s.store.fleet(), [
      entry('conf-a', 3, 'Version_2'),
      entry('conf-b', 2, 'Version_1'),
    ]);
  });

  it("a relay's report replaces all it reported before, in one go, and leaves the rest alone (issue 21 §4)", async () => {
    const s = await fresh();
    const direct = {
      key: 'system:relay-r',
      systemId: 'relay-r',
      name: 'Region',
      username: 'sync',
      address: '10.0.0.2',
      baseline: 'Version_2',
      lastSeen: T(5),
      state: 'SUCCESS' as const,
      via: null,
      relay: null,
    };
    const below = (id: string, ms: number, via = 'relay-r') => ({
      key: `via:${via}:system:${id}`,
      systemId: id,
      name: `District ${id}`,
      username: 'sync-d',
      address: '10.0.1.1',
      baseline: 'Version_1',
      lastSeen: T(ms),
      state: 'FAILED' as const,
      via,
      relay: via,
    });
    await s.store.recordFleet(direct);
    await s.store.replaceReported('relay-r', [below('d1', 3), below('d2', 2)]);
    await s.store.replaceReported('relay-q', [below('d9', 1, 'relay-q')]);
    assert.deepEqual(await s.store.fleet(), [
      direct,
      below('d1', 3),
      below('d2', 2),
      below('d9', 1, 'relay-q'),
    ]);
    // The next report without d2: d2 is gone, d1 updated, the direct entry and relay-q's kept.
    await s.store.replaceReported('relay-r', [below('d1', 6)]);
    assert.deepEqual(await s.store.fleet(), [below('d1', 6), direct, below('d9', 1, 'relay-q')]);
    await s.store.replaceReported('relay-r', []);
    assert.deepEqual(await s.store.fleet(), [direct, below('d9', 1, 'relay-q')]);
  });
}
