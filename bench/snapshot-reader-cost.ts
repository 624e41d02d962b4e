/**
 * The cost of reading a snapshot's members (issue 18 §1, PINS.md): JSON.parse of the whole text,
 * the byte splitter of src/central/snapshot-reader.ts (+ JSON.parse per member), and stream-json's
 * parser + StreamArray over the same bytes. Usage: node --import tsx bench/snapshot-reader-cost.ts [objects]
 */
import { Readable } from 'node:stream';
import { parser } from 'stream-json';
import { streamObject } from 'stream-json/streamers/stream-object.js';
import { snapshotMembers } from '../src/central/snapshot-reader.ts';
import { generateMetadata } from './generate.ts';

const n = Number(process.argv[2] ?? 20_000);
const body = generateMetadata(n);
const bytes = Buffer.from(JSON.stringify({ system: { version: '2.41' }, ...body }));
const chunks = () => {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 64 * 1024) out.push(bytes.subarray(i, i + 64 * 1024));
  return out;
};
const time = async (label: string, f: () => Promise<number>) => {
  let best = Infinity;
  let count = 0;
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    count = await f();
    best = Math.min(best, performance.now() - t0);
  }
  console.log(`${label}: ${best.toFixed(0)} ms (${count} objects)`);
  return best;
};
const floor = await time('JSON.parse', async () => {
  const o = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  return Object.values(o).reduce<number>((s, v) => s + (Array.isArray(v) ? v.length : 0), 0);
});
const split = await time('splitter + JSON.parse per member', async () => {
  let c = 0;
  for await (const m of snapshotMembers(Readable.from(chunks()))) {
    const v = m.value();
    if (Array.isArray(v)) c += v.length;
  }
  return c;
});
const sj = await time('stream-json parser + streamObject (one member at a time)', async () => {
  let c = 0;
  const s = Readable.from(chunks()).pipe(parser.asStream()).pipe(streamObject.asStream());
  for await (const m of s as AsyncIterable<{ key: string; value: unknown }>)
    if (Array.isArray(m.value)) c += m.value.length;
  return c;
});
console.log(
  JSON.stringify({ bytes: bytes.length, floorMs: floor, splitMs: split, streamJsonMs: sj }),
);
