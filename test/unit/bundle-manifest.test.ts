/** The bundle manifest (issue 20 §2): canonical bytes, signature, and shape. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalManifestBytes,
  signManifest,
  verifyManifest,
} from '../../src/domain/bundle/manifest-signature.ts';
import {
  BUNDLE_FORMAT,
  parseManifest,
  type BundleManifest,
} from '../../src/domain/bundle/manifest.ts';
import type { MetadataVersion } from '../../src/domain/versioning/version.ts';
import { testSigner } from '../support/bundle-keys.ts';

const hash = (n: number) => String(n).repeat(32).slice(0, 32);

function version(n: number): MetadataVersion {
  return {
    id: `id${String(n).padStart(9, '0')}`,
    name: `Version_${n}`,
    number: n,
    type: n % 2 ? 'BEST_EFFORT' : 'ATOMIC',
    hashCode: hash(n),
    parentHashCode: n > 1 ? hash(n - 1) : null,
    created: new Date(Date.UTC(2026, 0, n, 10)),
    importDate: null,
    bytes: 1000 * n,
    gzipBytes: 100 * n,
    objects: n,
    deletions: 0,
    types: {},
  };
}

const source = { systemId: 'sys-1', systemName: 'Central', baseUrl: 'https://central.example' };
const manifestOf = (signer = testSigner(), versions = [2, 3, 4].map(version)) =>
  signManifest({ source, createdAt: new Date('2026-12-07T12:00:00.000Z'), versions }, signer);

describe('canonical manifest bytes', () => {
  it('are the manifest without signature and fingerprint, keys sorted, no whitespace, UTF-8', () => {
    const m = manifestOf(testSigner(), [version(1)]);
    const text = canonicalManifestBytes({
      ...m,
      source: { ...source, systemName: 'Centrale é' },
    }).toString('utf8');
    const v = m.versions[0]!;
    assert.equal(
      text,
      `{"createdAt":"2026-12-07T12:00:00.000Z","format":"${BUNDLE_FORMAT}",` +
        `"source":{"baseUrl":"https://central.example","systemId":"sys-1","systemName":"Centrale é"},` +
        `"versions":[{"created":"${v.created}","file":"versions/Version_1.json.gz",` +
        `"hashCode":"${hash(1)}","id":"id000000001","name":"Version_1","parentHashCode":null,` +
        `"size":100,"type":"BEST_EFFORT"}]}`,
    );
  });

  it('do not depend on key order or indentation', () => {
    const m = manifestOf();
    const reverse = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(reverse)
        : typeof v === 'object' && v !== null
          ? Object.fromEntries(
              Object.entries(v)
                .reverse()
                .map(([k, x]) => [k, reverse(x)]),
            )
          : v;
    const reordered = JSON.parse(JSON.stringify(reverse(m), null, 4)) as BundleManifest;
    assert.notEqual(Object.keys(reordered)[0], Object.keys(m)[0]);
    assert.deepEqual(canonicalManifestBytes(reordered), canonicalManifestBytes(m));
  });
});

describe('signManifest and verifyManifest', () => {
  it('signs the versions in chain order with their list fields, file and gzip size', () => {
    const signer = testSigner();
    const m = manifestOf(signer);
    assert.equal(m.format, BUNDLE_FORMAT);
    assert.equal(m.keyFingerprint, signer.fingerprint);
    assert.deepEqual(
      m.versions.map((v) => [v.name, v.file, v.size, v.parentHashCode]),
      [
        ['Version_2', 'versions/Version_2.json.gz', 200, hash(1)],
        ['Version_3', 'versions/Version_3.json.gz', 300, hash(2)],
        ['Version_4', 'versions/Version_4.json.gz', 400, hash(3)],
      ],
    );
    assert.deepEqual(verifyManifest(m, signer.trusted), { ok: true });
    assert.equal(parseManifest(JSON.parse(JSON.stringify(m))).ok, true);
  });

  it('refuses another key, naming both fingerprints', () => {
    const signer = testSigner();
    const trusted = testSigner().trusted;
    const r = verifyManifest(manifestOf(signer), trusted);
    assert.equal(r.ok, false);
    assert.ok(!r.ok && r.problem === 'key');
    assert.equal(r.bundleFingerprint, signer.fingerprint);
    assert.equal(r.trustedFingerprint, trusted.fingerprint);
    assert.match(r.message, new RegExp(`${signer.fingerprint}.*${trusted.fingerprint}`));
  });

  it('refuses a manifest changed after signing as a bad signature', () => {
    const signer = testSigner();
    const m = manifestOf(signer);
    const tampered = {
      ...m,
      versions: m.versions.map((v, i) => (i === 1 ? { ...v, hashCode: hash(9) } : v)),
    };
    const r = verifyManifest(tampered, signer.trusted);
    assert.ok(!r.ok && r.problem === 'signature', JSON.stringify(r));
    assert.match(r.message, /changed after it was signed/);
  });

  it('refuses a signature by another key that claims the trusted fingerprint', () => {
    const signer = testSigner();
    const forged = { ...manifestOf(testSigner()), keyFingerprint: signer.fingerprint };
    const r = verifyManifest(forged, signer.trusted);
    assert.ok(!r.ok && r.problem === 'signature');
  });
});

describe('parseManifest', () => {
  const good = () => JSON.parse(JSON.stringify(manifestOf())) as Record<string, unknown>;
  const problems = (value: unknown) => {
    const r = parseManifest(value);
    assert.equal(r.ok, false);
    return r.ok ? '' : r.message;
  };

  it('names each wrong field with its path', () => {
    const m = good();
    const versions = m.versions as Record<string, unknown>[];
    versions[0]!.hashCode = 'ABC';
    delete (m.source as Record<string, unknown>).systemId;
    const message = problems(m);
    assert.match(message, /versions\[0\]\.hashCode: must be a lower-case hex MD5/);
    assert.match(message, /source\.systemId: Invalid input/);
    const moved = good();
    (moved.versions as Record<string, unknown>[])[1]!.file = 'elsewhere.gz';
    assert.match(problems(moved), /versions\[1\]\.file: must be versions\/Version_3\.json\.gz/);
  });

  it('refuses another format, extra fields, an empty list and a missing signature', () => {
    assert.match(problems({ ...good(), format: 'metasync-bundle/2' }), /metasync-bundle\/1/);
    assert.match(problems({ ...good(), extra: 1 }), /extra/);
    assert.match(problems({ ...good(), versions: [] }), /at least one version/);
    const unsigned = good();
    delete unsigned.signature;
    assert.match(problems(unsigned), /signature/);
    assert.match(problems(null), /object/i);
  });

  it('refuses versions that are not one unbroken stretch of the chain', () => {
    const gap = good();
    (gap.versions as unknown[]).splice(1, 1);
    assert.match(problems(gap), /Version_4 does not follow Version_2/);
    const broken = good();
    (broken.versions as Record<string, unknown>[])[2]!.parentHashCode = hash(7);
    assert.match(problems(broken), /versions\[2\]\.parentHashCode: must be Version_3's hashCode/);
  });
});
