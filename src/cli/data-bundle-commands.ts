/**
 * `metasync bundle export-data | import-data | trust-local` (issue 20 §5): a local's data carried
 * to its central by USB stick. The export writes what `GET /api/metasync/data-bundles` streams,
 * the import does what `POST /api/metasync/data-bundles` does, and trust-local pins a local's key
 * on the central, audited with the operating-system user as the actor (as `bundle trust`).
 */
import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { createLogger } from '../logger.ts';
import { DB_FLAGS, dbOptions, withServices } from './options.ts';

export const DATA_BUNDLE_HELP: Record<string, string> = {
  'bundle export-data': `Usage: metasync bundle export-data --out <file> [--all] [options]

Writes this local's data values, complete registrations and events changed since its last
successful data push or data bundle to <file>, signed with this instance's key (metasync bundle
key shows its fingerprint; pin it on the central with bundle trust-local). Once the file is
written whole, the next push or bundle starts after it. Carry it to the central and import it
there with metasync bundle import-data.

Options:
  --out <file>           where to write the bundle (replaced if it exists)
  --all                  every row, not only those changed (a lost stick)${DB_FLAGS}
  -h, --help             show this help`,
  'bundle import-data': `Usage: metasync bundle import-data <file> [--username <name>] [options]

Imports a local's data bundle on this central, as the local's data push would be imported. It is
refused, before anything is imported, unless it is signed with the key pinned for that local
(metasync bundle trust-local) and every part is whole. Importing it again adds nothing.

Options:
  --username <name>      who imports it, for the audit log (default: the operating-system user)${DB_FLAGS}
  -h, --help             show this help`,
  'bundle trust-local': `Usage: metasync bundle trust-local --key <file> --system-id <id> [--reason "<why>"] [options]

Pins a local's public signing key (a PEM file from "metasync bundle key" on the local) on this
central for the local with that systemId: its data bundles are accepted only when signed with it.
Replaces the local's earlier pin; who, when and the fingerprints go to the audit log. Compare the
printed fingerprint with the one the local shows before trusting the file.

Options:
  --key <file>           the local's public key, PEM
  --system-id <id>       the local's systemId (GET /api/system/info on the local)
  --reason <why>         optional, recorded in the audit log${DB_FLAGS}
  -h, --help             show this help`,
};

// Warn level only: the command's own lines are its output.
const quiet = () => createLogger('warn');
const osUser = () => process.env.USER || 'cli';
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export async function bundleExportData(values: Record<string, unknown>): Promise<void> {
  if (values.help) return void console.log(DATA_BUNDLE_HELP['bundle export-data']);
  const out = str(values.out);
  if (!out) throw new Error('--out <file> is required (see --help)');
  await withServices(
    values,
    async (services) => {
      const bundle = await services.dataBundles.export({ all: values.all === true });
      const bar = new SingleBar(
        { format: ' {bar} {value}/{total} parts | {name}', hideCursor: true },
        Presets.shades_classic,
      );
      const { parts } = bundle.manifest;
      // Written beside the file and renamed once whole: a cut export never looks like a bundle,
      // and moves no watermark.
      const partial = `${out}.partial`;
      let written = 0;
      try {
        bar.start(parts.length, 0, { name: '' });
        await pipeline(
          bundle.stream((p) => bar.update(++written, { name: p.file })),
          createWriteStream(partial),
        );
        bar.stop();
        await rename(partial, out);
        await bundle.commit();
      } catch (e) {
        bar.stop();
        await rm(partial, { force: true });
        throw e;
      } finally {
        await bundle.dispose();
      }
      const count = (kind: string) =>
        parts.filter((p) => p.kind === kind).reduce((n, p) => n + p.count, 0);
      console.log(
        `Wrote ${out}: ${count('dataValues')} data values, ${count('completeDataSetRegistrations')} complete registrations, ${count('events')} events${values.all === true ? ' (all)' : ''} in ${parts.length} parts, ${bundle.size} bytes, signed by the key with fingerprint ${bundle.manifest.keyFingerprint}`,
      );
    },
    quiet(),
  );
}

export async function bundleImportData(
  file: string | undefined,
  values: Record<string, unknown>,
): Promise<void> {
  if (values.help) return void console.log(DATA_BUNDLE_HELP['bundle import-data']);
  if (!file) throw new Error('The bundle file is required (see --help)');
  await withServices(
    values,
    async (services) => {
      const bar = new SingleBar(
        { format: ' {bar} {value}/{total} parts | {name}', hideCursor: true },
        Presets.shades_classic,
      );
      let done = 0;
      bar.start(1, 0, { name: 'checking' });
      let result;
      try {
        // Checked whole first (the bar waits), then imported part by part.
        result = await services.dataBundles.import(
          file,
          str(values.username) ?? osUser(),
          (p, total) => {
            bar.setTotal(total);
            bar.update(++done, { name: p.kind });
          },
        );
      } finally {
        bar.stop();
      }
      console.log(
        `Imported the data bundle of ${result.source.systemName} (${result.source.systemId}):`,
      );
      for (const p of result.parts) {
        const s = p.importSummary;
        const c = 'importCount' in s ? s.importCount : s;
        console.log(
          `  ${p.kind}: ${p.count} sent, ${s.status}: imported ${c.imported}, updated ${c.updated}, deleted ${c.deleted}, ignored ${c.ignored}`,
        );
      }
    },
    quiet(),
  );
}

export async function bundleTrustLocal(values: Record<string, unknown>): Promise<void> {
  if (values.help) return void console.log(DATA_BUNDLE_HELP['bundle trust-local']);
  const keyFile = str(values.key);
  const systemId = str(values['system-id']);
  if (!keyFile || !systemId)
    throw new Error('--key <file> and --system-id <id> are required (see --help)');
  const pem = await readFile(keyFile, 'utf8');
  await withServices(
    values,
    async (services) => {
      const keys = services.dataBundles.localKeys;
      const before = await keys.find(systemId);
      const key = await keys.pin(systemId, pem, { username: osUser(), reason: str(values.reason) });
      console.log(`Pinned the signing key ${key.fingerprint} for the local ${systemId}`);
      if (before && before.fingerprint !== key.fingerprint)
        console.log(`It replaces ${before.fingerprint}. Recorded in the audit log.`);
      else console.log('Recorded in the audit log.');
    },
    quiet(),
  );
}

/** `args`: what follows `metasync bundle <sub>`. */
export async function dataBundleCommand(
  sub: 'export-data' | 'import-data' | 'trust-local',
  args: string[],
): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: sub === 'import-data',
    options: {
      ...dbOptions,
      out: { type: 'string' },
      all: { type: 'boolean' },
      username: { type: 'string' },
      key: { type: 'string' },
      'system-id': { type: 'string' },
      reason: { type: 'string' },
    },
  });
  if (sub === 'export-data') return bundleExportData(values);
  if (sub === 'import-data') return bundleImportData(positionals[0], values);
  return bundleTrustLocal(values);
}
