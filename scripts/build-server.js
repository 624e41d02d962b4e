// Compiles src/**/*.ts to plain JavaScript in dist/ for `npm start` (issue 18 §5, "server at
// rest"). Run through the tsx loader, the server kept a loader thread and its esbuild service
// resident: ~40 MB of an idle server on either backend. Plain JavaScript needs no loader.
//
// One output file per source file, at the same depth (src/x/y.ts -> dist/x/y.js), so whatever a
// module finds relative to itself (dist-web/, package.json, .git) is found from dist/ as from
// src/. Relative imports are rewritten from .ts to .js; packages stay imports. `npm start` runs
// this before every start (about half a second), so an edited source never runs stale. Files
// are written only when their content changes, each through a rename, so a server already
// starting from dist/ never reads a half-written file; outputs whose source is gone are removed.
//
// Plain JavaScript on purpose: it runs before any TypeScript loader exists.
import { Buffer } from 'node:buffer';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..');
const SRC = path.join(ROOT, 'src');
const OUT = path.join(ROOT, 'dist');

async function filesUnder(dir, suffix) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch((e) => {
    if (e.code === 'ENOENT') return [];
    throw e;
  });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(suffix))
    .map((e) => path.join(e.parentPath, e.name));
}

const result = await build({
  entryPoints: await filesUnder(SRC, '.ts'),
  outdir: OUT,
  outbase: SRC,
  // `bundle` only so that the plugin below sees every import; each import stays an import.
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  write: false,
  logLevel: 'warning',
  plugins: [
    {
      name: 'relative-imports-stay-imports',
      setup(b) {
        b.onResolve({ filter: /^\.\.?\// }, (args) => ({
          path: args.path.replace(/\.ts$/, '.js'),
          external: true,
        }));
      },
    },
  ],
});

const written = new Set();
for (const file of result.outputFiles) {
  written.add(file.path);
  const old = await readFile(file.path).catch(() => null);
  if (old && Buffer.compare(old, file.contents) === 0) continue;
  const tmp = `${file.path}.${process.pid}.tmp`;
  await mkdir(path.dirname(file.path), { recursive: true });
  await writeFile(tmp, file.contents);
  await rename(tmp, file.path);
}
for (const stale of await filesUnder(OUT, '.js'))
  if (!written.has(stale)) await rm(stale, { force: true });
