/**
 * Version snapshots on both backends (issue 5 §3, §5): the served bytes are the hashed bytes,
 * `data.gz` gunzips to them, caching headers, the snapshot's shape and `system` block, delta
 * contents across create / update / delete (with and without keyVersionIncludeDeletions), and a
 * multi-chunk snapshot larger than 8 MiB. The preview is in versions-create.test.ts, the fleet
 * view in versions-http.test.ts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { backends } from '../support/databases.ts';
import { useServer } from '../support/server.ts';
import { SUPERUSER } from '../../src/domain/auth/users.ts';
import { CHUNK_BYTES } from '../../src/store/snapshot-writer.ts';
import {
  DHIS2_DATE_OFFSET,
  createVersion,
  dataElement,
  deleteDataElement,
  idsOf,
  importDataElements,
  listVersions,
  md5,
  okJson,
  postDataElement,
  putDataElement,
  resetVersions,
  setSetting,
  snapshot,
  snapshotBytes,
  typeKeys,
  uid,
  type Snapshot,
} from '../support/versions.ts';

type Json = Record<string, unknown>;

for (const backend of await backends()) {
  describe(`metadata version snapshots on ${backend}`, () => {
    const server = useServer(backend);

    it('Version_1 is the full export; the snapshot is compact JSON led by system {id, rev, version, date}', async () => {
      await resetVersions(server);
      const de = dataElement(uid(), `Full ${uid()}`);
      await postDataElement(server, de);
      const v1 = await createVersion(server, 'ATOMIC');
      const bytes = await snapshotBytes(server, v1.name);
      const text = bytes.toString('utf8');
      const s = JSON.parse(text) as Snapshot;
      assert.equal(text, JSON.stringify(s), 'compact, and parsing loses nothing');
      assert.equal(Object.keys(s)[0], 'system');
      assert.deepEqual(Object.keys(s.system), ['id', 'rev', 'version', 'date']);
      const info = await okJson(server, '/api/system/info');
      assert.equal(s.system.version, info.version);
      assert.equal(s.system.id, info.systemId);
      assert.equal(s.system.rev, info.revision);
      assert.match(s.system.date, DHIS2_DATE_OFFSET);
      // Every object of every type, as the export lists them, but the bootstrap admin and its
      // role (issue 16 §7); no empty arrays.
      const exported = await okJson(server, '/api/metadata');
      const left = new Set<string>([SUPERUSER.userId, SUPERUSER.roleId]);
      for (const key of typeKeys(s)) assert.ok((s[key] as unknown[]).length > 0, key);
      for (const [key, value] of Object.entries(exported)) {
        if (!Array.isArray(value)) continue;
        assert.deepEqual(
          idsOf(s, key).sort(),
          (value as Json[])
            .map((o) => o.id as string)
            .filter((id) => !left.has(id))
            .sort(),
          key,
        );
      }
      assert.ok(idsOf(s, 'dataElements').includes(de.id as string));
      assert.ok(!text.includes('password'), 'no password hash in a snapshot');
    });

    it('serves the hashed bytes: MD5(/data) = hashCode, gunzip(/data.gz) = /data, with strong ETags, immutable caching and 304', async () => {
      await resetVersions(server);
      await createVersion(server, 'ATOMIC');
      await postDataElement(server, dataElement(uid(), `Bytes ${uid()} ✓ äö 漢字`));
      const v2 = await createVersion(server);
      for (const name of ['Version_1', 'Version_2']) {
        const v = await okJson(server, `/api/metadata/version?versionName=${name}`);
        const hash = v.hashCode as string;
        const base = `/api/metadata/version/${name}`;
        for (let round = 0; round < 2; round++) {
          // The second round is served from the in-memory cache.
          const json = await server.request(`${base}/data`);
          const jsonBytes = Buffer.from(await json.arrayBuffer());
          assert.equal(json.status, 200);
          assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
          assert.equal(md5(jsonBytes), hash);
          assert.equal(Number(json.headers.get('content-length')), jsonBytes.length);
          const gz = await server.request(`${base}/data.gz`);
          const gzBytes = Buffer.from(await gz.arrayBuffer());
          assert.equal(gz.status, 200);
          assert.equal(gz.headers.get('content-type'), 'application/gzip');
          assert.equal(
            gz.headers.get('content-disposition'),
            'attachment; filename="metadata.json.gz"',
          );
          assert.equal(gz.headers.get('content-encoding'), null, 'the gzip is the entity itself');
          assert.equal(Number(gz.headers.get('content-length')), gzBytes.length);
          assert.ok(gunzipSync(gzBytes).equals(jsonBytes));
          for (const [res, etag] of [
            [json, `"${hash}"`],
            [gz, `"${hash}.gz"`],
          ] as const) {
            assert.equal(res.headers.get('etag'), etag, 'a strong ETag (no W/)');
            assert.match(res.headers.get('cache-control') ?? '', /\bimmutable\b/);
            // Only for authorized clients: no shared cache may store it (issue 17 §6).
            assert.match(res.headers.get('cache-control') ?? '', /^private\b/);
          }
        }
        for (const [suffix, etag] of [
          ['data', `"${hash}"`],
          ['data.gz', `"${hash}.gz"`],
        ]) {
          const hit = await server.request(`${base}/${suffix}`, {
            headers: { 'if-none-match': etag! },
          });
          assert.equal(hit.status, 304, suffix);
          assert.equal((await hit.arrayBuffer()).byteLength, 0);
          assert.equal(hit.headers.get('etag'), etag);
          assert.match(hit.headers.get('cache-control') ?? '', /\bimmutable\b/);
          assert.match(hit.headers.get('cache-control') ?? '', /^private\b/);
          const miss = await server.request(`${base}/${suffix}`, {
            headers: { 'if-none-match': '"0123456789abcdef0123456789abcdef"' },
          });
          assert.equal(miss.status, 200);
          await miss.arrayBuffer();
        }
      }
      assert.ok((await snapshotBytes(server, v2.name)).toString('utf8').includes('✓ äö 漢字'));
    });

    it(
      'If-None-Match also matches in a list, weakly (W/) and as * (RFC 9110 §13.1.2)',
      {},
      async () => {
        const [v] = await listVersions(server);
        for (const h of [`"x", "${v!.hashCode}"`, `W/"${v!.hashCode}"`, '*']) {
          const res = await server.request(`/api/metadata/version/${v!.name}/data`, {
            headers: { 'if-none-match': h },
          });
          await res.arrayBuffer();
          assert.equal(res.status, 304, h);
        }
      },
    );

    it('deltas across create, update and delete; deletedObjects only with keyVersionIncludeDeletions', async () => {
      await resetVersions(server);
      await createVersion(server, 'ATOMIC');
      const x = dataElement(uid(), `Delta X ${uid()}`, { code: `DX_${uid()}` });
      const y = dataElement(uid(), `Delta Y ${uid()}`, { code: `DY_${uid()}` });
      await postDataElement(server, x);
      await importDataElements(server, [y]);
      const created = await snapshot(server, (await createVersion(server)).name);
      assert.deepEqual(idsOf(created, 'dataElements').sort(), [x.id, y.id].sort());
      assert.deepEqual(typeKeys(created), ['dataElements']);

      const renamed = `Delta X renamed ${uid()}`;
      await putDataElement(server, { ...x, name: renamed });
      const updated = await snapshot(server, (await createVersion(server)).name);
      const [copy] = updated.dataElements as Json[];
      assert.deepEqual(idsOf(updated, 'dataElements'), [x.id]);
      assert.equal(copy!.name, renamed);

      // Off (the default, for DHIS2 locals): a deletion is counted but never mentioned.
      await deleteDataElement(server, y.id as string);
      const preview = await okJson(server, '/api/metadata/version/preview');
      assert.equal(preview.deletions, 1);
      assert.equal(preview.objects, 0);
      const quiet = await createVersion(server);
      const quietBytes = (await snapshotBytes(server, quiet.name)).toString('utf8');
      assert.ok(!quietBytes.includes(y.id as string));
      assert.deepEqual(Object.keys(JSON.parse(quietBytes) as Json), ['system']);

      // On: the tombstone travels under deletedObjects; a deleted object is not in its array.
      await setSetting(server, 'keyVersionIncludeDeletions', true);
      await deleteDataElement(server, x.id as string);
      const z = dataElement(uid(), `Delta Z ${uid()}`);
      await postDataElement(server, z);
      const loud = await snapshot(server, (await createVersion(server)).name);
      assert.deepEqual(idsOf(loud, 'dataElements'), [z.id]);
      const admin = (await okJson(server, '/api/me')).id;
      assert.equal(loud.deletedObjects?.length, 1);
      const [tomb] = loud.deletedObjects!;
      assert.equal(tomb!.uid, x.id);
      assert.equal(tomb!.code, x.code);
      assert.equal(tomb!.type, 'dataElements');
      assert.equal(tomb!.klass, 'org.hisp.dhis.dataelement.DataElement');
      assert.equal(tomb!.deletedBy, admin);
      assert.ok(!Number.isNaN(Date.parse(tomb!.deletedAt)));
      // y's deletion belongs to the previous version and is not repeated.
      assert.ok(!JSON.stringify(loud).includes(y.id as string));
    });

    it(
      'an object deleted and re-created (same uid) between two versions is live, not also deleted',
      {},
      async () => {
        await resetVersions(server);
        await setSetting(server, 'keyVersionIncludeDeletions', true);
        const w = dataElement(uid(), `Phoenix ${uid()}`);
        await postDataElement(server, w);
        await createVersion(server, 'ATOMIC');
        await deleteDataElement(server, w.id as string);
        await postDataElement(server, { ...w, name: `Phoenix again ${uid()}` });
        const s = await snapshot(server, (await createVersion(server)).name);
        assert.deepEqual(idsOf(s, 'dataElements'), [w.id]);
        assert.deepEqual(s.deletedObjects ?? [], []);
      },
    );

    it('a snapshot over 8 MiB (streamed, past the memory cache) spans several 1 MiB chunks and round-trips byte-exactly through /data and /data.gz', async () => {
      await resetVersions(server);
      await createVersion(server, 'ATOMIC');
      const tag = uid();
      // Random text so that the gzip also spans several chunks; a repeated tail takes the JSON
      // past the in-memory cache's 8 MiB entry limit, so /data is streamed from the chunks.
      const tail = 'long description '.repeat(150);
      const des = Array.from({ length: 3000 }, (_, i) =>
        dataElement(uid(), `Big ${tag} ${i}`, {
          description: `${i} ✓ ${randomBytes(600).toString('base64')} ${tail}`,
        }),
      );
      await importDataElements(server, des);
      const v = await createVersion(server);
      const row = await server.instance.database.db
        .selectFrom('snapshot_chunk')
        .select(['kind', (eb) => eb.fn.countAll<number>().as('n')])
        .where('version_id', '=', v.id)
        .groupBy('kind')
        .execute();
      const chunks = Object.fromEntries(row.map((r) => [r.kind, Number(r.n)]));
      for (let round = 0; round < 2; round++) {
        const json = await snapshotBytes(server, v.name);
        assert.ok(json.length > 8 * 1024 * 1024, `${json.length} bytes`);
        assert.equal(md5(json), v.hashCode);
        const gz = await snapshotBytes(server, v.name, 'gz');
        assert.ok(gunzipSync(gz).equals(json));
        // Whichever byte streams are stored (JSON and/or gzip), each is cut into 1 MiB chunks.
        const sizes: Record<string, number> = { json: json.length, gz: gz.length };
        for (const [kind, n] of Object.entries(chunks))
          assert.equal(n, Math.ceil(sizes[kind]! / CHUNK_BYTES), kind);
        assert.ok(
          Object.values(chunks).every((n) => n >= 2),
          JSON.stringify(chunks),
        );
        if (round === 0) {
          const s = JSON.parse(json.toString('utf8')) as Snapshot;
          assert.equal(idsOf(s, 'dataElements').length, 3000);
          const byId = new Map((s.dataElements as Json[]).map((o) => [o.id, o]));
          for (const de of [des[0]!, des[1499]!, des[2999]!])
            assert.equal(byId.get(de.id)!.description, de.description);
        }
      }
    });
  });
}
