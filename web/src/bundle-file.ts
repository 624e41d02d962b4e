/**
 * The manifest of a bundle file the user chose, read in the browser before anything is sent
 * (docs/protocol.md, "Bundles"): the tar's first entry is `manifest.json`, so its header block and
 * its bytes are all that is read, however large the file. It lets the screen say which versions
 * the file carries and who made it, and turn away a file that is no bundle at all before a long
 * upload. It proves nothing: the server checks the signature and every snapshot again.
 */
import { i18n } from './i18n.ts';
import {
  MANIFEST_FILE,
  MANIFEST_MAX_BYTES,
  parseManifest,
  type BundleManifest,
} from '../../src/domain/bundle/manifest.ts';

const BLOCK = 512;

/** A NUL-terminated ASCII field of a tar header. */
const field = (header: Uint8Array, at: number, length: number): string => {
  const bytes = header.subarray(at, at + length);
  const end = bytes.indexOf(0);
  return new TextDecoder('latin1').decode(end < 0 ? bytes : bytes.subarray(0, end));
};

export type ChosenBundle = { ok: true; manifest: BundleManifest } | { ok: false; message: string };

export async function readChosenBundle(file: Blob): Promise<ChosenBundle> {
  const notBundle = (why: string): ChosenBundle => ({
    ok: false,
    message: i18n.t('This file is not a metasync offline bundle ({{why}}).', { why }),
  });
  if (file.size < BLOCK) return notBundle(i18n.t('it is too short'));
  const header = new Uint8Array(await file.slice(0, BLOCK).arrayBuffer());
  // ustar: the name in bytes 0–99, the size in octal digits in bytes 124–135.
  if (field(header, 0, 100) !== MANIFEST_FILE)
    return notBundle(i18n.t('{{file}} is not first', { file: MANIFEST_FILE }));
  const size = parseInt(field(header, 124, 12).trim(), 8);
  if (!Number.isSafeInteger(size) || size <= 0 || size > MANIFEST_MAX_BYTES)
    return notBundle(i18n.t('{{file}} has no readable size', { file: MANIFEST_FILE }));
  let json: unknown;
  try {
    json = JSON.parse(await file.slice(BLOCK, BLOCK + size).text());
  } catch {
    return notBundle(i18n.t('{{file}} is not JSON', { file: MANIFEST_FILE }));
  }
  const parsed = parseManifest(json);
  return parsed.ok ? parsed : { ok: false, message: parsed.message };
}
