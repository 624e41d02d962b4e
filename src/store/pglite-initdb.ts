/**
 * Creates a new PGlite cluster in a short-lived child process (issue 18 §4). PGlite 0.5 runs
 * initdb through a second PGlite instance, the initdb WASM and a tar of the new cluster; done in
 * the server's own process, some 300 MB of that stayed resident for good (an idle server runs no
 * full garbage collection), so an empty server sat at ~550 MB instead of ~250 MB. The child
 * exits when the cluster is written, and the server then opens it as it opens an existing one.
 */
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import path from 'node:path';

// Plain JavaScript run with `node -e`, so it needs no TypeScript loader, whichever way the
// server was started (`npm start`, `bin/metasync.js`, a test).
const CHILD = `
const [moduleUrl, dataDir, startParams] = process.argv.slice(1);
const { PGlite } = await import(moduleUrl);
const pglite = await PGlite.create(dataDir, { startParams: JSON.parse(startParams) });
await pglite.close();
`;

/** True when `dataDir` holds a cluster (PGlite's own test: a PG_VERSION file). */
export async function hasCluster(dataDir: string): Promise<boolean> {
  return access(path.join(dataDir, 'PG_VERSION')).then(
    () => true,
    () => false,
  );
}

/** Runs initdb for `dataDir` in a child process; resolves once the cluster is on disk. */
export function initdbInChild(dataDir: string, startParams: string[]): Promise<void> {
  const moduleUrl = import.meta.resolve('@electric-sql/pglite');
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      ['--input-type=module', '-e', CHILD, moduleUrl, dataDir, JSON.stringify(startParams)],
      { maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) =>
        error
          ? reject(new Error(`PGlite initdb of ${dataDir} failed: ${stderr || error.message}`))
          : resolve(),
    ),
  );
}
