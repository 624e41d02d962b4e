/**
 * The streamed snapshot reader (src/central/snapshot-reader.ts, issue 18 §1): top-level members
 * one at a time, whatever the chunk boundaries; bad JSON and non-objects as BadSnapshotError;
 * and applyVersion over a streamed snapshot: the same BAD_SNAPSHOT answers as a whole parse, and
 * keys in any order.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { snapshotMembers, streamedSnapshot } from '../../src/central/snapshot-reader.ts';
import { applyVersion } from '../../src/domain/sync/apply-version.ts';
import { BadSnapshotError, type SnapshotMember } from '../../src/domain/sync/central-client.ts';
import { elements, options, version } from '../support/fakes/apply-version-harness.ts';
import { snapshotBytes } from '../support/fakes/fake-central-client.ts';
import { dataElement } from '../support/fakes/sync-run-harness.ts';
import { memoryLocal } from '../support/fakes/sync-import-fakes.ts';

/** The text in chunks of `size` bytes; `pulled` counts the chunks handed out so far. */
function chunked(text: string | Buffer, size: number) {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text);
  const state = { pulled: 0 };
  async function* chunks() {
    for (let i = 0; i < bytes.length; i += size) {
      state.pulled++;
      yield await Promise.resolve(bytes.subarray(i, i + size));
    }
  }
  return { chunks: chunks(), state };
}

async function readAll(text: string | Buffer, size: number): Promise<[string, unknown][]> {
  const out: [string, unknown][] = [];
  for await (const m of snapshotMembers(chunked(text, size).chunks)) out.push([m.key, m.value()]);
  return out;
}

const bad = async (text: string, problem: 'syntax' | 'not-object', message?: RegExp) =>
  assert.rejects(readAll(text, 3), (e: unknown) => {
    assert.ok(e instanceof BadSnapshotError, String(e));
    assert.equal(e.problem, problem);
    if (message) assert.match(e.message, message);
    return true;
  });

describe('snapshotMembers', () => {
  const tricky = {
    system: { version: '2.41.0', date: '2026-01-01' },
    'odd "key" \\ {[': 'a string with } ] { [ , : and \\"quotes\\" and é ✓ 😀',
    n: -1.5e3,
    t: true,
    f: false,
    z: null,
    empty: [],
    nested: { a: [[], [{}], [{ b: '"]' }]] },
    dataElements: [dataElement(1), dataElement(2), { id: 'x', name: 'ends with \\' }],
  };

  it('gives each top-level member as JSON.parse does, whatever the chunk boundaries', async () => {
    for (const text of [
      JSON.stringify(tricky),
      JSON.stringify(tricky, null, 2),
      ` \n{ "n" : 1 , "s":"x" ,"t":true}\n `,
      '{}',
      ' { } ',
    ])
      for (const size of [1, 2, 3, 7, 64, 1 << 20])
        assert.deepEqual(
          await readAll(text, size),
          Object.entries(JSON.parse(text) as object),
          `${text.slice(0, 40)} in chunks of ${size}`,
        );
  });

  it('reads one member at a time: a type array is given before the next one is read', async () => {
    const big = Array.from({ length: 2000 }, (_, i) => dataElement(i + 1));
    const text = JSON.stringify({ system: {}, dataElements: big, options: big });
    const { chunks, state } = chunked(text, 1024);
    const seen: [string, number, number][] = [];
    for await (const m of snapshotMembers(chunks)) {
      const v = m.value();
      seen.push([m.key, Array.isArray(v) ? v.length : -1, state.pulled]);
    }
    const total = Math.ceil(text.length / 1024);
    assert.deepEqual(
      seen.map(([k, n]) => [k, n]),
      [
        ['system', -1],
        ['dataElements', 2000],
        ['options', 2000],
      ],
    );
    // When dataElements was given, little more than its own bytes had been read.
    assert.ok(seen[1]![2] < total * 0.6, `${seen[1]![2]} of ${total} chunks read`);
  });

  it('bad JSON is a BadSnapshotError saying where', async () => {
    await bad('{"system":', 'syntax', /Unexpected end of JSON input at byte 10/);
    await bad('{"system":{}', 'syntax', /Unexpected end of JSON input/);
    await bad('{"a":1}x', 'syntax', /Unexpected character "x" at byte 7 of the snapshot/);
    await bad('{"a" 1}', 'syntax', /Unexpected character "1" at byte 5/);
    await bad('{"a":1,}', 'syntax', /Unexpected character "}" at byte 7/);
    await bad('{"dataElements":[{"id":"a"},{"id":}]}', 'syntax', /in the value of `dataElements`/);
    await bad('{"a":[1,2}', 'syntax');
    await bad('', 'syntax', /the snapshot is empty/);
    await bad('nul', 'syntax');
  });

  it('gives an array member in batches of n elements; null for other values', async () => {
    const items = [dataElement(1), 'a "]" string', [1, [2]], { o: '\\' }, null, 7];
    const text = JSON.stringify({ system: { a: 1 }, list: items, empty: [], spaced: [] });
    for (const size of [1, 2, 4, 100, Infinity]) {
      const got: Record<string, unknown[][] | null> = {};
      for await (const m of snapshotMembers(chunked(text, 5).chunks)) {
        const b = m.batches(size);
        got[m.key] = b ? [...b] : null;
      }
      const expected: unknown[][] = [];
      for (let i = 0; i < items.length; i += Number.isFinite(size) ? size : items.length)
        expected.push(items.slice(i, i + (Number.isFinite(size) ? size : items.length)));
      assert.deepEqual(got, { system: null, list: expected, empty: [], spaced: [] }, `${size}`);
    }
    for (const [list, size] of [
      ['[1,,2]', 1],
      ['[1,2,]', 2],
      ['[,1]', 1],
      ['[1,{"a":}]', 1],
    ] as const) {
      let m: SnapshotMember | undefined;
      for await (const member of snapshotMembers(chunked(`{"l":${list}}`, 3).chunks)) m = member;
      assert.throws(
        () => [...m!.batches(size)!],
        (e: unknown) => e instanceof BadSnapshotError && /in the value of `l`/.test(e.message),
        list,
      );
    }
  });

  it('valid JSON that is not an object is a BadSnapshotError of its own', async () => {
    for (const text of ['null', '[]', '"x"', ' 12 ']) await bad(text, 'not-object');
  });
});

describe('applyVersion over a streamed snapshot', () => {
  const streamed = (bytes: Buffer) =>
    streamedSnapshot(gzipSync(bytes), createHash('md5').update(bytes).digest('hex'), bytes.length);

  for (const [what, body, message] of [
    ['not JSON', '{"system":', /^The snapshot of Version_1 is not valid JSON: /],
    ['JSON null', 'null', /^The snapshot of Version_1 is not a JSON object$/],
    ['a JSON array', '[]', /^The snapshot of Version_1 is not a JSON object$/],
    [
      'a type key holding an object',
      '{"dataElements":{}}',
      /^The snapshot of Version_1 is not DHIS2 metadata: Property dataElements must be an array of objects$/,
    ],
    [
      'a type key holding a string after a good type',
      '{"options":[],"dataElements":"x"}',
      /^The snapshot of Version_1 is not DHIS2 metadata: Property dataElements must be an array of objects$/,
    ],
  ] as const)
    it(`BAD_SNAPSHOT: ${what}, nothing written`, async () => {
      const local = await memoryLocal();
      const bytes = Buffer.from(body);
      const commits = local.store.commits;
      const result = await applyVersion(local.deps, version(bytes), streamed(bytes), options());
      assert.ok(!result.ok);
      assert.equal(result.kind, 'BAD_SNAPSHOT');
      assert.match(result.message, message);
      assert.equal(local.store.commits, commits);
      assert.deepEqual(await local.versions.list(), []);
    });

  it('keyStopMetadataSync reads `system` wherever it stands, before anything is written', async () => {
    const local = await memoryLocal();
    const bytes = Buffer.from(
      JSON.stringify({ dataElements: [dataElement(1)], system: { version: '2.40.0' } }),
    );
    const result = await applyVersion(
      local.deps,
      version(bytes),
      streamed(bytes),
      options({ stopOnVersionMismatch: true }),
    );
    assert.ok(!result.ok);
    assert.equal(result.kind, 'VERSION_MISMATCH');
    assert.deepEqual(await elements(local), []);
  });

  it('imports the same as the in-memory path, and records the same version', async () => {
    const bytes = snapshotBytes({ objects: { dataElements: [dataElement(1), dataElement(2)] } });
    const a = await memoryLocal();
    const b = await memoryLocal();
    const viaStream = await applyVersion(a.deps, version(bytes), streamed(bytes), options());
    const inMemory = await applyVersion(
      b.deps,
      version(bytes),
      { bytes, gzip: gzipSync(bytes) },
      options(),
    );
    assert.ok(viaStream.ok && inMemory.ok);
    assert.deepEqual({ ...viaStream.report, seconds: 0 }, { ...inMemory.report, seconds: 0 });
    assert.deepEqual(viaStream.version, inMemory.version);
    assert.deepEqual(
      (await elements(a)).map((e) => e.id),
      (await elements(b)).map((e) => e.id),
    );
  });
});
