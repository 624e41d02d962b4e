/**
 * Writing and reading a bundle without a database (issue 20 §2–§3): snapshots made in memory,
 * the tar written and read back, and every way a bundle is refused.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { text } from 'node:stream/consumers';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { readBundle, verifyBundle } from '../../src/bundle/bundle-reader.ts';
import { bundleSize, manifestFileBytes, writeBundle } from '../../src/bundle/bundle-writer.ts';
import { refusalOf, type BundleRefusal } from '../../src/domain/bundle/bundle-refusal.ts';
import { signManifest } from '../../src/domain/bundle/manifest-signature.ts';
import type { BundleManifest } from '../../src/domain/bundle/manifest.ts';
import type { MetadataVersion } from '../../src/domain/versioning/version.ts';
import { testSigner } from '../support/bundle-keys.ts';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** Versions 2..4 with snapshots of different sizes (one spans several tar blocks). */
function fixture(signer = testSigner()) {
  const gz = new Map<string, Buffer>();
  const versions: MetadataVersion[] = [];
  let parent: string | null = 'f'.repeat(32);
  for (const n of [2, 3, 4]) {
    const json = Buffer.from(JSON.stringify({ system: { id: 's' }, n, pad: 'x'.repeat(n * 700) }));
    const gzip = gzipSync(json);
    gz.set(`Version_${n}`, gzip);
    const hashCode = md5(json);
    versions.push({
      ...{ id: `v${n}`, name: `Version_${n}`, number: n, type: 'BEST_EFFORT' },
      ...{ hashCode, parentHashCode: parent, created: new Date(2026, 0, n), importDate: null },
      ...{ bytes: json.length, gzipBytes: gzip.length, objects: 1, deletions: 0, types: {} },
    });
    parent = hashCode;
  }
  const source = { systemId: 'sys', systemName: 'Central', baseUrl: null };
  const manifest = signManifest({ source, createdAt: new Date(), versions }, signer);
  return { signer, manifest, gz };
}

async function bytesOf(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(parts);
}

const written = ({ manifest, gz }: ReturnType<typeof fixture>) =>
  bytesOf(writeBundle(manifest, async (v) => [gz.get(v.name)!]));

/** A tar of these entries in this order (for bundles the writer would never make). */
function tarOf(entries: [string, Buffer][]): Promise<Buffer> {
  const p = pack();
  for (const [name, bytes] of entries) p.entry({ name }, bytes);
  p.finalize();
  return bytesOf(p);
}

async function refusal(bundle: Buffer, f: ReturnType<typeof fixture>): Promise<BundleRefusal> {
  const r = await verifyBundle([bundle], f.signer.trusted);
  assert.ok(!r.ok, 'the bundle was accepted');
  return r.refusal;
}

describe('bundle writer and reader', () => {
  it('writes manifest.json first, then each gzip as given, and reads them back checked', async () => {
    const f = fixture();
    const bundle = await written(f);
    assert.equal(bundle.length, bundleSize(f.manifest));
    const { manifest, versions } = await readBundle([bundle], f.signer.trusted);
    assert.deepEqual(manifest, f.manifest);
    const names: string[] = [];
    for await (const { entry, snapshot } of versions) {
      names.push(entry.name);
      assert.deepEqual(snapshot.gzip, f.gz.get(entry.name));
      assert.equal(snapshot.md5, entry.hashCode);
      const members = [];
      for await (const m of snapshot.members()) members.push(m);
      assert.ok(members.length > 0);
    }
    assert.deepEqual(names, ['Version_2', 'Version_3', 'Version_4']);
  });

  it('closes its input when the caller stops after the manifest', async () => {
    const f = fixture();
    const bundle = await written(f);
    let closed = false;
    async function* source() {
      try {
        for (let at = 0; at < bundle.length; at += 512) yield bundle.subarray(at, at + 512);
      } finally {
        closed = true;
      }
    }
    const opened = await readBundle(source(), f.signer.trusted);
    assert.equal(opened.manifest.versions.length, 3);
    opened.close();
    for (let i = 0; i < 100 && !closed; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(closed, 'the input was left open');
  });

  it('refuses a flipped byte in a snapshot, naming the version', async () => {
    const f = fixture();
    const bundle = await written(f);
    const gz3 = f.gz.get('Version_3')!;
    const at = bundle.indexOf(gz3) + Math.floor(gz3.length / 2);
    bundle[at] = bundle[at]! ^ 0x01;
    const r = await refusal(bundle, f);
    assert.equal(r.problem, 'snapshot');
    assert.ok(r.problem === 'snapshot' && r.version === 'Version_3');
    assert.match(r.message, /Version_3 in the bundle is corrupt/);
  });

  it('refuses a bundle signed by another key before reading any version', async () => {
    const f = fixture();
    const other = testSigner();
    const r = await verifyBundle([await written(f)], other.trusted);
    assert.ok(!r.ok && r.refusal.problem === 'key');
    assert.match(r.refusal.message, new RegExp(`${f.signer.fingerprint}.*${other.fingerprint}`));
    await assert.rejects(readBundle([await written(f)], other.trusted), (e) => {
      assert.equal(refusalOf(e)?.problem, 'key');
      return true;
    });
  });

  it('refuses a manifest edited after signing', async () => {
    const f = fixture();
    const edited: BundleManifest = {
      ...f.manifest,
      source: { ...f.manifest.source, systemName: 'X' },
    };
    const bundle = await tarOf([
      ['manifest.json', manifestFileBytes(edited)],
      ...f.manifest.versions.map((v): [string, Buffer] => [v.file, f.gz.get(v.name)!]),
    ]);
    assert.equal((await refusal(bundle, f)).problem, 'signature');
  });

  it('refuses a bundle whose first file is not the manifest', async () => {
    const f = fixture();
    const v2 = f.manifest.versions[0]!;
    const bundle = await tarOf([
      [v2.file, f.gz.get(v2.name)!],
      ['manifest.json', manifestFileBytes(f.manifest)],
    ]);
    const r = await refusal(bundle, f);
    assert.equal(r.problem, 'layout');
    assert.match(r.message, /first file must be manifest\.json, not versions\/Version_2/);
  });

  it('refuses an extra file, a missing one, one out of place, and a cut bundle', async () => {
    const f = fixture();
    const files = f.manifest.versions.map((v): [string, Buffer] => [v.file, f.gz.get(v.name)!]);
    const head: [string, Buffer] = ['manifest.json', manifestFileBytes(f.manifest)];
    const extra = await refusal(await tarOf([head, ...files, ['notes.txt', Buffer.from('hi')]]), f);
    assert.match(extra.message, /holds notes\.txt, which its manifest does not name/);
    const missing = await refusal(await tarOf([head, ...files.slice(0, 2)]), f);
    assert.match(missing.message, /ends before versions\/Version_4\.json\.gz/);
    const swapped = await refusal(await tarOf([head, files[1]!, files[0]!, files[2]!]), f);
    assert.match(
      swapped.message,
      /holds versions\/Version_3\.json\.gz where its manifest names versions\/Version_2/,
    );
    const whole = await written(f);
    const cut = await refusal(whole.subarray(0, whole.length - 3000), f);
    assert.equal(cut.problem, 'layout');
    const notTar = await refusal(Buffer.from('this is not a tar at all'.repeat(40)), f);
    assert.equal(notTar.problem, 'layout');
  });

  it('refuses a manifest that is not JSON, or of another format', async () => {
    const f = fixture();
    const garbled = await refusal(await tarOf([['manifest.json', Buffer.from('{nope')]]), f);
    assert.ok(garbled.problem === 'manifest' && /not JSON/.test(garbled.message));
    const later = Buffer.from(JSON.stringify({ ...f.manifest, format: 'metasync-bundle/2' }));
    const r = await refusal(await tarOf([['manifest.json', later]]), f);
    assert.match(
      r.message,
      /format is "metasync-bundle\/2"; this instance reads metasync-bundle\/1/,
    );
  });

  it('stops reading the snapshot when the reader of the bundle goes away', async () => {
    const f = fixture();
    const big = { ...f.manifest, versions: [{ ...f.manifest.versions[0]!, size: 64 << 20 }] };
    let closed = false;
    let sent = 0;
    async function* endless() {
      try {
        for (let i = 0; i < 1024; i++) {
          sent++;
          yield Buffer.alloc(64 << 10);
        }
      } finally {
        closed = true;
      }
    }
    const stream = writeBundle(big, async () => endless());
    for await (const chunk of stream) {
      assert.ok((chunk as Buffer).length > 0);
      break; // destroys the stream, as a client hanging up does
    }
    for (let i = 0; i < 100 && !closed; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(closed, 'the snapshot was left open');
    assert.ok(sent < 1024, `all ${sent} chunks were read`);
  });

  it('fails the stream when a stored snapshot is not the size the manifest says', async () => {
    const f = fixture();
    const stream = writeBundle(f.manifest, async (v) => [f.gz.get(v.name)!.subarray(1)]);
    await assert.rejects(text(stream));
  });
});
