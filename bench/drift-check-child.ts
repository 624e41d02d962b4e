/**
 * One drift check (issue 23 §2) in a process that does nothing else, over a database a synced
 * local left: what `metasync drift` does. Prints {seconds, rssMb, counts, listed}; rssMb is the
 * peak (VmHWM) of the check alone, after opening the services.
 * Usage: node --import tsx bench/drift-check-child.ts <--data-dir D | --database-url U>
 */
import { loadConfig } from '../src/config.ts';

import { createServices, openConfiguredDatabase } from '../src/main.ts';
import { hwmMb, resetHwm } from './proc.ts';

const [flag, where] = process.argv.slice(2) as [string, string];
const config = loadConfig(flag === '--data-dir' ? { dataDir: where } : { databaseUrl: where }, {});
const database = await openConfiguredDatabase(config);
const { services } = await createServices(config, database);
resetHwm();
const t0 = performance.now();
const report = await services.drift.check({ limit: 500 });
const seconds = (performance.now() - t0) / 1000;
const rssMb = hwmMb();
await database.close();
console.log(
  JSON.stringify({
    seconds,
    rssMb,
    counts: report.counts,
    listed: report.changed.length + report.created.length + report.deleted.length,
    paths: report.changed.reduce((s, o) => s + (o.paths?.length ?? 0), 0),
  }),
);
