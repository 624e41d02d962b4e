/**
 * A fresh PostgreSQL test database that a server reaches through a fault proxy in tcp mode, so a
 * test can make the database unreachable mid-run: `down()` resets every open connection and
 * every new one until `up()`.
 */
import { openDatabase } from '../../src/store/db.ts';
import { PG_ADMIN_URL, createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.ts';

export interface ProxiedDatabase extends TestDatabase {
  proxy: FaultProxy;
  /** The database becomes unreachable: open connections reset, new ones reset at once. */
  down(): void;
  up(): void;
}

export async function proxiedDatabase(): Promise<ProxiedDatabase> {
  const real = await createTestDatabase('postgres');
  await (await real.open()).close(); // migrated directly, before any fault
  const admin = new URL(PG_ADMIN_URL);
  const proxy = await startFaultProxy({
    target: { host: admin.hostname, port: Number(admin.port || 5432) },
    mode: 'tcp',
  });
  const url = new URL('databaseUrl' in real.location ? real.location.databaseUrl : '');
  url.host = `127.0.0.1:${proxy.port}`;
  return {
    backend: 'postgres',
    location: { databaseUrl: url.toString() },
    proxy,
    open: () => openDatabase({ kind: 'postgres', url: url.toString(), poolSize: 5 }),
    async dispose() {
      await proxy.close();
      await real.dispose();
    },
    down() {
      proxy.set({ fault: { kind: 'reset' } });
      proxy.cut();
    },
    up() {
      proxy.clear();
    },
  };
}
