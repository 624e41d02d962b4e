/**
 * Offline bundle import (issue 20 §3, §4, §6) on both backends, between real servers: a local at
 * Version_1 refuses a bundle with a gap, a flipped byte or another key (importing nothing), then
 * imports Version_2..Version_5 from a bundle and ends where an online-synced twin ends (version
 * list and canonical export); the same bundle again changes nothing; online sync then continues
 * to Version_6; a bundle naming a version the local holds with another hash fails DIVERGED; and
 * `metasync bundle import` does the same from a file on a fresh database.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bundleImport } from '../../src/cli/bundle-import-command.ts';
import { bundleTrust } from '../../src/cli/bundle-key-commands.ts';
import { testSigner } from '../support/bundle-keys.ts';
import { flipByte, md5Hex, packBundle, resign, unpackBundle } from '../support/bundle-files.ts';
import { backends, createTestDatabase } from '../support/databases.ts';
import { startServer, type TestServer } from '../support/server.ts';
import {
  centralBackend,
  comparableVersions,
  connect,
  start,
  step,
  syncOk,
  type Started,
  type SyncReportJson,
} from '../support/sync.ts';
import { fetchJson, listVersions } from '../support/versions.ts';
import { canonicalExport, startCentral, type Central } from '../faults/harness.ts';
import { gunzipSync, gzipSync } from 'node:zlib';

type Refusal = { problem: string; version?: string; missing?: string[] } & Record<string, unknown>;

async function bundleOf(central: TestServer, query: string): Promise<Buffer> {
  const res = await central.request(`/api/metasync/bundles${query}`);
  const body = Buffer.from(await res.arrayBuffer());
  assert.equal(res.status, 200, body.toString('utf8', 0, 500));
  return body;
}

/** POST /api/metasync/bundles?wait=true. */
async function post(local: TestServer, bundle: Buffer) {
  return fetchJson<SyncReportJson & { errorCode?: string; response?: Refusal }>(
    local,
    '/api/metasync/bundles?wait=true',
    { method: 'POST', headers: { 'content-type': 'application/x-tar' }, body: bundle },
  );
}

async function refused(local: TestServer, bundle: Buffer): Promise<Refusal> {
  const r = await post(local, bundle);
  assert.equal(r.status, 409, r.text.slice(0, 1000));
  assert.equal(r.body.errorCode, 'E1004', r.text);
  return r.body.response!;
}

const names = async (s: TestServer) => (await listVersions(s)).map((v) => v.name);

/** CLI output lines while `fn` runs. */
async function captured(fn: () => Promise<void>): Promise<string> {
  const log = console.log;
  const lines: string[] = [];
  console.log = (line: string) => void lines.push(String(line));
  try {
    await fn();
  } finally {
    console.log = log;
  }
  return lines.join('\n');
}

for (const backend of await backends()) {
  describe(`bundle import on ${backend}`, () => {
    let central: Central;
    let local: Started;
    let twin: Started;
    let bundle: Buffer;
    let tmp: string;

    before(async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), 'metasync-bundle-import-'));
      central = await startCentral(backend === 'pglite' ? await centralBackend() : backend);
      for (let i = 1; i <= 5; i++) await central.nextVersion(6);
      [local, twin] = await Promise.all([start(backend), start(await centralBackend())]);
      // The local was online once, at Version_1: that contact pinned the central's key.
      await connect(local.server, central.server.url);
      const first = await fetchJson(local.server, '/api/metadata/sync?versionName=Version_1');
      assert.equal(first.status, 200, first.text.slice(0, 500));
      const pinned = await fetchJson<{ pinned: { fingerprint: string } | null }>(
        local.server,
        '/api/metasync/signing-key/pinned',
      );
      assert.equal(
        pinned.body.pinned?.fingerprint,
        (await central.server.instance.services.signing.publicKey()).fingerprint,
      );
      // The twin stays online and syncs the same versions over the link.
      await connect(twin.server, central.server.url);
      await syncOk(twin.server);
      bundle = await bundleOf(central.server, '?from=Version_2&to=Version_5');
    });
    after(async () => {
      await Promise.all([local?.dispose(), twin?.dispose()]);
      await central?.dispose();
      await rm(tmp, { recursive: true, force: true });
    });

    it('answers 413 for a bundle over server.bundle.max.size, keeping no file', async () => {
      const { config } = local.server.instance.services;
      const limit = config.bundleMaxBytes;
      config.bundleMaxBytes = 4096;
      // Uploads go to os.tmpdir(): this test's own, to see that none is left.
      const tmpdir = process.env.TMPDIR;
      process.env.TMPDIR = await mkdtemp(path.join(tmp, 'uploads-'));
      try {
        const r = await post(local.server, bundle);
        assert.equal(r.status, 413, r.text.slice(0, 500));
        assert.match(r.text, /larger than 4096 bytes.*server\.bundle\.max\.size/);
        // Without a declared length the body is cut off where it passes the bound.
        const chunked = await fetchJson(local.server, '/api/metasync/bundles?wait=true', {
          method: 'POST',
          headers: { 'content-type': 'application/x-tar' },
          body: Readable.toWeb(Readable.from([bundle])) as ReadableStream,
          duplex: 'half',
        } as RequestInit);
        assert.equal(chunked.status, 413, chunked.text.slice(0, 500));
        assert.deepEqual(await readdir(os.tmpdir()), []);
      } finally {
        config.bundleMaxBytes = limit;
        if (tmpdir === undefined) delete process.env.TMPDIR;
        else process.env.TMPDIR = tmpdir;
      }
      assert.deepEqual(await names(local.server), ['Version_1']);
    });

    it('refuses a bundle that skips the next version, naming it; nothing imported', async () => {
      const gap = await bundleOf(central.server, '?from=Version_3&to=Version_5');
      const r = await refused(local.server, gap);
      assert.equal(r.problem, 'chain');
      assert.deepEqual(r.missing, ['Version_2']);
      assert.match(String(r.message), /starts at Version_3.*at Version_1.*lacks Version_2/);
      assert.deepEqual(await names(local.server), ['Version_1']);
    });

    it('refuses a bundle with one flipped byte, naming the version; nothing imported', async () => {
      const r = await refused(local.server, await flipByte(bundle, 'Version_4'));
      assert.equal(r.problem, 'snapshot');
      assert.equal(r.version, 'Version_4');
      // Version_2 and Version_3 were intact, yet nothing is imported before the whole file is checked.
      assert.deepEqual(await names(local.server), ['Version_1']);
    });

    it('refuses a bundle signed by another key, naming both fingerprints', async () => {
      const other = testSigner();
      const parts = await unpackBundle(bundle);
      const forged = await packBundle({ ...parts, manifest: resign(parts.manifest, other) });
      const r = await refused(local.server, forged);
      assert.equal(r.problem, 'key');
      assert.equal(r.bundleFingerprint, other.fingerprint);
      assert.equal(r.trustedFingerprint, parts.manifest.keyFingerprint);
      assert.deepEqual(await names(local.server), ['Version_1']);
    });

    it('imports Version_2..Version_5 and ends equal to the online-synced twin', async () => {
      const r = await post(local.server, bundle);
      assert.equal(r.status, 200, r.text.slice(0, 2000));
      const report = r.body;
      assert.equal(report.status, 'SUCCESS', JSON.stringify(report.error));
      assert.equal(report.trigger, 'BUNDLE');
      assert.equal(step(report, 'dataPush').status, 'SKIPPED');
      assert.match(
        step(report, 'ping').message ?? '',
        /Offline bundle from .*signed by the pinned key/,
      );
      assert.deepEqual(
        report.versions.map((v) => [v.name, v.status]),
        ['Version_2', 'Version_3', 'Version_4', 'Version_5'].map((n) => [n, 'SUCCESS']),
      );
      assert.equal(report.fromVersion, 'Version_1');
      assert.equal(report.toVersion, 'Version_5');
      assert.deepEqual(
        comparableVersions(await listVersions(local.server)),
        comparableVersions(await listVersions(twin.server)),
      );
      const exported = await canonicalExport(local.server);
      assert.deepEqual(exported, central.ledger.get('Version_5'));
      assert.deepEqual(exported, await canonicalExport(twin.server));
    });

    it('changes nothing when the same bundle comes again', async () => {
      const before = await canonicalExport(local.server);
      const listed = await listVersions(local.server);
      const r = await post(local.server, bundle);
      assert.equal(r.status, 200, r.text.slice(0, 2000));
      assert.equal(r.body.status, 'SUCCESS');
      assert.deepEqual(r.body.versions, []);
      assert.match(
        step(r.body, 'history').message ?? '',
        /already using the latest version: Version_5/,
      );
      assert.deepEqual(await listVersions(local.server), listed);
      assert.deepEqual(await canonicalExport(local.server), before);
    });

    it('syncs online to Version_6 afterwards, without divergence', async () => {
      await central.nextVersion(4);
      const report = await syncOk(local.server);
      assert.deepEqual(
        report.versions.map((v) => v.name),
        ['Version_6'],
      );
      assert.deepEqual(await canonicalExport(local.server), central.ledger.get('Version_6'));
    });

    it('fails DIVERGED on a signed bundle naming a held version with another hash', async () => {
      // The central's own key signs a Version_6 the local holds with other bytes (as a central
      // that was reset and rebuilt would): imported nothing, reported as an online run would.
      const parts = await unpackBundle(
        await bundleOf(central.server, '?from=Version_5&to=Version_6'),
      );
      const six = parts.manifest.versions[1]!;
      const json = JSON.parse(gunzipSync(parts.files.get(six.file)!).toString('utf8')) as Record<
        string,
        unknown
      >;
      const other = Buffer.from(JSON.stringify({ ...json, dataElements: [] }), 'utf8');
      const gzip = gzipSync(other);
      parts.files.set(six.file, gzip);
      const edited = { ...six, hashCode: md5Hex(other), size: gzip.length };
      const manifest = resign(
        { ...parts.manifest, versions: [parts.manifest.versions[0]!, edited] },
        await central.server.instance.services.signing.key(),
      );
      const r = await post(local.server, await packBundle({ manifest, files: parts.files }));
      assert.equal(r.status, 200, r.text.slice(0, 2000));
      assert.equal(r.body.status, 'FAILED');
      assert.equal(r.body.error?.kind, 'DIVERGED');
      assert.equal(r.body.error?.version, 'Version_6');
      assert.match(r.body.error?.message ?? '', /Version_6 differs/);
      assert.deepEqual(await canonicalExport(local.server), central.ledger.get('Version_6'));
    });

    it('stops at a version that fails, keeping the ones before it', async () => {
      await central.nextVersion(3);
      await central.nextVersion(3);
      const parts = await unpackBundle(
        await bundleOf(central.server, '?from=Version_7&to=Version_8'),
      );
      // Version_8 signed by the central but not DHIS2 metadata: its import fails BAD_SNAPSHOT.
      const eight = parts.manifest.versions[1]!;
      const bad = Buffer.from('{"dataElements":5}', 'utf8');
      const gzip = gzipSync(bad);
      parts.files.set(eight.file, gzip);
      const manifest = resign(
        {
          ...parts.manifest,
          versions: [
            parts.manifest.versions[0]!,
            { ...eight, hashCode: md5Hex(bad), size: gzip.length },
          ],
        },
        await central.server.instance.services.signing.key(),
      );
      const r = await post(local.server, await packBundle({ manifest, files: parts.files }));
      assert.equal(r.status, 200, r.text.slice(0, 2000));
      assert.equal(r.body.status, 'FAILED');
      assert.equal(r.body.error?.kind, 'BAD_SNAPSHOT');
      assert.equal(r.body.error?.version, 'Version_8');
      assert.deepEqual(
        r.body.versions.map((v) => [v.name, v.status]),
        [
          ['Version_7', 'SUCCESS'],
          ['Version_8', 'FAILED'],
        ],
      );
      assert.equal((await names(local.server)).at(-1), 'Version_7');
      assert.deepEqual(await canonicalExport(local.server), central.ledger.get('Version_7'));
    });

    it('metasync bundle trust + bundle import on a fresh database', async () => {
      const database = await createTestDatabase(backend);
      // Started once and stopped: a PGlite test database is unpacked from its template then.
      await (await startServer(database)).stop();
      try {
        const flags =
          'dataDir' in database.location
            ? ['--data-dir', database.location.dataDir]
            : ['--database-url', database.location.databaseUrl];
        const keyFile = path.join(tmp, 'central.pem');
        const stick = path.join(tmp, 'stick.tar');
        await writeFile(
          keyFile,
          (await central.server.instance.services.signing.publicKey()).publicKeyPem,
        );
        await writeFile(stick, await bundleOf(central.server, '?to=Version_3'));
        // Without a pinned key, the CLI refuses and names the bundle's key.
        const unpinned = await captured(() => bundleImport([stick, ...flags]));
        assert.match(unpinned, /Refused, nothing imported: .*has not pinned/);
        assert.equal(process.exitCode, 1);
        process.exitCode = 0;
        await bundleTrust({
          key: keyFile,
          reason: 'carried by hand',
          [flags[0]!.slice(2)]: flags[1],
        });
        const out = await captured(() => bundleImport([stick, ...flags]));
        assert.match(out, /Checked: Version_1 to Version_3/);
        assert.match(out, /Sync SUCCESS .*none → Version_3/);
        assert.notEqual(process.exitCode, 1);
        const again = await captured(() => bundleImport([stick, ...flags]));
        assert.match(again, /Sync SUCCESS .*Version_3 → Version_3/);
        const server = await startServer(database);
        try {
          assert.deepEqual(
            comparableVersions(await listVersions(server)),
            comparableVersions(await listVersions(central.server)).slice(0, 3),
          );
          assert.deepEqual(await canonicalExport(server), central.ledger.get('Version_3'));
        } finally {
          await server.stop();
        }
      } finally {
        await database.dispose();
      }
    });
  });
}
