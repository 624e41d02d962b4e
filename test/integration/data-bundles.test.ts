/**
 * Data bundles (issue 20 §5, §6) between a real local and a real central, on both backends: the
 * local's values, registrations and events go by bundle (HTTP and CLI) into the central, which
 * refuses a bundle from a local whose key it has not pinned, signed by another key, or with a
 * flipped byte, before importing anything; a bundle imported twice adds nothing; the watermarks
 * make the next bundle carry only what changed since, and `all` carries everything.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  bundleExportData,
  bundleImportData,
  bundleTrustLocal,
} from '../../src/cli/data-bundle-commands.ts';
import { canonicalManifestBytes } from '../../src/domain/bundle/manifest-signature.ts';
import { signCanonical } from '../../src/domain/bundle/manifest-signature.ts';
import { testSigner } from '../support/bundle-keys.ts';
import {
  countsOf,
  exportData,
  importData,
  manifestOf,
  pinLocal,
  tar,
  untar,
  type RefusalJson,
} from '../support/data-bundles.ts';
import { backends, type TestDatabase } from '../support/databases.ts';
import {
  IDS,
  dataSeq,
  exportValues,
  importDataMetadata,
  postValues,
  value,
  valueMap,
} from '../support/data.ts';
import { useServer, type TestServer } from '../support/server.ts';
import { centralBackend, setting } from '../support/sync.ts';
import { fetchJson } from '../support/versions.ts';

type Json = Record<string, unknown>;

const post = (server: TestServer, url: string, body: Json) =>
  fetchJson(server, url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** The CLI's flags for a test database. */
const dbFlags = (database: TestDatabase) =>
  'dataDir' in database.location
    ? ['--data-dir', database.location.dataDir]
    : ['--database-url', database.location.databaseUrl];

/** What `fn` prints with console.log. */
async function printed(fn: () => Promise<void>): Promise<string> {
  const log = console.log;
  const lines: string[] = [];
  console.log = (line: string) => void lines.push(line);
  try {
    await fn();
  } finally {
    console.log = log;
  }
  return lines.join('\n');
}

const counts = (m: { parts: { kind: string; count: number }[] }) => {
  const c: Record<string, number> = {};
  for (const p of m.parts) c[p.kind] = (c[p.kind] ?? 0) + p.count;
  return c;
};

for (const backend of await backends()) {
  describe(`data bundles from a ${backend} local to a metasync central`, () => {
    // A small bound, to see the 413; the test bundles weigh a few kB.
    const central = useServer(backend === 'pglite' ? centralBackend() : backend, {
      bundleMaxBytes: 64 * 1024,
    });
    const local = useServer(backend);
    let tmp: string;
    /** The first bundle: the local's seeded rows. */
    let first: Buffer;
    let pinned: { systemId: string; fingerprint: string; pem: string };
    const all = `orgUnit=${IDS.ouRoot}&children=true`;
    const centralValues = async () => valueMap(await exportValues(central, all));

    before(async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), 'metasync-data-bundle-test-'));
      for (const s of [central, local]) await importDataMetadata(s);
      const r = await postValues(local, {
        dataValues: [
          value(IDS.deNumber, '202001', '1'),
          value(IDS.deInteger, '202001', '3'),
          value(IDS.deNumber, '202001', '4', { orgUnit: IDS.ouChild }),
        ],
      });
      assert.equal(r.summary.status, 'SUCCESS', r.text);
      await post(local, '/api/completeDataSetRegistrations', {
        completeDataSetRegistrations: [
          { dataSet: IDS.dataSet, period: '202001', organisationUnit: IDS.ouRoot },
        ],
      });
      await post(local, '/api/events?strategy=SYNC', {
        events: [
          {
            event: 'BundleEvnt1',
            program: IDS.program,
            programStage: IDS.stage,
            orgUnit: IDS.ouRoot,
            eventDate: '2020-01-02',
            status: 'ACTIVE',
            dataValues: [{ dataElement: IDS.deText, value: 'x' }],
          },
        ],
      });
    });
    after(() => rm(tmp, { recursive: true, force: true }));

    it('exports what the local would push, signed by its key, and moves the watermarks', async () => {
      const { bundle, manifest, res } = await exportData(local);
      first = bundle;
      const info = await fetchJson<{ systemId: string; systemName: string }>(
        local,
        '/api/system/info',
      );
      const key = await fetchJson<{ fingerprint: string }>(local, '/api/metasync/signing-key');
      assert.equal(manifest.format, 'metasync-data-bundle/1');
      assert.deepEqual(manifest.source, {
        systemId: info.body.systemId,
        systemName: info.body.systemName,
      });
      assert.equal(manifest.all, false);
      assert.equal(manifest.keyFingerprint, key.body.fingerprint);
      assert.deepEqual(counts(manifest), {
        dataValues: 3,
        completeDataSetRegistrations: 1,
        events: 1,
      });
      const seq = await dataSeq(local);
      for (const p of manifest.parts) assert.equal(p.window.upTo, seq, p.file);
      assert.match(
        res.headers.get('content-disposition')!,
        new RegExp(
          `^attachment; filename="metasync-data-${info.body.systemId}-\\d{8}T\\d{6}Z\\.tar"$`,
        ),
      );
      // The files: manifest.json first, then each part as the push's POST body, gzipped.
      const files = await untar(bundle);
      assert.deepEqual(
        files.map((f) => f.name),
        ['manifest.json', ...manifest.parts.map((p) => p.file)],
      );
      // Once sent whole, the next bundle starts after it: the push's own watermarks.
      const next = await exportData(local);
      assert.deepEqual(counts(next.manifest), {
        dataValues: 0,
        completeDataSetRegistrations: 0,
        events: 0,
      });
      for (const k of [
        'keyLastSuccessfulDataSynchSeq',
        'keyLastCompleteDataSetRegistrationSyncSeq',
        'keyLastSuccessfulEventsDataSynchSeq',
      ])
        assert.equal(await setting(local, k), seq, k);
    });

    it('refuses a bundle from a local whose key is not pinned, naming its fingerprint and systemId', async () => {
      const before = await dataSeq(central);
      const r = await importData<RefusalJson>(central, first);
      assert.equal(r.status, 409, r.text);
      assert.equal(r.body.errorCode, 'E1004');
      const manifest = await manifestOf(first);
      assert.equal(r.body.response.problem, 'unknown-local');
      assert.equal(r.body.response.systemId, manifest.source.systemId);
      assert.equal(r.body.response.bundleFingerprint, manifest.keyFingerprint);
      assert.ok(r.body.message.includes(manifest.keyFingerprint), r.body.message);
      assert.ok(r.body.message.includes(manifest.source.systemId), r.body.message);
      assert.match(r.body.message, /bundle trust-local/);
      assert.equal(await dataSeq(central), before, 'nothing imported');
    });

    it('pins the local key (audited) and imports the bundle as the push would be', async () => {
      pinned = await pinLocal(central, local);
      const listed = await fetchJson<{ locals: Json[] }>(
        central,
        '/api/metasync/signing-key/locals',
      );
      assert.deepEqual(
        listed.body.locals.map((l) => [l.systemId, l.fingerprint, l.pinnedBy, l.reason]),
        [[pinned.systemId, pinned.fingerprint, 'admin', 'carried by hand']],
      );
      const audit = await fetchJson<{ audit: { action: string; details: Json }[] }>(
        central,
        '/api/metadata/sync/audit',
      );
      const pin = audit.body.audit.find((a) => a.action === 'PIN_LOCAL_SIGNING_KEY');
      assert.equal(pin?.details.systemId, pinned.systemId);
      assert.equal(pin?.details.newFingerprint, pinned.fingerprint);

      const r = await importData(central, first);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.source.systemId, pinned.systemId);
      assert.deepEqual(
        r.body.parts.map((p) => [
          p.kind,
          p.count,
          p.importSummary.responseType,
          p.importSummary.status,
        ]),
        [
          ['dataValues', 3, 'ImportSummary', 'SUCCESS'],
          ['completeDataSetRegistrations', 1, 'ImportSummary', 'SUCCESS'],
          ['events', 1, 'ImportSummaries', 'SUCCESS'],
        ],
      );
      assert.deepEqual(
        r.body.parts.map((p) => countsOf(p).imported),
        [3, 1, 1],
      );
      assert.deepEqual(await centralValues(), valueMap(await exportValues(local, all)));
      const audited = await fetchJson<{
        audit: { action: string; username: string; details: Json }[];
      }>(central, '/api/metadata/sync/audit');
      const entry = audited.body.audit.find((a) => a.action === 'IMPORT_DATA_BUNDLE');
      assert.equal(entry?.username, 'admin');
      assert.equal(entry?.details.systemId, pinned.systemId);
      assert.equal(entry?.details.keyFingerprint, pinned.fingerprint);
      assert.equal(entry?.details.imported, 5);
      const regs = await fetchJson<{ completeDataSetRegistrations: Json[] }>(
        central,
        `/api/completeDataSetRegistrations?dataSet=${IDS.dataSet}`,
      );
      assert.equal(regs.body.completeDataSetRegistrations.length, 1);
      const events = await fetchJson<{ events: Json[] }>(
        central,
        `/api/events?program=${IDS.program}`,
      );
      assert.deepEqual(
        events.body.events.map((e) => e.event),
        ['BundleEvnt1'],
      );
    });

    it('imports the same bundle again: adds nothing', async () => {
      const seq = await dataSeq(central);
      const values = await centralValues();
      const r = await importData(central, first);
      assert.equal(r.status, 200, r.text);
      for (const p of r.body.parts) assert.equal(countsOf(p).imported, 0, p.kind);
      assert.equal(await dataSeq(central), seq, 'no row written');
      assert.deepEqual(await centralValues(), values);
    });

    it('carries only what changed since: a new value on the local', async () => {
      await postValues(local, { dataValues: [value(IDS.deNumber, '202003', '7')] });
      // A HEAD says how large the bundle is, and moves nothing.
      const head = await local.request('/api/metasync/data-bundles', { method: 'HEAD' });
      assert.equal(head.status, 200);
      assert.ok(Number(head.headers.get('content-length')) > 0);
      const { bundle, manifest } = await exportData(local);
      assert.deepEqual(counts(manifest), {
        dataValues: 1,
        completeDataSetRegistrations: 0,
        events: 0,
      });
      const r = await importData(central, bundle);
      assert.equal(r.status, 200, r.text);
      assert.equal(countsOf(r.body.parts[0]!).imported, 1);
      assert.equal((await centralValues())[`${IDS.deNumber}/202003/${IDS.ouRoot}`], '7');
    });

    it('refuses a bundle with one flipped byte in a part, naming the part; nothing imported', async () => {
      const { bundle, manifest } = await exportData(local, true);
      assert.equal(manifest.all, true);
      assert.deepEqual(counts(manifest), {
        dataValues: 4,
        completeDataSetRegistrations: 1,
        events: 1,
      });
      const files = await untar(bundle);
      // The events part: an earlier part's import would show if the check came too late.
      const target = files.findIndex((f) => f.name.endsWith('-events.json.gz'));
      const bytes = Buffer.from(files[target]!.bytes);
      bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
      files[target] = { name: files[target]!.name, bytes };
      await postValues(local, { dataValues: [value(IDS.deNumber, '202004', '8')] });
      const broken = await tar(files);
      const seq = await dataSeq(central);
      const r = await importData<RefusalJson>(central, broken);
      assert.equal(r.status, 409, r.text);
      assert.equal(r.body.response.problem, 'part');
      assert.equal(r.body.response.part, files[target]!.name);
      assert.match(r.body.message, new RegExp(`^${files[target]!.name} is corrupt: its SHA-256`));
      assert.equal(await dataSeq(central), seq, 'nothing imported');
      // The whole `all` bundle imports, adding nothing the central has.
      const whole = await importData(central, bundle);
      assert.equal(whole.status, 200, whole.text);
      for (const p of whole.body.parts) assert.equal(countsOf(p).imported, 0, p.kind);
      assert.equal(await dataSeq(central), seq);
    });

    it('refuses a bundle signed by another key, naming both fingerprints', async () => {
      const files = await untar(first);
      const manifest = JSON.parse(files[0]!.bytes.toString('utf8')) as Json;
      delete manifest.signature;
      delete manifest.keyFingerprint;
      const other = testSigner();
      const forged = signCanonical(manifest, other);
      files[0] = { name: 'manifest.json', bytes: Buffer.from(JSON.stringify(forged)) };
      const r = await importData<RefusalJson>(central, await tar(files));
      assert.equal(r.status, 409, r.text);
      assert.equal(r.body.response.problem, 'key');
      assert.equal(r.body.response.bundleFingerprint, other.fingerprint);
      assert.equal(r.body.response.trustedFingerprint, pinned.fingerprint);
      assert.ok(
        r.body.message.includes(other.fingerprint) && r.body.message.includes(pinned.fingerprint),
      );
      // The pinned key's fingerprint on a changed manifest: the signature does not verify.
      const changed = { ...(forged as Json), all: true, keyFingerprint: pinned.fingerprint };
      assert.notDeepEqual(canonicalManifestBytes(changed), canonicalManifestBytes(forged));
      files[0] = { name: 'manifest.json', bytes: Buffer.from(JSON.stringify(changed)) };
      const s = await importData<RefusalJson>(central, await tar(files));
      assert.equal(s.status, 409, s.text);
      assert.equal(s.body.response.problem, 'signature');
    });

    it('refuses what is not a data bundle, and one over server.bundle.max.size (413)', async () => {
      const r = await importData<RefusalJson>(central, Buffer.from('not a tar at all'));
      assert.equal(r.status, 409, r.text);
      assert.equal(r.body.response.problem, 'layout');
      const json = await fetchJson<RefusalJson>(central, '/api/metasync/data-bundles', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(json.status, 415, json.text);
      const big = await importData<RefusalJson>(central, Buffer.alloc(65 * 1024, 1));
      assert.equal(big.status, 413, big.text);
      assert.match(big.body.message, /server\.bundle\.max\.size/);
    });

    it('exports, pins and imports with the CLI', async () => {
      // One value added, then the CLI's export over the stopped local's database.
      await postValues(local, { dataValues: [value(IDS.deInteger, '202005', '9')] });
      await local.stop(); // PGlite: one process, one opener of the data directory
      const out = path.join(tmp, 'stick.tar');
      const wrote = await printed(() => bundleExportData({ out, ...flagsOf(local.database) }));
      assert.match(wrote, /Wrote .*stick\.tar: 2 data values, 0 complete registrations, 0 events/);
      const file = await readFile(out);
      assert.deepEqual(counts(await manifestOf(file)), {
        dataValues: 2,
        completeDataSetRegistrations: 0,
        events: 0,
      });
      const r = await importData(central, file);
      assert.equal(r.status, 200, r.text);
      assert.equal(countsOf(r.body.parts[0]!).imported, 2);

      await central.stop();
      const keyFile = path.join(tmp, 'local.pem');
      await writeFile(keyFile, pinned.pem);
      const trusted = await printed(() =>
        bundleTrustLocal({
          key: keyFile,
          'system-id': pinned.systemId,
          ...flagsOf(central.database),
        }),
      );
      assert.match(
        trusted,
        new RegExp(`Pinned the signing key ${pinned.fingerprint} for the local`),
      );
      const again = await printed(() =>
        bundleImportData(out, { username: 'stick-carrier', ...flagsOf(central.database) }),
      );
      assert.match(again, /dataValues: 2 sent, SUCCESS: imported 0/);
    });
  });
}

/** The CLI's flag values for a test database, as parseArgs gives them. */
function flagsOf(database: TestDatabase): Record<string, string> {
  const [flag, value] = dbFlags(database);
  return { [flag!.slice(2)]: value! };
}
