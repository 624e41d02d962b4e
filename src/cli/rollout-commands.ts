/**
 * The staged rollout from the command line (issue 22 §4): `metasync version release | hold |
 * withdraw NAME --reason R` and `metasync rollout show | set`. They call the rollout service the
 * routes call, so the same rules, refusals and audit entries apply; the actor is the
 * operating-system user, as for `sync rebaseline`.
 */
import { parseArgs } from 'node:util';
import { errors } from '../domain/errors.ts';
import type { RolloutVersionView } from '../domain/rollout/rollout-service.ts';
import { memberLabel, type RingMember, type RolloutConfig } from '../domain/rollout/rollout.ts';
import { createLogger } from '../logger.ts';
import { DB_FLAGS, dbOptions, withServices, type CliServices } from './options.ts';

export const ROLLOUT_HELP: Record<string, string> = {
  rollout: `Usage: metasync rollout show [--json] [options]
       metasync rollout set [--enable | --disable] [--ring <system:ID,user:NAME,...>]
                            [--auto-release <minutes>|off] [options]

show  prints the configuration (on or off, the ring, the automatic release), every version
      with its state (CANARY, HELD, RELEASED) and each ring member's progress (reached, failed,
      not yet), and the withdrawn versions; --json prints GET /api/metasync/rollout/versions.
set   changes what is given and keeps the rest (as PUT /api/metasync/rollout, audited):
        --enable / --disable   new versions start CANARY / RELEASED; --disable releases nothing
        --ring                 the whole ring: system:<systemId> (a metasync local) or
                               user:<username> (e.g. a DHIS2 local); "" empties it
        --auto-release         release a version every ring member reached without a failure
                               after this many minutes; off: never automatically

Options:${DB_FLAGS}
  -h, --help             show this help`,
};

export const VERSION_ROLLOUT_HELP = `release  releases NAME and every earlier version to every local (refused while a ring
         member failed one of them, unless --force); audited with --reason.
hold     holds NAME and every later version back, from the ring too; audited with --reason.
withdraw removes NAME, never released, and every later version; the chain goes back to the
         version before it and their changes go into the next version; audited with --reason.`;

const osUser = () => process.env.USER || 'cli';

// Warn level only: the command's own lines are its output.
const withQuietServices = <T>(
  values: Record<string, unknown>,
  fn: (s: CliServices) => Promise<T>,
) => withServices(values, fn, createLogger('warn'));

async function versioningOn(services: CliServices): Promise<void> {
  if (!(await services.settings.get('keyVersionEnabled'))) throw errors.versioningDisabled();
}

/** `metasync version release | hold | withdraw NAME --reason R [--force]`. */
export async function versionAction(
  action: 'release' | 'hold' | 'withdraw',
  args: string[],
  help: string,
): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...dbOptions,
      reason: { type: 'string' },
      ...(action === 'release' ? { force: { type: 'boolean' } } : {}),
    },
  });
  if (values.help) return void console.log(help);
  const [name, ...extra] = positionals;
  if (!name || extra.length > 0)
    throw new Error(`metasync version ${action} takes one version name (see --help)`);
  if (!values.reason) throw new Error('--reason is required: it goes to the audit log');
  const input = { by: osUser(), reason: values.reason };
  await withQuietServices(values, async (services) => {
    await versioningOn(services);
    const touched =
      action === 'release'
        ? await services.rollout.release(name, { ...input, force: values.force === true })
        : action === 'hold'
          ? await services.rollout.hold(name, input)
          : await services.rollout.withdraw(name, input);
    const verb = { release: 'Released', hold: 'Held', withdraw: 'Withdrew' }[action];
    console.log(
      touched.length === 0
        ? `${name}: nothing to change.`
        : `${verb} ${touched.join(', ')}. Recorded in the audit log as ${input.by}.`,
    );
  });
}

/** `system:ID,user:NAME` as ring members; an empty list empties the ring. */
export function parseRing(text: string): RingMember[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const m = /^(system|user):(.+)$/.exec(item);
      if (!m) throw new Error(`--ring: "${item}" is neither system:<systemId> nor user:<username>`);
      return m[1] === 'system' ? { systemId: m[2]! } : { username: m[2]! };
    });
}

function parseAutoRelease(text: string): number | null {
  if (text === 'off') return null;
  if (!/^\d+$/.test(text)) throw new Error('--auto-release is a whole number of minutes, or off');
  return Number(text);
}

const progressText = (c: RolloutVersionView['canaries'][number]) =>
  c.progress === 'REACHED'
    ? `${c.member} reached`
    : c.progress === 'NOT_YET'
      ? `${c.member} not yet`
      : `${c.member} FAILED${c.failureKind ? ` (${c.failureKind}${c.message ? `: ${c.message}` : ''})` : ''}`;

function configLines(c: RolloutConfig): string[] {
  return [
    `Rollout: ${c.enabled ? 'on (new versions start CANARY)' : 'off (new versions are released at once)'}`,
    `Ring: ${c.ring.length ? c.ring.map(memberLabel).join(', ') : 'empty'}`,
    `Automatic release: ${c.autoReleaseAfterMinutes === null ? 'off' : `after ${c.autoReleaseAfterMinutes} min`}`,
  ];
}

async function show(services: CliServices, json: boolean): Promise<void> {
  const o = await services.rollout.overview();
  const withdrawals = o.withdrawals.map((w) => ({ ...w, at: w.at.toISOString() }));
  if (json)
    return void console.log(
      JSON.stringify({ config: o.config, versions: o.versions, withdrawals }),
    );
  console.log(configLines(o.config).join('\n'));
  console.log('');
  if (o.versions.length === 0) console.log('No metadata versions.');
  for (const v of [...o.versions].reverse())
    console.log(
      [
        v.name.padEnd(12),
        v.type.padEnd(11),
        v.created.slice(0, 19).replace('T', ' '),
        v.state.padEnd(8),
        v.canaries.map(progressText).join(', '),
      ]
        .join('  ')
        .trimEnd(),
    );
  if (withdrawals.length > 0) {
    console.log('\nWithdrawn:');
    for (const w of withdrawals)
      console.log(`  ${w.name}  ${w.hashCode}  by ${w.by} at ${w.at}: ${w.reason}`);
  }
}

export async function rolloutCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h')
    return void console.log(ROLLOUT_HELP.rollout);
  if (sub === 'show') {
    const { values } = parseArgs({
      args: rest,
      options: { ...dbOptions, json: { type: 'boolean' } },
    });
    if (values.help) return void console.log(ROLLOUT_HELP.rollout);
    return withQuietServices(values, (services) => show(services, values.json === true));
  }
  if (sub === 'set') {
    const { values } = parseArgs({
      args: rest,
      options: {
        ...dbOptions,
        enable: { type: 'boolean' },
        disable: { type: 'boolean' },
        ring: { type: 'string' },
        'auto-release': { type: 'string' },
      },
    });
    if (values.help) return void console.log(ROLLOUT_HELP.rollout);
    if (values.enable && values.disable)
      throw new Error('--enable and --disable exclude each other');
    // Parsed before the database opens: a typo costs nothing.
    const ring = values.ring === undefined ? undefined : parseRing(values.ring);
    const auto =
      values['auto-release'] === undefined ? undefined : parseAutoRelease(values['auto-release']);
    return withQuietServices(values, async (services) => {
      const current = await services.rollout.config();
      const next: RolloutConfig = {
        enabled: values.enable ? true : values.disable ? false : current.enabled,
        ring: ring ?? current.ring,
        autoReleaseAfterMinutes: auto === undefined ? current.autoReleaseAfterMinutes : auto,
      };
      await services.rollout.saveConfig(next, osUser());
      console.log(configLines(next).join('\n'));
      console.log(`Saved; recorded in the audit log as ${osUser()}.`);
    });
  }
  throw new Error(`Unknown command: rollout ${sub} (try "metasync rollout --help")`);
}
