/**
 * One field-link benchmark (issue 19 §8): a central and a local in this process, the local
 * reaching the central's `data.gz` only through the fault proxy's `link` fault
 * (test/support/link-shaper.ts): paced to `rate` bytes per second and reset after every `reset`
 * bytes of an answer, as a satellite or 3G link that drops. Every other call passes untouched.
 *
 * - `resume`: the central serves ranges, so the local continues each broken download.
 * - `whole`: the same link, but the central is reached through a front that ignores ranges
 *   (test/support/ranged-front.ts, as DHIS2 does), so every call starts again at byte 0: what a
 *   local that cannot resume faces. It cannot finish when `reset` < the file; it runs `attempts`
 *   attempts and reports what they cost.
 *
 * The floor is the file's size ÷ the rate: the time the link needs to carry it once.
 * Usage: node --import tsx bench/link-one.ts <pglite|postgres> <resume|whole> <bytes> <rate> <reset> <attempts>
 * Prints progress to stderr and one JSON line to stdout.
 */
import { randomBytes } from 'node:crypto';
import { createTestDatabase, type Backend } from '../test/support/databases.ts';
import { startFaultProxy } from '../test/support/fault-proxy.ts';
import { startRangedFront } from '../test/support/ranged-front.ts';
import { startServer } from '../test/support/server.ts';
import {
  connect,
  createVersion,
  importMetadata,
  newDataElement,
  runSync,
} from '../test/support/sync.ts';
import { enableVersioning } from '../test/support/versions.ts';
import { hwmMb } from './proc.ts';

const [backend, mode, bytesArg, rateArg, resetArg, attemptsArg] = process.argv.slice(2) as [
  Backend,
  'resume' | 'whole',
  string,
  string,
  string,
  string,
];
const size = Number(bytesArg);
const rate = Number(rateArg);
const reset = Number(resetArg);
const attempts = Number(attemptsArg);
const say = (s: string) => process.stderr.write(`[link ${backend} ${mode}] ${s}\n`);

// Stored gzip bytes per data element with a 2,250-byte random description (base64: ~¾ survives
// gzip); random, so the file does not compress away.
const GZIP_PER_OBJECT = 2290;

const centralDb = await createTestDatabase('pglite');
const central = await startServer(centralDb);
await enableVersioning(central);
const front = mode === 'whole' ? await startRangedFront(central.url) : null;
if (front) front.ranges = false;
const upstream = new URL(front?.url ?? central.url);
const proxy = await startFaultProxy({
  target: { host: upstream.hostname, port: Number(upstream.port) },
  mode: 'http',
});
const localDb = await createTestDatabase(backend);
const local = await startServer(localDb, { syncRetry: attempts, syncRetryFrequencyMs: 10 });
await connect(local, proxy.url);

// A first, small version over a clean link: the local is bootstrapped before the bad link.
await importMetadata(central, { dataElements: [newDataElement('Link base')] });
await createVersion(central);
const bootstrap = await runSync(local);
if (bootstrap.status !== 'SUCCESS')
  throw new Error(`bootstrap: ${JSON.stringify(bootstrap.error)}`);

const objects = Math.ceil(size / GZIP_PER_OBJECT);
for (let i = 0; i < objects; i += 1000)
  await importMetadata(central, {
    dataElements: Array.from({ length: Math.min(1000, objects - i) }, () =>
      newDataElement('Link', { description: randomBytes(2250).toString('base64') }),
    ),
  });
const { name } = await createVersion(central);
const file = await central.request(`/api/metadata/version/${name}/data.gz`);
const fileBytes = (await file.arrayBuffer()).byteLength;
say(`${name}: data.gz of ${fileBytes} bytes at ${rate} B/s, reset every ${reset} B`);

const path = new RegExp(`/version/${name}/data\\.gz$`);
proxy.set({ path, fault: { kind: 'link', bytesPerSecond: rate, resetAfter: reset } });
const t0 = performance.now();
const timer = setInterval(() => {
  const s = Math.round((performance.now() - t0) / 1000);
  say(`${s} s: ${proxy.forwarded(path)} B forwarded`);
}, 30_000);
const report = await runSync(local);
clearInterval(timer);
const seconds = (performance.now() - t0) / 1000;
const download = report.versions.find((v) => v.name === name)?.download;
const row = {
  backend,
  mode,
  fileBytes,
  rate,
  reset,
  status: report.status,
  imported: report.toVersion === name,
  attempts: report.attempts,
  seconds,
  floorSeconds: fileBytes / rate,
  forwarded: proxy.forwarded(path),
  requests: proxy.hits.filter((h) => h.path !== null && path.test(h.path)).length,
  resumes: download ? (download.resumedFrom > 0 ? 1 : 0) + (download.resumes?.length ?? 0) : 0,
  rssMb: hwmMb(),
};
say(JSON.stringify(row));
await local.stop();
await localDb.dispose();
await proxy.close();
await front?.stop();
await central.stop();
await centralDb.dispose();
console.log(JSON.stringify(row));
