/**
 * A tree of real metasync servers for the relay tests (issue 21): a national central N, a relay R
 * (a local with versioning on) syncing from N, and a district local D syncing from R, each on its
 * own database and talking real HTTP. R runs on the backend under test; N and D run on
 * `centralBackend()` (PostgreSQL when reachable), so a PGlite round keeps one PGlite alive.
 */
import { before } from 'node:test';
import type { Config } from '../../src/config.ts';
import type { Backend } from './databases.ts';
import { useServer, type TestServer } from './server.ts';
import { centralBackend, connect, postSettings } from './sync.ts';
import { enableVersioning } from './versions.ts';

export interface RelayTree {
  national: TestServer;
  relay: TestServer;
  district: TestServer;
}

/**
 * Starts the three servers for one `describe` block and wires them: versioning on at N and R,
 * R's remote is N, D's remote is R, each server named so fleet views can tell them apart.
 */
export function useRelayTree(
  backend: Backend,
  overrides: { relay?: Partial<Config>; district?: Partial<Config> } = {},
): RelayTree {
  const national = useServer(centralBackend());
  const relay = useServer(backend, overrides.relay);
  const district = useServer(centralBackend(), overrides.district);
  before(async () => {
    await enableVersioning(national);
    await enableVersioning(relay);
    await postSettings(national, { applicationTitle: 'National' });
    await postSettings(relay, { applicationTitle: 'Region' });
    await postSettings(district, { applicationTitle: 'District' });
    await connect(relay, national.url);
    await connect(district, relay.url);
  });
  return { national, relay, district };
}
