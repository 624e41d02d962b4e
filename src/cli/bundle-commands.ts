/**
 * `metasync bundle export --out FILE [--from Version_A] [--to Version_B]` (issue 20 §2): the same
 * signed bundle `GET /api/metasync/bundles` streams, written to a file for a USB stick.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import type { BundleSigner } from '../domain/bundle/signer.ts';
import { errors } from '../domain/errors.ts';
import { createLogger } from '../logger.ts';
import { DB_FLAGS, dbOptions, withServices } from './options.ts';

export const BUNDLE_HELP: Record<string, string> = {
  bundle: `Usage: metasync bundle export --out <file> [--from <Version_A>] [--to <Version_B>] [options]

export  writes a signed offline bundle of the versions from --from to --to (default: the first
        version to the newest) to <file>: an uncompressed tar of manifest.json and each version's
        snapshot, as GET /api/metasync/bundles sends it. Carry it to a site without a link.
        Needs "Enable versioning for metadata sync" (keyVersionEnabled) on.

Options:
  --out <file>           where to write the bundle (replaced if it exists)
  --from <Version_A>     the first version it carries
  --to <Version_B>       the last version it carries${DB_FLAGS}
  -h, --help             show this help`,
};

/** `bundleSigner`: a key of the caller's (tests); otherwise the instance's. */
export async function bundleCommand(
  args: string[],
  options: { bundleSigner?: () => Promise<BundleSigner> } = {},
): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h')
    return void console.log(BUNDLE_HELP.bundle);
  if (sub !== 'export')
    throw new Error(`Unknown command: bundle ${sub} (try "metasync bundle --help")`);
  const { values } = parseArgs({
    args: rest,
    options: {
      ...dbOptions,
      out: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
    },
  });
  if (values.help) return void console.log(BUNDLE_HELP.bundle);
  const out = values.out;
  if (!out) throw new Error('--out <file> is required');
  await withServices(
    values,
    async (services) => {
      if (!(await services.settings.get('keyVersionEnabled'))) throw errors.versioningDisabled();
      const bundle = await services.bundles.export(
        { from: values.from, to: values.to },
        services.config.serverBaseUrl,
      );
      const { versions } = bundle.manifest;
      const bar = new SingleBar(
        { format: ' {bar} {value}/{total} versions | {name}', hideCursor: true },
        Presets.shades_classic,
      );
      bar.start(versions.length, 0, { name: '' });
      // Written beside the file and renamed once whole: a cut export never looks like a bundle.
      const partial = `${out}.partial`;
      let written = 0;
      try {
        await pipeline(
          bundle.stream((v) => bar.update(++written, { name: v.name })),
          createWriteStream(partial),
        );
        await rename(partial, out);
      } catch (e) {
        await rm(partial, { force: true });
        throw e;
      } finally {
        bar.stop();
      }
      console.log(
        `Wrote ${out}: ${versions[0]!.name} to ${versions.at(-1)!.name} (${versions.length} versions, ${bundle.size} bytes), signed by the key with fingerprint ${bundle.manifest.keyFingerprint}`,
      );
    },
    createLogger('warn'),
    options.bundleSigner,
  );
}
