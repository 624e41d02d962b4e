/**
 * Reads a local's data bundle on the central (issue 20 §5), from a file, in two passes. The
 * first checks everything and imports nothing: `manifest.json` first, of this format and shape,
 * signed by the key pinned for the local it names; then each part in the manifest's order, of the
 * size and SHA-256 it names, a gzip of the JSON body of its kind holding `count` items; and no
 * other file. The second pass yields the parts' bodies for the import, checking each SHA-256
 * again (the file is read anew). One part (one push page) is in memory at a time.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import { dataBundleRefused, type DataBundleRefusal } from '../domain/bundle/data-bundle-refusal.ts';
import {
  DATA_BUNDLE_FORMAT,
  parseDataManifest,
  type DataBundleManifest,
  type DataBundlePart,
} from '../domain/bundle/data-manifest.ts';
import { MANIFEST_FILE, MANIFEST_MAX_BYTES } from '../domain/bundle/manifest.ts';
import { feed, type TarEntry } from './bundle-reader.ts';

/** The most a part may inflate to: a push page is a few MB; this bounds a hostile gzip. */
const PART_MAX_INFLATED = 1024 * 1024 * 1024;

const refuse = (refusal: DataBundleRefusal) => dataBundleRefused(refusal);
const layout = (message: string, part?: string) =>
  refuse({ problem: 'layout', message, ...(part ? { part } : {}) });

/** Checks a manifest's signer: throws a refusal when the local's pinned key did not sign it. */
export type ManifestCheck = (manifest: DataBundleManifest) => Promise<void>;

/** One part for the import: its manifest entry and its body, as the push would POST it. */
export interface DataBundleBody {
  part: DataBundlePart;
  body: Record<string, unknown>;
}

/** The tar's entries in order, each read whole by the caller before the next is asked for. */
async function* entriesOf(file: string): AsyncGenerator<TarEntry> {
  const extract = tarExtract();
  const feeding = feed(createReadStream(file), extract);
  try {
    const it = extract[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<TarEntry>;
      try {
        next = (await it.next()) as IteratorResult<TarEntry>;
      } catch (e) {
        throw layout(`The data bundle is not a readable tar: ${(e as Error).message}`);
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    extract.destroy();
    feeding.stop();
  }
}

async function bytesOf(entry: TarEntry, part?: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const c of entry) chunks.push(Buffer.from(c));
  } catch (e) {
    throw layout(`The data bundle breaks off: ${(e as Error).message}`, part);
  }
  return Buffer.concat(chunks);
}

async function readManifest(entry: TarEntry | undefined): Promise<DataBundleManifest> {
  if (!entry) throw layout('The data bundle is empty: it holds no manifest.json');
  const { name, size } = entry.header;
  if (name !== MANIFEST_FILE)
    throw layout(`The data bundle's first file must be ${MANIFEST_FILE}, not ${name}`);
  if (size > MANIFEST_MAX_BYTES)
    throw refuse({
      problem: 'manifest',
      message: `The data bundle's ${MANIFEST_FILE} has ${size} bytes, more than the ${MANIFEST_MAX_BYTES} a manifest may have`,
    });
  let value: unknown;
  try {
    value = JSON.parse((await bytesOf(entry)).toString('utf8')) as unknown;
  } catch (e) {
    throw refuse({
      problem: 'manifest',
      message: `The data bundle's ${MANIFEST_FILE} is not JSON: ${(e as Error).message}`,
    });
  }
  const format = (value as { format?: unknown } | null)?.format;
  if (typeof value === 'object' && value !== null && format !== DATA_BUNDLE_FORMAT)
    throw refuse({
      problem: 'manifest',
      message: `The bundle's format is ${JSON.stringify(format)}; a central imports ${DATA_BUNDLE_FORMAT} here`,
    });
  const parsed = parseDataManifest(value);
  if (!parsed.ok) throw refuse({ problem: 'manifest', message: parsed.message });
  return parsed.manifest;
}

/** A part's bytes checked against its entry: size, SHA-256, and a body of its kind and count. */
async function checkPart(part: DataBundlePart, entry: TarEntry): Promise<Record<string, unknown>> {
  const { name, size, type } = entry.header;
  if (name !== part.file || type !== 'file')
    throw layout(`The data bundle holds ${name} where its manifest names ${part.file}`, part.file);
  const bad = (message: string) => refuse({ problem: 'part', part: part.file, message });
  if (size !== part.size)
    throw bad(`${part.file} has ${size} bytes in the bundle; its manifest says ${part.size}`);
  const gz = await bytesOf(entry, part.file);
  const sha256 = createHash('sha256').update(gz).digest('hex');
  if (sha256 !== part.sha256)
    throw bad(
      `${part.file} is corrupt: its SHA-256 is ${sha256}, its manifest says ${part.sha256}`,
    );
  let body: unknown;
  try {
    body = JSON.parse(
      gunzipSync(gz, { maxOutputLength: PART_MAX_INFLATED }).toString('utf8'),
    ) as unknown;
  } catch (e) {
    throw bad(`${part.file} is not a gzip of JSON: ${(e as Error).message}`);
  }
  const items = (body as Record<string, unknown> | null)?.[part.kind];
  if (!Array.isArray(items) || items.length !== part.count)
    throw bad(`${part.file} does not hold the ${part.count} ${part.kind} its manifest names`);
  return body as Record<string, unknown>;
}

/**
 * The first pass: the manifest, trusted by `check`, then every part checked; the manifest, or a
 * refusal (thrown) naming the first problem.
 */
export async function verifyDataBundle(
  file: string,
  check: ManifestCheck,
): Promise<DataBundleManifest> {
  const entries = entriesOf(file);
  try {
    const manifest = await readManifest((await entries.next()).value ?? undefined);
    await check(manifest);
    for (const part of manifest.parts) {
      const got = await entries.next();
      if (got.done) throw layout(`The data bundle ends before ${part.file}`, part.file);
      await checkPart(part, got.value);
    }
    const extra = await entries.next();
    if (!extra.done)
      throw layout(
        `The data bundle holds ${extra.value.header.name}, which its manifest does not name`,
      );
    return manifest;
  } finally {
    await entries.return(undefined);
  }
}

/** The second pass: each part's body in order (the manifest is the first pass's). */
export async function* dataBundleBodies(
  file: string,
  manifest: DataBundleManifest,
): AsyncGenerator<DataBundleBody> {
  const entries = entriesOf(file);
  try {
    await bytesOf((await entries.next()).value as TarEntry);
    for (const part of manifest.parts) {
      const got = await entries.next();
      if (got.done) throw layout(`The data bundle ends before ${part.file}`, part.file);
      yield { part, body: await checkPart(part, got.value) };
    }
  } finally {
    await entries.return(undefined);
  }
}
