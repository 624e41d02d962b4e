/**
 * `metasync bundle import FILE` (issue 20 §3): a local's import of an offline bundle from a stick,
 * as `POST /api/metasync/bundles` does it — the whole file checked first (a bar over its bytes),
 * then its versions imported by a sync run with trigger BUNDLE (a bar over the versions), and
 * the run's report as `metasync sync run` prints it.
 */
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Presets, SingleBar } from 'cli-progress';
import { SUPERUSER } from '../domain/auth/users.ts';
import { refusalOf } from '../domain/bundle/bundle-refusal.ts';
import type { SyncEvent } from '../domain/sync/run-sync.ts';
import { createLogger } from '../logger.ts';
import { DB_FLAGS, dbOptions, withServices } from './options.ts';
import { printReport } from './sync-commands.ts';

export const BUNDLE_IMPORT_HELP: Record<string, string> = {
  'bundle import': `Usage: metasync bundle import <file> [options]

Imports a signed offline bundle (made by "metasync bundle export" or the central's Versioning
screen) into this local. Before anything is imported the whole file is checked: its signature
against the central key this instance pinned (metasync bundle trust), every snapshot's MD5, and
that it continues from this instance's current version. Then each new version is imported as
an online sync imports it (a sync report with trigger BUNDLE); versions already here are skipped,
so importing the same bundle again changes nothing. Exits 1 when refused or failed.

Options:${DB_FLAGS}
  -h, --help             show this help`,
};

const MB = 1024 * 1024;

/** `args`: what follows `metasync bundle import`. */
export async function bundleImport(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: dbOptions, allowPositionals: true });
  if (values.help) return void console.log(BUNDLE_IMPORT_HELP['bundle import']);
  const file = positionals[0];
  if (!file || positionals.length > 1)
    throw new Error('Name one bundle file: metasync bundle import <file>');
  const size = (await stat(file)).size;
  await withServices(
    values,
    async (services) => {
      const checking = new SingleBar(
        { format: ' checking {bar} {value}/{total} MB', hideCursor: true },
        Presets.shades_classic,
      );
      checking.start(Math.max(1, Math.ceil(size / MB)), 0);
      const versions = new SingleBar(
        { format: ' importing {bar} {value}/{total} versions | {name} {status}', hideCursor: true },
        Presets.shades_classic,
      );
      let importing = false;
      const onEvent = (e: SyncEvent) => {
        if (e.kind === 'versions' && e.total > 0) {
          importing = true;
          versions.start(e.total, 0, { name: '', status: '' });
        } else if (e.kind === 'download' && importing)
          versions.update({ name: e.version, status: 'reading' });
        else if (e.kind === 'version')
          versions.update(e.index + 1, { name: e.name, status: e.status });
      };
      let started;
      try {
        started = await services.bundles.import({
          path: file,
          triggeredBy: 'cli',
          actorId: SUPERUSER.userId,
          onVerify: (bytes) => checking.update(Math.ceil(bytes / MB)),
          onEvent,
        });
      } catch (e) {
        checking.stop();
        const refusal = refusalOf(e);
        if (!refusal) throw e;
        console.log(`\nRefused, nothing imported: ${refusal.message}`);
        process.exitCode = 1;
        return;
      }
      checking.stop();
      const { manifest } = started;
      const { source } = manifest;
      console.log(
        `Checked: ${manifest.versions[0]!.name} to ${manifest.versions.at(-1)!.name} from ${source.systemName || source.systemId}, signed by the pinned key ${manifest.keyFingerprint}`,
      );
      const report = await started.done;
      if (importing) versions.stop();
      printReport(report);
    },
    createLogger('warn'),
  );
}
