/** Options shared by the database-using commands of the CLI. */
import type { ParseArgsConfig } from 'node:util';
import type { Logger } from 'pino';
import { loadConfig, type ConfigFlags } from '../config.ts';
import { createServices, openConfiguredDatabase } from '../main.ts';

export const DB_FLAGS = `
  --data-dir <dir>       PGlite data directory (env METASYNC_DATA_DIR, default ./data)
  --database-url <url>   postgres:// URL; when set PGlite is not used (env METASYNC_DATABASE_URL)
  --config <file>        dhis.conf-style "key = value" file (env METASYNC_CONFIG)`;

export const dbOptions = {
  'data-dir': { type: 'string' },
  'database-url': { type: 'string' },
  config: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export function flagsOf(values: Record<string, unknown>): ConfigFlags {
  const s = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  return {
    port: s('port'),
    host: s('host'),
    dataDir: s('data-dir'),
    databaseUrl: s('database-url'),
    config: s('config'),
  };
}

export type CliServices = Awaited<ReturnType<typeof createServices>>['services'];

/** Opens the configured database, builds the services, runs `fn`, and closes the database. */
export async function withServices<T>(
  values: Record<string, unknown>,
  fn: (s: CliServices) => Promise<T>,
  logger?: Logger,
): Promise<T> {
  const config = loadConfig(flagsOf(values), process.env);
  const database = await openConfiguredDatabase(config);
  try {
    const { services } = await createServices(config, database, undefined, logger);
    return await fn(services);
  } finally {
    await database.close();
  }
}
