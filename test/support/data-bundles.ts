/**
 * Helpers for the data bundle tests (issue 20 §5): a local's export over HTTP, the central's
 * import of a tar, pinning a local's key, and taking a tar apart to change it on the way.
 */
import assert from 'node:assert/strict';
import { extract } from 'tar-stream';
import { writeTar } from '../../src/bundle/bundle-writer.ts';
import type { DataBundleManifest } from '../../src/domain/bundle/data-manifest.ts';
import type { TestServer } from './server.ts';
import { fetchJson } from './versions.ts';

export interface ImportJson {
  source: { systemId: string; systemName: string };
  parts: {
    kind: string;
    count: number;
    importSummary: {
      responseType: string;
      status: string;
      importCount?: { imported: number; updated: number; ignored: number; deleted: number };
      imported?: number;
      updated?: number;
      ignored?: number;
      deleted?: number;
    };
  }[];
}

export interface RefusalJson {
  httpStatusCode: number;
  errorCode: string;
  message: string;
  response: Record<string, unknown> & { problem: string };
}

/** The tar's files in order, read whole (test bundles are small). */
export async function untar(tar: Buffer): Promise<{ name: string; bytes: Buffer }[]> {
  const ex = extract();
  const files: { name: string; bytes: Buffer }[] = [];
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(Buffer.from(c as Buffer));
      files.push({ name: entry.header.name, bytes: Buffer.concat(chunks) });
    }
  })();
  ex.end(tar);
  await done;
  return files;
}

export async function tar(files: { name: string; bytes: Buffer }[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const stream = writeTar(
    files.map((f) => ({ name: f.name, size: f.bytes.length, bytes: async () => [f.bytes] })),
    new Date(0),
  );
  for await (const c of stream) out.push(Buffer.from(c as Buffer));
  return Buffer.concat(out);
}

export const manifestOf = async (bundle: Buffer) =>
  JSON.parse((await untar(bundle))[0]!.bytes.toString('utf8')) as DataBundleManifest;

/** `GET /api/metasync/data-bundles` on the local: the tar and its manifest. */
export async function exportData(local: TestServer, all = false) {
  const res = await local.request(`/api/metasync/data-bundles${all ? '?all=true' : ''}`);
  const body = Buffer.from(await res.arrayBuffer());
  assert.equal(res.status, 200, body.toString('utf8', 0, 500));
  assert.equal(res.headers.get('content-type'), 'application/x-tar');
  assert.equal(Number(res.headers.get('content-length')), body.length);
  return { bundle: body, manifest: await manifestOf(body), res };
}

/** `POST /api/metasync/data-bundles` on the central. */
export const importData = <T = ImportJson>(central: TestServer, bundle: Buffer) =>
  fetchJson<T>(central, '/api/metasync/data-bundles', {
    method: 'POST',
    headers: { 'content-type': 'application/x-tar' },
    body: bundle,
  });

/** Pins `local`'s own key on `central` for its systemId; returns both. */
export async function pinLocal(central: TestServer, local: TestServer) {
  const key = await fetchJson<{ publicKey: string; fingerprint: string }>(
    local,
    '/api/metasync/signing-key',
  );
  const info = await fetchJson<{ systemId: string }>(local, '/api/system/info');
  const r = await fetchJson(central, `/api/metasync/signing-key/locals/${info.body.systemId}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ publicKey: key.body.publicKey, reason: 'carried by hand' }),
  });
  assert.equal(r.status, 200, r.text);
  return {
    systemId: info.body.systemId,
    fingerprint: key.body.fingerprint,
    pem: key.body.publicKey,
  };
}

/** The import counts of a part, whichever summary it has. */
export const countsOf = (p: ImportJson['parts'][number]) => {
  const s = p.importSummary;
  return (
    s.importCount ?? {
      imported: s.imported!,
      updated: s.updated!,
      ignored: s.ignored!,
      deleted: s.deleted!,
    }
  );
};
