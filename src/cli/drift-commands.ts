/**
 * Drift from the command line (issue 23 §1, §4): `metasync drift` compares this local's live
 * metadata with the state its applied versions imply and prints what was changed, created or
 * deleted locally; `metasync drift repair` puts it back. They call the drift service the routes
 * call (services.drift), so the same scope rules, single transaction and audit entry apply; the
 * actor is the operating-system user, as for `sync rebaseline` and the rollout commands.
 */
import { parseArgs } from 'node:util';
import { SUPERUSER } from '../domain/auth/users.ts';
import type {
  DriftCounts,
  DriftObject,
  DriftPath,
  DriftReport,
  RepairResult,
} from '../domain/drift/drift.ts';
import { createLogger } from '../logger.ts';
import { DB_FLAGS, dbOptions, withServices, type CliServices } from './options.ts';

export const DRIFT_HELP: Record<string, string> = {
  drift: `Usage: metasync drift [--json] [--limit <n>] [--type <type>] [options]
       metasync drift repair [--type <type>] [--id <id> ...] [--include-created] [--dry-run]
                             --reason "<why>" [options]

drift    compares this local's live metadata with the state its applied versions imply and
         prints the counts per type, then the objects changed locally (each differing property
         with its implied → live value), created locally and deleted locally. --json prints the
         DriftReport of GET /api/metasync/drift. Drift is a warning, not an error: the exit code
         is 0 whether or not anything drifted.
           --limit <n>    list at most n objects per list (default 500); counts stay complete
           --type <type>  one metadata type only (plural, e.g. dataElements)
repair   restores the implied state, in one transaction (as POST /api/metasync/drift/repair):
         changed objects are put back, deleted ones re-created; objects created locally are
         deleted only with --include-created. Who and why go to the audit log.
           --type <type>       only this type;  --id <id>   only these objects (repeatable)
           --include-created   also delete the objects created locally
           --dry-run           say what would be done and change nothing
           --reason "<why>"    required, at least 5 characters

Options:${DB_FLAGS}
  -h, --help             show this help`,
};

/** The reason check of `sync rebaseline` (rebaseline.ts), made before the database opens. */
const REASON_MESSAGE = 'A reason of at least 5 characters is required for the audit log';

const osUser = () => process.env.USER || 'cli';

// Warn level only: the command's own lines are its output.
const withQuietServices = <T>(
  values: Record<string, unknown>,
  fn: (s: CliServices) => Promise<T>,
) => withServices(values, fn, createLogger('warn'));

const countsText = (c: DriftCounts) =>
  `${c.changed} changed, ${c.created} created, ${c.deleted} deleted`;

const label = (o: DriftObject) => [o.type, o.id, o.name ?? o.code ?? ''].filter(Boolean).join('  ');

const valueText = (v: string | undefined) => (v === undefined ? '(absent)' : JSON.stringify(v));

const pathLine = (p: DriftPath) =>
  `      ${p.path}: ${valueText(p.implied)} → ${valueText(p.live)}`;

/** The report as the terminal shows it: the base, a table of counts, then the three lists. */
export function printDrift(r: DriftReport, limit: number): void {
  if (!r.base) {
    console.log('No version applied yet: nothing implies a state, so nothing can drift.');
    return;
  }
  const base =
    r.base.kind === 'REBASELINE'
      ? `rebaselined to ${r.base.version} at ${r.base.since}`
      : `${r.base.version}, applied since ${r.base.since}`;
  console.log(`Compared with the versions applied (${base}; up to ${r.base.upTo}).`);
  console.log(`Checked at ${r.checkedAt}.`);
  const total = r.counts.changed + r.counts.created + r.counts.deleted;
  if (total === 0) {
    console.log('\nNo drift: this instance matches the versions it applied.');
    return;
  }
  const width = Math.max(5, ...Object.keys(r.types).map((t) => t.length));
  const row = (name: string, c: DriftCounts) =>
    `${name.padEnd(width)}  ${String(c.changed).padStart(7)}  ${String(c.created).padStart(7)}  ${String(c.deleted).padStart(7)}`;
  console.log(`\n${'type'.padEnd(width)}  ${'changed'.padStart(7)}  created  deleted`);
  for (const [type, c] of Object.entries(r.types).sort(([a], [b]) => a.localeCompare(b)))
    console.log(row(type, c));
  console.log(row('total', r.counts));
  const lists: [string, DriftObject[], number][] = [
    ['Changed locally', r.changed, r.counts.changed],
    ['Created locally', r.created, r.counts.created],
    ['Deleted locally', r.deleted, r.counts.deleted],
  ];
  for (const [title, objects, count] of lists) {
    if (count === 0) continue;
    console.log(`\n${title} (${count}):`);
    for (const o of objects) {
      console.log(`  ${label(o)}${o.version ? `  (from ${o.version})` : ''}`);
      for (const p of o.paths ?? []) console.log(pathLine(p));
      if (o.morePaths) console.log('      … more properties differ');
    }
  }
  if (r.truncated)
    console.log(`\nThe lists are cut at ${limit} objects each (--limit); the counts are complete.`);
  console.log('\nDrift is a warning; "metasync drift repair --reason …" puts it back.');
}

function printRepair(r: RepairResult, by: string): void {
  if (r.dryRun) console.log('Dry run: nothing was changed. A repair would do this:');
  const verb = r.dryRun
    ? { restored: 'Restore', recreated: 'Re-create', removed: 'Delete' }
    : { restored: 'Restored', recreated: 'Re-created', removed: 'Deleted' };
  const lists: [string, DriftObject[]][] = [
    [verb.restored, r.restored],
    [verb.recreated, r.recreated],
    [verb.removed, r.removed],
  ];
  for (const [title, objects] of lists) {
    console.log(`${title}: ${objects.length}`);
    for (const o of objects) console.log(`  ${label(o)}`);
  }
  console.log(`Failed: ${r.failed.length}`);
  for (const f of r.failed) console.log(`  ${f.type}  ${f.id}: ${f.message}`);
  console.log(`Drift left: ${countsText(r.after)}.`);
  if (!r.dryRun) console.log(`Recorded in the audit log as ${by}.`);
  if (r.failed.length > 0) process.exitCode = 1;
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return 500;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 10_000)
    throw new Error('--limit is a whole number from 1 to 10000');
  return Number(text);
}

async function repair(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      ...dbOptions,
      type: { type: 'string' },
      id: { type: 'string', multiple: true },
      'include-created': { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      reason: { type: 'string' },
    },
  });
  if (values.help) return void console.log(DRIFT_HELP.drift);
  if ((values.reason ?? '').trim().length < 5) throw new Error(REASON_MESSAGE);
  const by = osUser();
  await withQuietServices(values, async (services) => {
    const result = await services.drift.repair({
      ...(values.type ? { type: values.type } : {}),
      ...(values.id?.length ? { ids: values.id } : {}),
      includeCreated: values['include-created'] === true,
      dryRun: values['dry-run'] === true,
      reason: values.reason!,
      username: by,
      actorId: SUPERUSER.userId,
    });
    printRepair(result, by);
  });
}

export async function driftCommand(args: string[]): Promise<void> {
  if (args[0] === 'repair') return repair(args.slice(1));
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...dbOptions,
      json: { type: 'boolean' },
      limit: { type: 'string' },
      type: { type: 'string' },
    },
  });
  if (values.help) return void console.log(DRIFT_HELP.drift);
  if (positionals.length > 0)
    throw new Error(`Unknown command: drift ${positionals[0]} (try "metasync drift --help")`);
  const limit = parseLimit(values.limit);
  await withQuietServices(values, async (services) => {
    const report = await services.drift.check({
      limit,
      ...(values.type ? { type: values.type } : {}),
    });
    if (values.json) console.log(JSON.stringify(report));
    else printDrift(report, limit);
  });
}
