/**
 * `metasync bundle export --out FILE [--from Version_A] [--to Version_B]` (issue 20 §2): the same
 * signed bundle `GET /api/metasync/bundles` streams, written to a file for a USB stick.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { errors } from '../domain/errors.ts';
import { createLogger } from '../logger.ts';
import { DB_FLAGS, dbOptions, withServices } from './options.ts';

export const BUNDLE_EXPORT_HELP: Record<string, string> = {
  'bundle export': `Usage: metasync bundle export --out <file> [--from <Version_A>] [--to <Version_B>] [options]

Writes a signed offline bundle of the versions from --from to --to (default: the first version
to the newest) to <file>: an uncompressed tar of manifest.json and each version's snapshot, as
GET /api/metasync/bundles sends it, signed with this instance's key (metasync bundle key shows
its fingerprint). Carry it to a site without a link. Needs "Enable versioning for metadata
sync" (keyVersionEnabled) on.

Options:
  --out <file>           where to write the bundle (replaced if it exists)
  --from <Version_A>     the first version it carries
  --to <Version_B>       the last version it carries${DB_FLAGS}
  -h, --help             show this help`,
};

/** `args`: what follows `metasync bundle export`. */
export async function bundleExport(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      ...dbOptions,
      out: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
    },
  });
  if (values.help) return void console.log(BUNDLE_EXPORT_HELP['bundle export']);
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
  );
}
