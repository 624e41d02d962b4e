/**
 * Version creation interleaved with metadata imports, through whatever `api` points at (nginx in
 * front of several processes for the scale-out test), and the check that every change landed in
 * exactly one version (issue 5 §2, issue 10 §3). The same rules as versions-concurrency.test.ts,
 * told by the version rows in the database and the snapshots served.
 */
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.ts';
import { expectStatus, type Client, type Json } from './scale-out.ts';
import { dataElement, uid, type VersionJson } from './versions.ts';

/** One committed import of a group: the names it set, when it was sent and answered. */
interface Write {
  names: string[];
  sent: number;
  acked: number;
}
interface Created {
  name: string;
  sent: number;
  acked: number;
}
export interface StormResult {
  writes: number;
  created: number;
  refused: number;
}

/**
 * `writers` loops each import its own group of 3 data elements (one transaction per import),
 * while `creators` loops create BEST_EFFORT versions, for `ms`; then a last create.
 */
export async function versionStorm(
  api: Client,
  opts: { writers: number; creators: number; ms: number },
) {
  const tag = uid().slice(0, 5);
  const groups = Array.from({ length: opts.writers }, (_, g) =>
    Array.from({ length: 3 }, (_, i) => dataElement(uid(), `Storm ${tag} ${g}.${i} v0`)),
  );
  const imported = await api('/api/metadata', {
    method: 'POST',
    json: { dataElements: groups.flat() },
  });
  expectStatus(imported, 200);
  const writes: Write[][] = groups.map((g) => [
    { names: g.map((d) => String(d.name)), sent: 0, acked: 0 },
  ]);
  const created: Created[] = [];
  const failures: string[] = [];
  let refused = 0;
  let stop = false;
  const writer = async (g: number) => {
    for (let k = 1; !stop; k++) {
      const bodies = groups[g]!.map((d, i) => {
        const name = `Storm ${tag} ${g}.${i} v${k}`;
        return { ...d, name, shortName: name };
      });
      const sent = performance.now();
      const r = await api<{ response?: { status?: string } }>('/api/metadata', {
        method: 'POST',
        json: { dataElements: bodies },
      });
      if (r.status !== 200 || r.body.response?.status !== 'OK')
        failures.push(`import ${r.status} ${r.bytes.toString('utf8', 0, 300)}`);
      else writes[g]!.push({ names: bodies.map((b) => b.name), sent, acked: performance.now() });
    }
  };
  const creator = async () => {
    while (!stop) {
      const sent = performance.now();
      const r = await api<VersionJson>('/api/metadata/version/create?type=BEST_EFFORT', {
        method: 'POST',
      });
      if (r.status === 200) created.push({ name: r.body.name, sent, acked: performance.now() });
      else if (r.status === 409) refused++;
      else failures.push(`create ${r.status} ${r.bytes.toString('utf8', 0, 300)}`);
    }
  };
  const running = [
    ...groups.map((_, g) => writer(g)),
    ...Array.from({ length: opts.creators }, creator),
  ];
  await new Promise((r) => setTimeout(r, opts.ms));
  stop = true;
  await Promise.all(running);
  assert.deepEqual(failures, []);
  const last = await api('/api/metadata/version/create?type=BEST_EFFORT', { method: 'POST' });
  expectStatus(last, 200, 409);
  return { groups, writes, created, refused };
}

type Storm = Awaited<ReturnType<typeof versionStorm>>;

/** Checks the versions in the database and their snapshots (served through `api`). */
export async function assertEveryChangeOnce(
  api: Client,
  db: Kysely<Database>,
  storm: Storm,
): Promise<StormResult> {
  const rows = await db
    .selectFrom('metadata_version')
    .select(['name', 'number', 'seq_from', 'seq_to', 'objects'])
    .orderBy('number')
    .execute();
  // Consecutive names from Version_1, none twice; change ranges that tile (0, counter].
  assert.deepEqual(
    rows.map((r) => r.name),
    rows.map((_, i) => `Version_${i + 1}`),
  );
  for (let i = 0; i < rows.length; i++) {
    assert.equal(Number(rows[i]!.seq_from), i === 0 ? 0 : Number(rows[i - 1]!.seq_to));
    assert.ok(Number(rows[i]!.seq_to) >= Number(rows[i]!.seq_from), rows[i]!.name);
  }
  const counter = await sql<{ seq: string }>`select seq from change_counter`.execute(db);
  assert.equal(Number(rows[rows.length - 1]!.seq_to), Number(counter.rows[0]!.seq));

  // Each version's data elements by id (the snapshot, through nginx and so its cache).
  const number = new Map(rows.map((r) => [r.name, r.number]));
  const contents: Map<string, Json>[] = [];
  for (const row of rows) {
    const r = await api<Json>(`/api/metadata/version/${row.name}/data`);
    expectStatus(r, 200);
    const des = (r.body.dataElements as Json[] | undefined) ?? [];
    const keys = Object.entries(r.body)
      .filter(([k]) => k !== 'system' && k !== 'deletedObjects')
      .flatMap(([k, v]) => (v as Json[]).map((o) => `${k}/${String(o.id)}`));
    assert.equal(new Set(keys).size, keys.length, `an object twice in ${row.name}`);
    assert.equal(keys.length, row.objects, row.name);
    contents.push(new Map(des.map((d) => [String(d.id), d])));
  }

  storm.groups.forEach((group, g) => {
    const writes = storm.writes[g]!;
    // The write index each version holds for the group: one import moves all three together.
    const seen: { version: number; write: number }[] = [];
    contents.forEach((des, v) => {
      const states = group.map((d) => {
        const copy = des.get(String(d.id));
        return copy ? writes.findIndex((w) => w.names.includes(String(copy.name))) : null;
      });
      if (states.every((s) => s === null)) return;
      assert.ok(!states.includes(-1), `group ${g}: a state nobody wrote in ${rows[v]!.name}`);
      assert.equal(new Set(states).size, 1, `group ${g} split in ${rows[v]!.name}: ${states}`);
      seen.push({ version: rows[v]!.number, write: states[0]! });
    });
    // No state in two versions, in write order, and the last write is in the last version.
    for (let i = 1; i < seen.length; i++)
      assert.ok(seen[i]!.write > seen[i - 1]!.write, `group ${g}: ${JSON.stringify(seen)}`);
    assert.equal(seen[seen.length - 1]!.write, writes.length - 1, `group ${g}: last write lost`);
    // Real time: a write answered before a create was sent is in that version or an earlier one.
    for (const c of storm.created) {
      const upTo = seen.filter((s) => s.version <= number.get(c.name)!);
      const newest = upTo.length ? upTo[upTo.length - 1]!.write : -1;
      const committed = writes.reduce((k, w, i) => (w.acked < c.sent ? i : k), 0);
      assert.ok(newest >= committed, `group ${g}: write ${committed} missing by ${c.name}`);
      if (newest >= 0) assert.ok(writes[newest]!.sent < c.acked, `group ${g}: from the future`);
    }
  });
  return {
    writes: storm.writes.reduce((n, w) => n + w.length - 1, 0),
    created: storm.created.length,
    refused: storm.refused,
  };
}
