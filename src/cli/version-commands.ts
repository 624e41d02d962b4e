/**
 * `metasync version create --type T [--force]` and `metasync version list` (issue 5 §2);
 * `version release | hold | withdraw` of the staged rollout are in rollout-commands.ts (issue 22).
 */
import { parseArgs } from 'node:util';
import { Authority } from '../domain/authorities.ts';
import { errors } from '../domain/errors.ts';
import { VERSION_TYPES, dhis2Date, type VersionType } from '../domain/versioning/version.ts';
import { DB_FLAGS, dbOptions, withServices } from './options.ts';
import { VERSION_ROLLOUT_HELP, versionAction } from './rollout-commands.ts';

export const VERSION_HELP: Record<string, string> = {
  version: `Usage: metasync version create --type <BEST_EFFORT|ATOMIC> [--force] [options]
       metasync version list [options]
       metasync version release <NAME> --reason "<why>" [--force] [options]
       metasync version hold <NAME> --reason "<why>" [options]
       metasync version withdraw <NAME> --reason "<why>" [options]

create  makes Version_<n+1> from the metadata changed since the previous version (as
        POST /api/metadata/version/create); --force creates one even if nothing changed.
        Needs "Enable versioning for metadata sync" (keyVersionEnabled) on.
list    prints every version: name, type, created, objects, bytes, hashCode.
${VERSION_ROLLOUT_HELP}

Options:${DB_FLAGS}
  -h, --help             show this help`,
};

export async function versionCommand(args: string[]): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === '-h')
    return void console.log(VERSION_HELP.version);
  if (sub === 'create') {
    const { values } = parseArgs({
      args: rest,
      options: { ...dbOptions, type: { type: 'string' }, force: { type: 'boolean' } },
    });
    if (values.help) return void console.log(VERSION_HELP.version);
    const type = values.type ?? '';
    if (!(VERSION_TYPES as readonly string[]).includes(type))
      throw new Error(`--type must be one of ${VERSION_TYPES.join(', ')}`);
    await withServices(values, async (services) => {
      if (!(await services.settings.get('keyVersionEnabled'))) throw errors.versioningDisabled();
      const v = await services.versions.create({
        type: type as VersionType,
        force: values.force === true,
        authorities: new Set([Authority.ALL]),
      });
      console.log(
        `Created ${v.name} (${v.type}): ${v.objects} objects, ${v.deletions} deletions, ${v.bytes} bytes (${v.gzipBytes} gzipped), hashCode ${v.hashCode}`,
      );
    });
    return;
  }
  if (sub === 'list') {
    const { values } = parseArgs({ args: rest, options: dbOptions });
    if (values.help) return void console.log(VERSION_HELP.version);
    await withServices(values, async (services) => {
      const versions = await services.versions.list();
      if (versions.length === 0) return void console.log('No metadata versions.');
      for (const v of versions)
        console.log(
          [
            v.name.padEnd(12),
            v.type.padEnd(11),
            dhis2Date(v.created),
            String(v.objects).padStart(8),
            `${v.bytes} B`.padStart(12),
            v.hashCode,
          ].join('  '),
        );
    });
    return;
  }
  if (sub === 'release' || sub === 'hold' || sub === 'withdraw')
    return versionAction(sub, rest, VERSION_HELP.version!);
  throw new Error(`Unknown command: version ${sub} (try "metasync version --help")`);
}
