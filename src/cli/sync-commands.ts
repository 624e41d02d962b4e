/**
 * `metasync sync run | status | rebaseline` (issue 6 §5–§6): a full run from the command line with
 * a progress bar over the versions and a summary table, the state at a glance, and the audited
 * recovery that replaces SQL surgery.
 */
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { SUPERUSER } from '../domain/auth/users.ts';
import type { SyncEvent } from '../domain/sync/run-sync.ts';
import { describeDownload, describeTransfer } from '../domain/sync/transfer.ts';
import type { SyncReport } from '../domain/sync/sync-report.ts';
import { createLogger } from '../logger.ts';
import { DB_FLAGS, dbOptions, withServices } from './options.ts';

export const SYNC_HELP: Record<string, string> = {
  sync: `Usage: metasync sync run [options]
       metasync sync status [options]
       metasync sync rebaseline --to <Version_N> --reason "<why>" [options]

run         pushes data, then pulls and imports every newer version from the central configured
            in the settings (keyRemoteInstanceUrl/Username/Password), with a progress bar.
status      prints the sync state (UP_TO_DATE, BEHIND, RUNNING, FAILED, DIVERGED, NOT_CONFIGURED).
rebaseline  records the central's <Version_N> as this instance's current version without
            importing it, after a divergence; who, when and why go to the audit log.

Options:${DB_FLAGS}
  -h, --help             show this help`,
};

// Logs at warn level only, so the progress bar and tables own the terminal.
const withQuietServices: typeof withServices = (values, fn) =>
  withServices(values, fn, createLogger('warn'));

async function run(values: Record<string, unknown>): Promise<void> {
  await withQuietServices(values, async (services) => {
    const bar = new SingleBar(
      // {download}: the snapshot under way, its bytes, rate and time left (issue 19 §6).
      { format: ' {bar} {value}/{total} versions | {name} {status}{download}', hideCursor: true },
      Presets.shades_classic,
    );
    let started = false;
    const onEvent = (e: SyncEvent) => {
      if (e.kind === 'step' && e.status !== 'RUNNING')
        process.stderr.write(
          started ? '' : `  ${e.step.padEnd(9)} ${e.status}${e.message ? `  ${e.message}` : ''}\n`,
        );
      else if (e.kind === 'versions' && e.total > 0) {
        started = true;
        bar.start(e.total, 0, { name: '', status: '', download: '' });
      } else if (e.kind === 'download' && started)
        bar.update({ name: e.version, status: 'downloading', download: ` ${describeDownload(e)}` });
      else if (e.kind === 'version')
        bar.update(e.index + 1, { name: e.name, status: e.status, download: '' });
      else if (e.kind === 'retry')
        process.stderr.write(`  retrying in ${e.waitMs} ms: ${e.message}\n`);
    };
    const { done } = await services.sync.start({
      trigger: 'CLI',
      triggeredBy: 'cli',
      actorId: SUPERUSER.userId,
      onEvent,
    });
    const report = await done;
    if (started) bar.stop();
    printReport(report);
  });
}

/** The finished run as the terminal shows it: a line, the transfer, a table, the failure. */
export function printReport(report: SyncReport): void {
  console.log(
    `\nSync ${report.status} (report ${report.id}, ${report.attempts} attempt(s)): ${report.fromVersion ?? 'none'} → ${report.toVersion ?? report.fromVersion ?? 'none'}`,
  );
  if (report.transfer) console.log(`Transfer: ${describeTransfer(report.transfer)}`);
  if (report.versions.length > 0) {
    console.log(
      `\n${'version'.padEnd(12)} ${'type'.padEnd(11)} ${'status'.padEnd(8)} ${'created'.padStart(8)} ${'updated'.padStart(8)} ${'ignored'.padStart(8)} ${'seconds'.padStart(8)}`,
    );
    for (const v of report.versions)
      console.log(
        `${v.name.padEnd(12)} ${v.type.padEnd(11)} ${v.status.padEnd(8)} ${String(v.stats?.created ?? '-').padStart(8)} ${String(v.stats?.updated ?? '-').padStart(8)} ${String(v.stats?.ignored ?? '-').padStart(8)} ${(v.seconds ?? 0).toFixed(2).padStart(8)}`,
      );
  }
  if (report.error) {
    console.log(
      `\nFailed at ${report.error.step}${report.error.version ? ` (${report.error.version})` : ''}: ${report.error.message}`,
    );
    process.exitCode = 1;
  }
}

export async function syncCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h')
    return void console.log(SYNC_HELP.sync);
  const { values } = parseArgs({
    args: rest,
    options: { ...dbOptions, to: { type: 'string' }, reason: { type: 'string' } },
  });
  if (values.help) return void console.log(SYNC_HELP.sync);
  if (sub === 'run') return run(values);
  if (sub === 'status')
    return withQuietServices(values, async (services) => {
      const s = await services.sync.status();
      console.log(`${s.state}: ${s.message}`);
      console.log(
        `current ${s.currentVersion ?? '-'}, central ${s.remoteVersion ?? '-'}, last attempt ${s.lastAttempt ?? '-'}, last success ${s.lastSuccess ?? '-'}`,
      );
    });
  if (sub === 'rebaseline') {
    if (!values.to || !values.reason)
      throw new Error('--to and --reason are required (see metasync sync --help)');
    const { to, reason } = values;
    return withQuietServices(values, async (services) => {
      const r = await services.sync.rebaseline({ to, reason, username: process.env.USER || 'cli' });
      console.log(
        `Rebaselined to ${r.to} (hashCode ${r.hashCode}); was ${r.from ?? 'none'}${r.removed.length ? `; removed local ${r.removed.join(', ')}` : ''}. Recorded in the audit log.`,
      );
    });
  }
  throw new Error(`Unknown command: sync ${sub} (try "metasync sync --help")`);
}
