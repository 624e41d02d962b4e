/** Options shared by the database-using commands of the CLI. */
import type { ParseArgsConfig } from 'node:util';
import type { ConfigFlags } from '../config.ts';

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
