/**
 * Concurrent version creation and concurrent writers (issue 5 §2: "every change lands in exactly
 * one version"). PostgreSQL only, on purpose: PGlite runs one statement at a time on a single
 * connection, so it would serialise the writers and the creates and hide exactly the races these
 * tests look for (a change committed while a snapshot is being built).
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, postgresAvailable, type TestDatabase } from '../support/databases.ts';
import { startServer, type TestServer } from '../support/server.ts';
import {
  createVersion,
  createVersionRequest,
  dataElement,
  fetchJson,
  idsOf,
  importDataElements,
  postDataElement,
  snapshot,
  typeKeys,
  uid,
  type Snapshot,
  type VersionJson,
} from '../support/versions.ts';

type Json = Record<string, unknown>;
const skip = !(await postgresAvailable()) && 'PostgreSQL is not reachable';

/** One committed write: the name it set, when it was sent and when its answer arrived. */
interface Write {
  name: string;
  sent: number;
  acked: number;
}
interface Tracked {
  de: Json;
  writes: Write[];
}
interface Created {
  version: VersionJson;
  sent: number;
  acked: number;
}

const byNumber = (a: { name: string }, b: { name: string }) =>
  Number(a.name.split('_')[1]) - Number(b.name.split('_')[1]);

describe('concurrent metadata versions on postgres', { skip }, () => {
  let database: TestDatabase;
  let server: TestServer;
  const versionRows = () =>
    server.instance.database.db
      .selectFrom('metadata_version')
      .select(['name', 'number', 'seq_from', 'seq_to', 'objects'])
      .orderBy('number')
      .execute();

  before(async () => {
    database = await createTestDatabase('postgres');
    server = await startServer(database);
    const r = await server.request('/api/systemSettings/keyVersionEnabled?value=true', {
      method: 'POST',
    });
    assert.equal(r.status, 200);
    await createVersion(server, 'ATOMIC');
  });
  after(async () => {
    await server.stop();
    await database.dispose();
  });

  it('5 concurrent creates make 5 consecutive versions with distinct names and hashCodes', async () => {
    const [latest] = (await versionRows()).slice(-1);
    await postDataElement(server, dataElement(uid(), `Race ${uid()}`));
    const results = await Promise.all(
      Array.from({ length: 5 }, () => createVersionRequest(server, 'ATOMIC', { force: true })),
    );
    for (const r of results) assert.equal(r.status, 200, r.text);
    const made = results.map((r) => r.body).sort(byNumber);
    const first = latest!.number + 1;
    assert.deepEqual(
      made.map((v) => v.name),
      [0, 1, 2, 3, 4].map((i) => `Version_${first + i}`),
    );
    assert.equal(new Set(made.map((v) => v.hashCode)).size, 5);
    assert.equal(new Set(made.map((v) => v.id)).size, 5);
    for (let i = 1; i < 5; i++) assert.equal(made[i]!.parentHashCode, made[i - 1]!.hashCode);
    // The change is in the first of them only.
    const objects = await Promise.all(
      made.map(async (v) => typeKeys(await snapshot(server, v.name))),
    );
    assert.deepEqual(objects, [['dataElements'], [], [], [], []]);

    // Without force, after one change, exactly one of 5 concurrent creates succeeds.
    await postDataElement(server, dataElement(uid(), `Race ${uid()}`));
    const again = await Promise.all(
      Array.from({ length: 5 }, () => createVersionRequest(server, 'BEST_EFFORT')),
    );
    assert.deepEqual(again.map((r) => r.status).sort(), [200, 409, 409, 409, 409]);
    for (const r of again.filter((x) => x.status === 409)) assert.equal(r.body.errorCode, 'E1004');
  });

  it('writers updating objects while versions are created: every change lands in exactly one version', async (t) => {
    const tag = uid().slice(0, 5);
    const tracked: Tracked[] = Array.from({ length: 24 }, (_, i) => {
      const de = dataElement(uid(), `Cc ${tag} ${i} v0`);
      return { de, writes: [{ name: de.name as string, sent: 0, acked: 0 }] };
    });
    await importDataElements(
      server,
      tracked.map((t) => t.de),
    );
    const rename = (t: Tracked) => {
      const name = `Cc ${tag} ${tracked.indexOf(t)} v${t.writes.length}`;
      return { ...t.de, name, shortName: name };
    };
    let stop = false;
    const failures: string[] = [];

    // Writers 0 and 1 PUT their 6 objects one at a time; writers 2 and 3 POST /api/metadata with
    // groups of 3 objects that are always written together (one transaction each).
    const putWriter = async (own: Tracked[]) => {
      for (let k = 0; !stop; k++) {
        const t = own[k % own.length]!;
        const body = rename(t);
        const sent = performance.now();
        const r = await fetchJson(server, `/api/dataElements/${t.de.id as string}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        if (r.status !== 200) failures.push(`PUT ${r.status} ${r.text.slice(0, 300)}`);
        else t.writes.push({ name: body.name, sent, acked: performance.now() });
      }
    };
    const postWriter = async (groups: Tracked[][]) => {
      for (let k = 0; !stop; k++) {
        const group = groups[k % groups.length]!;
        const bodies = group.map(rename);
        const sent = performance.now();
        const r = await fetchJson<{ response?: { status?: string } }>(server, '/api/metadata', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ dataElements: bodies }),
        });
        if (r.status !== 200 || r.body.response?.status !== 'OK')
          failures.push(`POST ${r.status} ${r.text.slice(0, 300)}`);
        else {
          const acked = performance.now();
          group.forEach((t, i) => t.writes.push({ name: bodies[i]!.name, sent, acked }));
        }
      }
    };
    const created: Created[] = [];
    const creator = async () => {
      while (!stop) {
        const sent = performance.now();
        const r = await createVersionRequest(server, 'BEST_EFFORT');
        if (r.status === 200) created.push({ version: r.body, sent, acked: performance.now() });
        else if (r.status !== 409) failures.push(`create ${r.status} ${r.text.slice(0, 300)}`);
      }
    };
    const groupsOf = (from: number) => [
      tracked.slice(from, from + 3),
      tracked.slice(from + 3, from + 6),
    ];
    const running = [
      putWriter(tracked.slice(0, 6)),
      putWriter(tracked.slice(6, 12)),
      postWriter(groupsOf(12)),
      postWriter(groupsOf(18)),
      creator(),
      creator(),
    ];
    await new Promise((r) => setTimeout(r, 2000));
    stop = true;
    await Promise.all(running);
    assert.deepEqual(failures, []);
    const last = await createVersionRequest(server, 'BEST_EFFORT');
    assert.ok([200, 409].includes(last.status), last.text);
    const writes = tracked.reduce((n, t) => n + t.writes.length - 1, 0);
    assert.ok(created.length >= 3, `only ${created.length} versions were created`);
    assert.ok(writes >= 40, `only ${writes} writes committed`);
    t.diagnostic(`${writes} writes, ${created.length} versions created while writing`);

    // Every version's snapshot, in order.
    const rows = await versionRows();
    const snaps = new Map<string, Snapshot>();
    for (const row of rows) snaps.set(row.name, await snapshot(server, row.name));
    const versionOf = new Map(rows.map((r) => [r.name, r.number]));

    // Change-sequence ranges are contiguous and never overlap; the last ends at the counter.
    for (let i = 0; i < rows.length; i++) {
      const [from, to] = [Number(rows[i]!.seq_from), Number(rows[i]!.seq_to)];
      assert.equal(from, i === 0 ? 0 : Number(rows[i - 1]!.seq_to), rows[i]!.name);
      assert.ok(to >= from, rows[i]!.name);
    }
    const counter = await server.instance.services.metadata.changeSeq();
    assert.equal(Number(rows[rows.length - 1]!.seq_to), counter);

    // No object twice in one version; the objects column counts exactly the snapshot's objects.
    let pairs = 0;
    for (const row of rows) {
      const s = snaps.get(row.name)!;
      const keys = typeKeys(s).flatMap((k) => idsOf(s, k).map((id) => `${k}/${id}`));
      assert.equal(new Set(keys).size, keys.length, `duplicates in ${row.name}`);
      assert.equal(row.objects, keys.length, row.name);
      pairs += keys.length;
    }
    assert.equal(
      rows.reduce((n, r) => n + r.objects, 0),
      pairs,
    );

    for (const t of tracked) {
      const id = t.de.id as string;
      const names = t.writes.map((w) => w.name);
      const copies = rows.flatMap((row) => {
        const found = (snaps.get(row.name)!.dataElements as Json[] | undefined)?.find(
          (o) => o.id === id,
        );
        return found ? [{ number: row.number, copy: found }] : [];
      });
      const seen = copies.map((c) => names.indexOf(c.copy.name as string));
      // Each copy is a committed state, in write order, and each state is in one version only.
      assert.ok(!seen.includes(-1), `${id}: unknown state in a version`);
      for (let i = 1; i < seen.length; i++)
        assert.ok(seen[i]! > seen[i - 1]!, `${id}: states out of order ${seen.join(',')}`);
      // The final state is the last write, and it is in the last version holding the object.
      const final = await fetchJson(server, `/api/dataElements/${id}`);
      assert.equal(final.body.name, names[names.length - 1]);
      assert.deepEqual(copies[copies.length - 1]!.copy, final.body, id);

      // Real-time bounds: a write answered before a create was sent is in that version or an
      // earlier one; a write sent after a create was answered is in a later one.
      for (const c of created) {
        const n = versionOf.get(c.version.name)!;
        const upTo = seen.filter((_, i) => copies[i]!.number <= n);
        const newest = upTo.length ? upTo[upTo.length - 1]! : -1;
        const committed = t.writes.reduce((k, w, i) => (w.acked < c.sent ? i : k), 0);
        assert.ok(newest >= committed, `${id}: write ${committed} missing by ${c.version.name}`);
        if (newest >= 0) assert.ok(t.writes[newest]!.sent < c.acked, `${id}: from the future`);
      }
    }

    // A POST group is one transaction: its members always travel together, from the same POST.
    for (const from of [12, 15, 18, 21]) {
      const group = tracked.slice(from, from + 3);
      for (const row of rows) {
        const s = snaps.get(row.name)!;
        const states = group.map((t) => {
          const copy = (s.dataElements as Json[] | undefined)?.find((o) => o.id === t.de.id);
          return copy ? t.writes.findIndex((w) => w.name === copy.name) : null;
        });
        assert.ok(
          states.every((x) => x === null) || new Set(states).size === 1,
          `${row.name}: group ${from} split ${states.join(',')}`,
        );
      }
    }
  });
});
