/**
 * Every unit test file (test/unit/*.test.ts) in one process: they need no database or server,
 * and a process per file cost more in start-up (node, tsx, the module graph) than the tests took
 * (issue 17 §4: 57 files, ~2 s each of start-up against ~20 s of tests in all). Each file can still
 * be run alone: `node --import tsx --test test/unit/<file>.test.ts`.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = path.join(import.meta.dirname, 'unit');
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.test.ts'))
  .sort())
  await import(pathToFileURL(path.join(dir, file)).href);
