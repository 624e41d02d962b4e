/**
 * `npm run demo`: a central and a local on embedded databases (PGlite, in ./demo-data), sample
 * metadata, two versions on the central, a sync of the local, and what happened (issue 6 §8).
 * Keeps both running until Ctrl-C; `--once` exits after the sync (used by the tests).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { createInstance } from '../src/main.ts';
import { generateMetadata } from '../bench/generate.ts';

const once = process.argv.includes('--once');
const password = process.env.METASYNC_ADMIN_PASSWORD || 'Demo-Admin-1!';
const root = await mkdtemp(path.join(os.tmpdir(), 'metasync-demo-'));
const logger = createLogger(process.env.METASYNC_LOG_LEVEL ?? 'error');

async function start(name: string, port: string) {
  const config = loadConfig(
    { host: '127.0.0.1', port, dataDir: path.join(root, name) },
    { METASYNC_ADMIN_PASSWORD: password },
  );
  const instance = await createInstance(config, { logger });
  const url = await instance.listen();
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(url + p, {
      method,
      headers: {
        authorization: `Basic ${Buffer.from(`admin:${password}`).toString('base64')}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  return { instance, url, call };
}

const say = (s: string) => console.log(s);
say('metasync demo: a central and a local on embedded PGlite databases\n');
const central = await start('central', once ? '0' : (process.env.DEMO_CENTRAL_PORT ?? '8091'));
const local = await start('local', once ? '0' : (process.env.DEMO_LOCAL_PORT ?? '8092'));

await central.call('POST', '/api/systemSettings', {
  keyVersionEnabled: true,
  applicationTitle: 'Demo central',
});
const first = generateMetadata(2000, 1);
await central.call('POST', '/api/metadata', first);
const v1 = await central.call('POST', '/api/metadata/version/create?type=ATOMIC');
say(
  `central: imported ${Object.values(first).flat().length} objects and created ${v1.name} (ATOMIC, hashCode ${v1.hashCode})`,
);
const renamed = (first.dataElements ?? [])
  .slice(0, 25)
  .map((d) => ({ ...d, name: `${String(d.name)} (revised)` }));
await central.call('POST', '/api/metadata', { dataElements: renamed });
const v2 = await central.call('POST', '/api/metadata/version/create?type=BEST_EFFORT');
say(
  `central: revised ${renamed.length} data elements and created ${v2.name} (BEST_EFFORT, hashCode ${v2.hashCode})`,
);

await local.call('POST', '/api/systemSettings', {
  applicationTitle: 'Demo local',
  keyRemoteInstanceUrl: central.url,
  keyRemoteInstanceUsername: 'admin',
  keyRemoteInstancePassword: password,
});
const report = await local.call('POST', '/api/metadata/sync/run?wait=true');
say(`\nlocal: sync ${report.status} in ${report.attempts} attempt(s)`);
for (const step of report.steps as { name: string; status: string; message?: string }[])
  say(`  ${step.name.padEnd(9)} ${step.status.padEnd(8)} ${step.message ?? ''}`);
for (const v of report.versions as {
  name: string;
  type: string;
  status: string;
  stats?: Record<string, number>;
}[])
  say(
    `  ${v.name}  ${v.type.padEnd(11)} ${v.status.padEnd(8)} created ${v.stats?.created ?? 0}, updated ${v.stats?.updated ?? 0}, unchanged ${v.stats?.unchanged ?? 0}`,
  );
const status = await local.call('GET', '/api/metadata/sync/status');
say(`\nlocal status: ${status.state} — ${status.message}`);
const fleet = (await central.call('GET', '/api/metadata/version/fleet')) as {
  locals: { name: string; version: string; behindBy: number }[];
};
for (const l of fleet.locals)
  say(`central fleet: ${l.name} at ${l.version ?? 'none'}, behind by ${l.behindBy}`);

say(`\ncentral: ${central.url}  (admin / ${password})`);
say(`local:   ${local.url}  (admin / ${password})`);
say('try:     curl -u admin:PASSWORD ' + local.url + '/api/metadata/sync/status');

const stop = async () => {
  await local.instance.stop();
  await central.instance.stop();
  await rm(root, { recursive: true, force: true });
};
if (once) await stop();
else {
  say('\nCtrl-C stops both and removes the demo data.');
  const shutdown = () => void stop().then(() => process.exit(0));
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}
