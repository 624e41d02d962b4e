/**
 * A metasync server alone in its own process, so its VmHWM is the measured work's and nothing
 * else's (issue 18 §5): the driver that builds and sends the payload lives in another process.
 * Usage: node --import tsx bench/server-child.ts <pglite|postgres>
 * Prints {"url","password"} when listening. Reads commands on stdin, one a line, and answers
 * each with one JSON line: `changeSeq` ({"changeSeq"}). Stops cleanly on SIGTERM.
 */
import { createInterface } from 'node:readline';
import { createTestDatabase, type Backend } from '../test/support/databases.ts';
import { ADMIN_PASSWORD, startServer } from '../test/support/server.ts';

const [backend] = process.argv.slice(2) as [Backend];
const database = await createTestDatabase(backend);
// BENCH_STREAMED_IMPORT_BYTES=1e12 keeps every import body on the whole-body path, to compare
// with the streamed one (issue 18 §1).
const streamed = process.env.BENCH_STREAMED_IMPORT_BYTES;
const server = await startServer(
  database,
  streamed ? { streamedImportBytes: Number(streamed) } : {},
);
console.log(JSON.stringify({ url: server.url, password: ADMIN_PASSWORD }));

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'changeSeq')
    void server.instance.services.metadata
      .changeSeq()
      .then((changeSeq) => console.log(JSON.stringify({ changeSeq })));
});
const stop = () =>
  void server
    .stop()
    .then(() => database.dispose())
    .then(() => process.exit(0));
process.on('SIGTERM', stop);
