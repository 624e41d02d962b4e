/**
 * One drift check (issue 23 §2) in a process that does nothing else, over a database a synced
 * local left: what `metasync drift` does. Prints {seconds, rssMb, counts, listed}; rssMb is the
 * peak (VmHWM) of the check alone, after opening the services.
 * Usage: node --import tsx bench/drift-check-child.ts <--data-dir D | --database-url U>
 */
import { loadConfig } from '../src/config.ts';

import { createServices, openConfiguredDatabase } from '../src/main.ts';
import type { DriftHooks } from '../src/domain/drift/drift-service.ts';
import { hwmMb, resetHwm, rssMb } from './proc.ts';

const [flag, where] = process.argv.slice(2) as [string, string];
const config = loadConfig(flag === '--data-dir' ? { dataDir: where } : { databaseUrl: where }, {});
const database = await openConfiguredDatabase(config);
const { services } = await createServices(config, database);
resetHwm();
const startMb = rssMb();
// The counts alone first (what every sync run does), then the whole check with its lists.
const c0 = performance.now();
await (services.drift as unknown as DriftHooks).afterRun();
const countSeconds = (performance.now() - c0) / 1000;
const countMb = hwmMb();
const t0 = performance.now();
const report = await services.drift.check({ limit: 500 });
const seconds = (performance.now() - t0) / 1000;
const peakMb = hwmMb();
await database.close();
console.log(
  JSON.stringify({
    seconds,
    rssMb: peakMb,
    startMb,
    countSeconds,
    countMb,
    counts: report.counts,
    listed: report.changed.length + report.created.length + report.deleted.length,
    paths: report.changed.reduce((s, o) => s + (o.paths?.length ?? 0), 0),
  }),
);
