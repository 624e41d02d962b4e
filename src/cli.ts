#!/usr/bin/env node
/**
 * The `metasync` command line (issue 3 §2, issue 5 §2, issue 6): serve, migrate, user create,
 * version (`cli/version-commands.ts`), sync (`cli/sync-commands.ts`), bundle key | trust
 * (`cli/bundle-key-commands.ts`) and bundle export (`cli/bundle-commands.ts`), rollout and version release | hold | withdraw
 * (`cli/rollout-commands.ts`, issue 22), drift and drift repair (`cli/drift-commands.ts`, issue 23).
 * Flags override environment variables, which override the dhis.conf-style config file.
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { BUNDLE_EXPORT_HELP, bundleExport } from './cli/bundle-commands.ts';
import { BUNDLE_IMPORT_HELP, bundleImport } from './cli/bundle-import-command.ts';
import { BUNDLE_KEY_HELP, bundleKey, bundleTrust } from './cli/bundle-key-commands.ts';
import { DATA_BUNDLE_HELP, dataBundleCommand } from './cli/data-bundle-commands.ts';
import { DRIFT_HELP, driftCommand } from './cli/drift-commands.ts';
import { DB_FLAGS, dbOptions, flagsOf } from './cli/options.ts';
import { ROLLOUT_HELP, rolloutCommand } from './cli/rollout-commands.ts';
import { SYNC_HELP, syncCommand } from './cli/sync-commands.ts';
import { VERSION_HELP, versionCommand } from './cli/version-commands.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { createInstance, createServices, openConfiguredDatabase } from './main.ts';
import { migrateToLatest } from './store/db.ts';

const HELP: Record<string, string> = {
  ...VERSION_HELP,
  ...SYNC_HELP,
  ...ROLLOUT_HELP,
  ...DRIFT_HELP,
  ...BUNDLE_KEY_HELP,
  ...BUNDLE_EXPORT_HELP,
  ...BUNDLE_IMPORT_HELP,
  ...DATA_BUNDLE_HELP,
  main: `metasync — DHIS2-compatible metadata versioning and sync server

Usage: metasync <command> [options]

Commands:
  serve         start the HTTP server (default: http://localhost:8080, PGlite in ./data)
  migrate       apply pending database migrations and exit
  user create   create a user with the given authorities
  version create | list   create a metadata version, or list them (central)
  version release | hold | withdraw   move a version on in the staged rollout (central)
  rollout show | set   the staged rollout: ring, automatic release, versions' states (central)
  sync run | status | rebaseline   pull versions from the central (local)
  drift [repair]   what was changed here behind the central's back; put it back (local)
  bundle key | trust   print this instance's signing key; pin the central's (offline bundles)
  bundle export   write a signed offline bundle of versions to a file (central)
  bundle import   check and import an offline bundle file (local)
  bundle export-data | import-data | trust-local   a local's data by USB stick (data bundles)

Run "metasync <command> --help" for a command's options.`,
  serve: `Usage: metasync serve [options]

Starts the server. On first start with no users it creates the superuser "admin" (password from
METASYNC_ADMIN_PASSWORD, or generated and printed once).

Options:
  --port <n>             HTTP port (env METASYNC_PORT, default 8080)
  --host <addr>          bind address (env METASYNC_HOST, default 0.0.0.0)${DB_FLAGS}
  -h, --help             show this help`,
  migrate: `Usage: metasync migrate [options]

Applies every pending migration to the configured database and exits.

Options:${DB_FLAGS}
  -h, --help             show this help`,
  'user create': `Usage: metasync user create --username <name> --authorities <A,B,...> [--email <addr>] [options]

The password is read from the first line of standard input, or from METASYNC_USER_PASSWORD.
It is never accepted as a flag. Authority ALL gives the Superuser role.

Options:
  --username <name>      4–255 letters, digits or . _ - @
  --authorities <list>   comma-separated, e.g. F_METADATA_MANAGE,F_METADATA_EXPORT
  --email <addr>         optional e-mail address${DB_FLAGS}
  -h, --help             show this help`,
};

async function readPassword(env: NodeJS.ProcessEnv): Promise<string> {
  if (env.METASYNC_USER_PASSWORD) return env.METASYNC_USER_PASSWORD;
  if (process.stdin.isTTY) process.stderr.write('Password: ');
  const rl = createInterface({ input: process.stdin, terminal: false });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  throw new Error('No password: give it on standard input or in METASYNC_USER_PASSWORD');
}

async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { ...dbOptions, port: { type: 'string' }, host: { type: 'string' } },
  });
  if (values.help) return void console.log(HELP.serve);
  const config = loadConfig(flagsOf(values), process.env);
  const logger = createLogger(config.logLevel, undefined, config.logFormat);
  const instance = await createInstance(config, { logger });
  if (instance.generatedAdminPassword)
    // Printed once, to the terminal only: a password never goes into the structured log.
    process.stdout.write(
      `\n  Created user "admin" with password: ${instance.generatedAdminPassword}\n  Store it now; it is not shown again (set METASYNC_ADMIN_PASSWORD to choose it).\n\n`,
    );
  const url = await instance.listen();
  logger.info({ url, backend: instance.database.backend }, 'metasync listening');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    instance.stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (e: unknown) => {
        logger.error({ err: e }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

async function migrate(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: dbOptions });
  if (values.help) return void console.log(HELP.migrate);
  const config = loadConfig(flagsOf(values), process.env);
  const database = await openConfiguredDatabase(config);
  try {
    const results = await migrateToLatest(database.db);
    for (const r of results)
      console.log(`${r.status === 'Success' ? 'applied' : r.status}  ${r.migrationName}`);
    console.log(
      results.length === 0 ? 'Database is up to date.' : `Applied ${results.length} migration(s).`,
    );
  } finally {
    await database.close();
  }
}

async function userCreate(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      ...dbOptions,
      username: { type: 'string' },
      authorities: { type: 'string' },
      email: { type: 'string' },
    },
  });
  if (values.help) return void console.log(HELP['user create']);
  if (!values.username || !values.authorities)
    throw new Error('--username and --authorities are required (see --help)');
  const config = loadConfig(flagsOf(values), process.env);
  const password = await readPassword(process.env);
  const database = await openConfiguredDatabase(config);
  try {
    const { services } = await createServices(config, database);
    const user = await services.users.create({
      username: values.username,
      password,
      authorities: values.authorities.split(','),
      email: values.email ?? null,
    });
    console.log(`Created user ${user.username} (id ${user.id}).`);
  } finally {
    await database.close();
  }
}

async function bundleCommand(args: string[]): Promise<void> {
  const [sub, ...more] = args;
  if (sub === 'export') return bundleExport(more);
  if (sub === 'import') return bundleImport(more);
  if (sub === 'export-data' || sub === 'import-data' || sub === 'trust-local')
    return dataBundleCommand(sub, more);
  const { values } = parseArgs({
    args: more,
    options: { ...dbOptions, key: { type: 'string' }, reason: { type: 'string' } },
  });
  if (sub === 'key') return bundleKey(values);
  if (sub === 'trust') return bundleTrust(values);
  if (sub === undefined || sub === '--help' || sub === '-h')
    return void console.log(
      [
        'bundle export',
        'bundle import',
        'bundle key',
        'bundle trust',
        'bundle export-data',
        'bundle import-data',
        'bundle trust-local',
      ]
        .map((c) => HELP[c])
        .join('\n\n'),
    );
  throw new Error(`Unknown command: bundle ${sub} (try "metasync bundle --help")`);
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help')
    return void console.log(HELP.main);
  if (command === 'serve') return serve(rest);
  if (command === 'migrate') return migrate(rest);
  if (command === 'user') {
    const [sub, ...more] = rest;
    if (sub === 'create') return userCreate(more);
    if (sub === undefined || sub === '--help' || sub === '-h')
      return void console.log(HELP['user create']);
    throw new Error(`Unknown command: user ${sub} (try "metasync --help")`);
  }
  if (command === 'version') return versionCommand(rest);
  if (command === 'sync') return syncCommand(rest);
  if (command === 'rollout') return rolloutCommand(rest);
  if (command === 'drift') return driftCommand(rest);
  if (command === 'bundle') return bundleCommand(rest);
  throw new Error(`Unknown command: ${command} (try "metasync --help")`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`metasync: ${message}\n`);
  process.exitCode = 1;
});
