/**
 * Offline bundle export (issue 20 §2) on both backends: `GET /api/metasync/bundles` and
 * `metasync bundle export` over a central with Version_1..Version_4, read back with the bundle
 * reader against the instance's own signing key: each file is the `data.gz` bytes, each manifest
 * entry the version list's, and a bundle changed on the way, or signed by another key, is refused.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readBundle, verifyBundle, type BundleVersion } from '../../src/bundle/bundle-reader.ts';
import { bundleExport } from '../../src/cli/bundle-commands.ts';
import type { BundleManifest } from '../../src/domain/bundle/manifest.ts';
import type { TrustedKey } from '../../src/domain/bundle/signer.ts';
import { testSigner } from '../support/bundle-keys.ts';
import { backends, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { startServer, type TestServer } from '../support/server.ts';
import {
  createVersion,
  dataElement,
  enableVersioning,
  fetchJson,
  listVersions,
  postDataElement,
  snapshotBytes,
  uid,
} from '../support/versions.ts';

/** The central's own key (issue 20 §1), as a local pins it. */
let trusted: TrustedKey;

async function bundleOf(server: TestServer, query = '') {
  const res = await server.request(`/api/metasync/bundles${query}`);
  const body = Buffer.from(await res.arrayBuffer());
  assert.equal(res.status, 200, body.toString('utf8', 0, 500));
  return { res, body };
}

async function readAll(bundle: Buffer) {
  const { manifest, versions } = await readBundle([bundle], trusted);
  const read: BundleVersion[] = [];
  for await (const v of versions) read.push(v);
  return { manifest, read };
}

/** The manifest's entries as the version list names them (parentHashCode only when set). */
const asListed = (m: BundleManifest) =>
  m.versions.map(({ name, id, type, created, hashCode, parentHashCode }) => ({
    name,
    type,
    created,
    id,
    hashCode,
    ...(parentHashCode ? { parentHashCode } : {}),
  }));

for (const backend of await backends()) {
  describe(`bundle export on ${backend}`, () => {
    let database: TestDatabase;
    let server: TestServer;
    let tmp: string;

    before(async () => {
      tmp = await mkdtemp(path.join(os.tmpdir(), 'metasync-bundle-'));
      database = await createTestDatabase(backend);
      server = await startServer(database);
      trusted = await server.instance.services.signing.publicKey();
      await enableVersioning(server);
      for (let i = 1; i <= 4; i++) {
        await postDataElement(server, dataElement(uid(), `Bundle element ${i}`));
        await createVersion(server, i % 2 ? 'BEST_EFFORT' : 'ATOMIC');
      }
    });
    after(async () => {
      await server.stop();
      await database.dispose();
      await rm(tmp, { recursive: true, force: true });
    });

    it('streams Version_2..Version_4 as a signed tar, each file the data.gz bytes', async () => {
      const { res, body } = await bundleOf(server, '?from=Version_2&to=Version_4');
      assert.equal(res.headers.get('content-type'), 'application/x-tar');
      assert.equal(
        res.headers.get('content-disposition'),
        'attachment; filename="metasync-bundle-Version_2-Version_4.tar"',
      );
      assert.equal(Number(res.headers.get('content-length')), body.length);
      const head = await server.request('/api/metasync/bundles?from=Version_2&to=Version_4', {
        method: 'HEAD',
      });
      assert.equal(head.status, 200);
      assert.equal(Number(head.headers.get('content-length')), body.length);
      const { manifest, read } = await readAll(body);
      assert.equal(manifest.format, 'metasync-bundle/1');
      assert.equal(manifest.keyFingerprint, trusted.fingerprint);
      const info = await fetchJson<{ systemId: string; systemName: string }>(
        server,
        '/api/system/info',
      );
      assert.deepEqual(manifest.source, {
        systemId: info.body.systemId,
        systemName: info.body.systemName,
        baseUrl: server.url,
      });
      const listed = (await listVersions(server)).slice(1);
      assert.deepEqual(asListed(manifest), listed);
      assert.deepEqual(
        read.map((v) => v.entry.name),
        ['Version_2', 'Version_3', 'Version_4'],
      );
      for (const { entry, snapshot } of read) {
        const served = await snapshotBytes(server, entry.name, 'gz');
        assert.ok(snapshot.gzip.equals(served), `${entry.name}: not the data.gz bytes`);
        assert.equal(entry.size, served.length);
        assert.equal(entry.file, `versions/${entry.name}.json.gz`);
        assert.equal(snapshot.md5, entry.hashCode);
      }
    });

    it('carries the first version to the newest without from and to', async () => {
      const { res, body } = await bundleOf(server);
      assert.match(res.headers.get('content-disposition')!, /Version_1-Version_4\.tar"$/);
      const { manifest, read } = await readAll(body);
      assert.deepEqual(asListed(manifest), await listVersions(server));
      assert.equal(read.length, 4);
      const one = await bundleOf(server, '?from=Version_3&to=Version_3');
      assert.match(
        one.res.headers.get('content-disposition')!,
        /"metasync-bundle-Version_3\.tar"$/,
      );
    });

    it('answers 404 for an unknown version and 409 for from after to, as WebMessages', async () => {
      for (const query of ['?from=Version_9', '?to=Nope']) {
        const r = await fetchJson<{ httpStatusCode: number; message: string }>(
          server,
          `/api/metasync/bundles${query}`,
        );
        assert.equal(r.status, 404, r.text);
        assert.equal(r.body.httpStatusCode, 404);
        assert.match(r.body.message, /No metadata version with name (Version_9|Nope) exists/);
      }
      const r = await fetchJson<{ httpStatusCode: number; message: string }>(
        server,
        '/api/metasync/bundles?from=Version_4&to=Version_2',
      );
      assert.equal(r.status, 409, r.text);
      assert.match(r.body.message, /Version_4 comes after Version_2/);
    });

    it('needs F_METADATA_EXPORT or F_METADATA_MANAGE', async () => {
      const { users } = server.instance.services;
      for (const [username, authority] of [
        ['bundle-export', 'F_METADATA_EXPORT'],
        ['bundle-manage', 'F_METADATA_MANAGE'],
        ['bundle-import', 'F_METADATA_IMPORT'],
      ] as const)
        await users.create({ username, password: 'Bundle-Pass-1!', authorities: [authority] });
      const status = async (username: string) => {
        const res = await server.request('/api/metasync/bundles?from=Version_4', {
          auth: [username, 'Bundle-Pass-1!'],
        });
        await res.arrayBuffer();
        return res.status;
      };
      assert.equal(await status('bundle-export'), 200);
      assert.equal(await status('bundle-manage'), 200);
      assert.equal(await status('bundle-import'), 403);
    });

    it('refuses a bundle with a flipped byte in a snapshot, naming the version', async () => {
      const { body } = await bundleOf(server, '?from=Version_2&to=Version_4');
      const gz3 = await snapshotBytes(server, 'Version_3', 'gz');
      const at = body.indexOf(gz3);
      assert.ok(at > 0);
      body[at + Math.floor(gz3.length / 2)] = body[at + Math.floor(gz3.length / 2)]! ^ 0x10;
      const r = await verifyBundle([body], trusted);
      assert.ok(!r.ok && r.refusal.problem === 'snapshot', JSON.stringify(r));
      assert.equal(r.refusal.version, 'Version_3');
      assert.match(r.refusal.message, /^Version_3 in the bundle is corrupt/);
    });

    it('refuses a bundle signed by another key, naming both fingerprints', async () => {
      const { body } = await bundleOf(server, '?from=Version_2');
      const other = testSigner();
      const r = await verifyBundle([body], other.trusted);
      assert.ok(!r.ok && r.refusal.problem === 'key', JSON.stringify(r));
      assert.equal(r.refusal.bundleFingerprint, trusted.fingerprint);
      assert.equal(r.refusal.trustedFingerprint, other.fingerprint);
    });

    it('exports the same versions with the CLI, to a file', async () => {
      const { body } = await bundleOf(server, '?from=Version_2&to=Version_4');
      const http = await readAll(body);
      await server.stop(); // PGlite: one process, one opener of the data directory
      const out = path.join(tmp, 'stick.tar');
      const location = database.location;
      const flags =
        'dataDir' in location
          ? ['--data-dir', location.dataDir]
          : ['--database-url', location.databaseUrl];
      const log = console.log;
      const lines: string[] = [];
      console.log = (line: string) => void lines.push(line);
      try {
        await bundleExport(['--out', out, '--from', 'Version_2', '--to', 'Version_4', ...flags]);
      } finally {
        console.log = log;
      }
      assert.match(lines.join('\n'), /Wrote .*stick\.tar: Version_2 to Version_4 \(3 versions/);
      const file = await readFile(out);
      assert.equal(file.length, (await stat(out)).size);
      const cli = await readAll(file);
      assert.deepEqual(cli.manifest.versions, http.manifest.versions);
      for (const [i, v] of cli.read.entries())
        assert.ok(v.snapshot.gzip.equals(http.read[i]!.snapshot.gzip), v.entry.name);
      await assert.rejects(stat(`${out}.partial`));
    });
  });
}
