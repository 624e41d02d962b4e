/**
 * Data bundles (issue 20 §5) over in-memory fakes: the export pages as the push does and moves
 * the push's watermarks only on commit, forward only; the manifest's rules; the locals' key trust
 * (audited pins, refusals naming the fingerprints); and the reader's checks of the tar's layout.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  exportDataBundle,
  type DataBundleExportDeps,
} from '../../src/bundle/data-bundle-export.ts';
import { dataBundleBodies, verifyDataBundle } from '../../src/bundle/data-bundle-reader.ts';
import { dataRefusalOf } from '../../src/domain/bundle/data-bundle-refusal.ts';
import {
  parseDataManifest,
  type DataBundleManifest,
} from '../../src/domain/bundle/data-manifest.ts';
import {
  createLocalKeyTrust,
  PIN_LOCAL_SIGNING_KEY,
  UNPIN_LOCAL_SIGNING_KEY,
} from '../../src/domain/bundle/local-keys.ts';
import { signCanonical } from '../../src/domain/bundle/manifest-signature.ts';
import type { DataStore } from '../../src/domain/data/data-store.ts';
import { ErrorCode } from '../../src/domain/errors.ts';
import { testSigner } from '../support/bundle-keys.ts';
import { all, dv } from '../support/data-store-conformance.ts';
import { tar, untar } from '../support/data-bundles.ts';
import { createMemoryDataStore } from '../support/fakes/memory-data-store.ts';
import { createMemoryLocalKeys } from '../support/fakes/memory-local-keys.ts';
import { createMemoryMetadataStore } from '../support/fakes/memory-metadata-store.ts';
import { createMemorySyncStore } from '../support/fakes/memory-sync-store.ts';

const NOW = new Date('2026-12-07T12:00:00.000Z');
const SEQ = 'keyLastSuccessfulDataSynchSeq';

function memorySettings(initial: Record<string, unknown> = {}) {
  const values = new Map(Object.entries(initial));
  return {
    values,
    value: async (key: string) => values.get(key),
    update: async (entries: Record<string, unknown>) => {
      for (const [k, v] of Object.entries(entries)) values.set(k, v);
    },
  };
}

describe('data bundle export over fakes', () => {
  let tmpDir: string;
  let store: DataStore;
  const signer = testSigner();
  const deps = (settings: ReturnType<typeof memorySettings>): DataBundleExportDeps => ({
    store,
    settings,
    signer: async () => signer,
    system: async () => ({ systemId: 'local-1', systemName: 'Island clinic' }),
    clock: { now: () => NOW },
    tmpDir,
  });
  before(async () => {
    tmpDir = await mkdtemp(path.join(os.tmpdir(), 'metasync-unit-data-bundle-'));
    store = createMemoryDataStore(createMemoryMetadataStore());
    const rows = [1, 2, 3, 4, 5].map((n) =>
      dv({ dataElement: `UnitDe0000${n}`, value: String(n) }),
    );
    await store.writeDataValues(rows, all(rows), false);
  });
  after(() => rm(tmpDir, { recursive: true, force: true }));

  it('pages as the push does: windows end to end, the last at the cut, every kind present', async () => {
    const settings = memorySettings({ dataValuesPageSize: 2, [SEQ]: 1 });
    const bundle = await exportDataBundle(deps(settings), { all: false });
    const { parts } = bundle.manifest;
    assert.deepEqual(
      parts.map((p) => [p.file, p.count, p.window.after, p.window.upTo]),
      [
        ['parts/0001-dataValues.json.gz', 2, 1, 3],
        ['parts/0002-dataValues.json.gz', 2, 3, 5],
        // A full last page: the next read is empty, and adds no part.
        ['parts/0003-completeDataSetRegistrations.json.gz', 0, 0, 5],
        ['parts/0004-events.json.gz', 0, 0, 5],
      ],
    );
    assert.ok(parseDataManifest(bundle.manifest).ok);
    assert.equal(bundle.manifest.keyFingerprint, signer.fingerprint);
    // Nothing moves before the commit; then every kind reaches the cut.
    assert.equal(settings.values.get(SEQ), 1);
    await bundle.commit();
    assert.equal(settings.values.get(SEQ), 5);
    assert.equal(settings.values.get('keyLastSuccessfulEventsDataSynchSeq'), 5);
    assert.equal(settings.values.get('keyLastSuccessfulDataSynch'), NOW.toISOString());
    await bundle.dispose();
    assert.deepEqual(await readdir(tmpDir), [], 'the parts are gone');
  });

  it('all carries every row; a commit never moves a watermark back', async () => {
    const settings = memorySettings({ [SEQ]: 9 });
    const bundle = await exportDataBundle(deps(settings), { all: true });
    assert.equal(bundle.manifest.all, true);
    assert.deepEqual(
      bundle.manifest.parts.map((p) => p.count),
      [5, 0, 0],
    );
    await bundle.commit();
    assert.equal(settings.values.get(SEQ), 9);
    await bundle.dispose();
  });

  it('an export that fails moves nothing and leaves no file', async () => {
    const settings = memorySettings();
    await assert.rejects(
      exportDataBundle(
        {
          ...deps(settings),
          signer: async () => {
            throw new Error('the key is sealed under another password');
          },
        },
        { all: false },
      ),
      /sealed/,
    );
    assert.equal(settings.values.get(SEQ), undefined);
    assert.deepEqual(await readdir(tmpDir), []);
  });

  it('reads back what it wrote: the parts are the push bodies', async () => {
    const bundle = await exportDataBundle(deps(memorySettings()), { all: true });
    const chunks: Buffer[] = [];
    for await (const c of bundle.stream()) chunks.push(Buffer.from(c as Buffer));
    const file = path.join(tmpDir, 'read.tar');
    await writeFile(file, Buffer.concat(chunks));
    assert.equal(Buffer.concat(chunks).length, bundle.size);
    const manifest = await verifyDataBundle(file, async () => undefined);
    const bodies = [];
    for await (const b of dataBundleBodies(file, manifest)) bodies.push(b.body);
    assert.equal((bodies[0]!.dataValues as unknown[]).length, 5);
    assert.deepEqual(bodies.slice(1), [{ completeDataSetRegistrations: [] }, { events: [] }]);
    await bundle.dispose();
    await rm(file);
  });
});

describe('data bundle manifest rules', () => {
  const signer = testSigner();
  const part = (n: number, kind: string, after: number, upTo: number) => ({
    file: `parts/${String(n).padStart(4, '0')}-${kind}.json.gz`,
    kind,
    count: 0,
    size: 20,
    sha256: 'a'.repeat(64),
    window: { after, upTo },
  });
  const manifest = (parts: unknown[]) =>
    signCanonical(
      {
        format: 'metasync-data-bundle/1',
        source: { systemId: 'local-1', systemName: 'x' },
        createdAt: NOW.toISOString(),
        all: false,
        parts,
      },
      signer,
    );

  it('takes the push order, numbered parts, windows end to end', () => {
    const ok = parseDataManifest(
      manifest([
        part(1, 'dataValues', 0, 3),
        part(2, 'dataValues', 3, 5),
        part(3, 'completeDataSetRegistrations', 2, 5),
        part(4, 'events', 0, 5),
      ]),
    );
    assert.ok(ok.ok, ok.ok ? '' : ok.message);
  });

  it('names every problem: order, numbering, a gap, a missing kind', () => {
    const r = parseDataManifest(
      manifest([part(1, 'events', 0, 5), part(2, 'dataValues', 0, 3), part(4, 'dataValues', 4, 5)]),
    );
    assert.ok(!r.ok);
    assert.match(r.message, /parts\.1\.kind: dataValues must come before events/);
    assert.match(r.message, /parts\.2\.file: must be parts\/0003-dataValues\.json\.gz/);
    assert.match(r.message, /parts\.2\.window\.after: must be 3/);
    assert.match(r.message, /must hold a part of completeDataSetRegistrations/);
  });
});

describe('the locals keys a central trusts', () => {
  const audit = createMemorySyncStore();
  const trust = createLocalKeyTrust({ store: createMemoryLocalKeys(), audit, now: () => NOW });
  const local = testSigner();
  const unsigned = {
    format: 'metasync-data-bundle/1',
    source: { systemId: 'local-1', systemName: 'x' },
  };

  const refusal = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      return dataRefusalOf(e);
    }
    assert.fail('not refused');
  };

  it('refuses a local without a pin, naming its systemId and the fingerprint', async () => {
    const r = await refusal(trust.check('local-1', signCanonical(unsigned, local)));
    assert.equal(r?.problem, 'unknown-local');
    assert.ok(r?.message.includes(local.fingerprint) && r.message.includes('local-1'));
  });

  it('pins audited; accepts the pinned key; refuses another, and a changed manifest', async () => {
    await trust.pin('local-1', local.publicKeyPem, { username: 'ana', reason: ' by hand ' });
    const [entry] = await audit.audits();
    assert.equal(entry?.action, PIN_LOCAL_SIGNING_KEY);
    assert.equal(entry?.username, 'ana');
    assert.equal(entry?.reason, 'by hand');
    assert.deepEqual(entry?.details, {
      systemId: 'local-1',
      oldFingerprint: null,
      newFingerprint: local.fingerprint,
    });
    assert.equal(
      (await trust.check('local-1', signCanonical(unsigned, local))).systemId,
      'local-1',
    );
    const other = testSigner();
    const key = await refusal(trust.check('local-1', signCanonical(unsigned, other)));
    assert.deepEqual(
      key && key.problem === 'key' ? [key.bundleFingerprint, key.trustedFingerprint] : null,
      [other.fingerprint, local.fingerprint],
    );
    const changed = { ...signCanonical(unsigned, local), all: true };
    assert.equal((await refusal(trust.check('local-1', changed)))?.problem, 'signature');
  });

  it('unpins audited; refuses an unknown unpin and a bad systemId or key', async () => {
    await trust.unpin('local-1', { username: 'ana' });
    assert.equal((await audit.audits())[0]?.action, UNPIN_LOCAL_SIGNING_KEY);
    assert.deepEqual(await trust.list(), []);
    await assert.rejects(trust.unpin('local-1', { username: 'ana' }), {
      code: ErrorCode.NOT_FOUND,
    });
    await assert.rejects(trust.pin('has space', local.publicKeyPem, { username: 'a' }), {
      code: ErrorCode.VALIDATION_FAILED,
    });
    await assert.rejects(trust.pin('local-2', 'not a key', { username: 'a' }), {
      code: ErrorCode.BAD_REQUEST,
    });
  });
});

describe('data bundle reader layout checks', () => {
  let dir: string;
  let good: Buffer;
  let manifest: DataBundleManifest;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'metasync-unit-data-reader-'));
    const store = createMemoryDataStore(createMemoryMetadataStore());
    const bundle = await exportDataBundle(
      {
        store,
        settings: memorySettings(),
        signer: async () => testSigner(),
        system: async () => ({ systemId: 'local-1', systemName: 'x' }),
        clock: { now: () => NOW },
        tmpDir: dir,
      },
      { all: true },
    );
    const chunks: Buffer[] = [];
    for await (const c of bundle.stream()) chunks.push(Buffer.from(c as Buffer));
    good = Buffer.concat(chunks);
    manifest = bundle.manifest;
    await bundle.dispose();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const verdict = async (bytes: Buffer) => {
    const file = path.join(dir, 'b.tar');
    await writeFile(file, bytes);
    try {
      await verifyDataBundle(file, async () => undefined);
      return null;
    } catch (e) {
      return dataRefusalOf(e);
    } finally {
      await rm(file);
    }
  };

  it('refuses a missing part, an extra file, a manifest not first, another format', async () => {
    const files = await untar(good);
    const missing = await verdict(await tar(files.slice(0, -1)));
    assert.equal(missing?.problem, 'layout');
    assert.match(missing!.message, /ends before parts\/0003-events\.json\.gz/);
    const extra = await verdict(await tar([...files, { name: 'x.txt', bytes: Buffer.from('x') }]));
    assert.match(extra!.message, /holds x\.txt, which its manifest does not name/);
    const swapped = await verdict(await tar([files[1]!, files[0]!, ...files.slice(2)]));
    assert.match(swapped!.message, /first file must be manifest\.json/);
    const other = { ...manifest, format: 'metasync-bundle/1' };
    const format = await verdict(
      await tar([{ name: 'manifest.json', bytes: Buffer.from(JSON.stringify(other)) }]),
    );
    assert.equal(format?.problem, 'manifest');
    assert.match(format!.message, /format is "metasync-bundle\/1"/);
  });

  it('refuses a part of another size, naming it', async () => {
    const files = await untar(good);
    files[2] = { name: files[2]!.name, bytes: Buffer.concat([files[2]!.bytes, Buffer.from([0])]) };
    const r = await verdict(await tar(files));
    assert.equal(r?.problem, 'part');
    assert.ok(
      r?.problem === 'part' && r.part === 'parts/0002-completeDataSetRegistrations.json.gz',
    );
  });
});
